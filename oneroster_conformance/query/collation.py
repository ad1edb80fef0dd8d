"""Unicode Collation Algorithm keys at a case-insensitive level, for two UCA versions.

The spec says "UCA 9.0" in its prose and "[UNICODE, 16]" elsewhere (spec reading collation-version). We carry the
DUCET tables of 9.0.0 and 10.0.0 that pyuca ships, and a check only fails when both agree.

Keys are built at *secondary* strength (primary + secondary weights): case is a tertiary
difference in UCA, so secondary strength is the case-insensitive level while accents still count
(so an accent-insensitive, primary-strength collation such as MySQL's *_ai_ci is not a reading
we accept: 'Emile' and 'Émile' are different values). Variable characters (spaces, punctuation) are
non-ignorable in `sort_keys` (pyuca, CLDR root); `shifted_keys` ignores them, which is UCA's
other variable-weighting option and close to SQL Server's word sort: orderings accept both.

Missing values (None) get the empty key, which sorts before everything; where a provider puts
records without a value is implementation-dependent, so no check ever judges it.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import pyuca

UCA_VERSIONS: tuple[str, str] = ("9.0.0", "10.0.0")

Key = tuple[int, ...]


@cache
def _table(version: str) -> Path:
    return Path(pyuca.__file__).parent / f"allkeys-{version}.txt"


_loading: threading.Thread | None = None


def load_in_background() -> None:
    """Parse both DUCET tables (~0.2 s of CPU, ~26 MB) in a thread, while the run mostly waits on the
    network, so the first sort check does not pay for it."""
    global _loading
    if _loading is None:
        _loading = threading.Thread(target=_load_all, name="uca-tables", daemon=True)
        _loading.start()


def _load_all() -> None:
    for version in UCA_VERSIONS:
        _collator(version)
        _max_variable_primary(version)


def _wait_for_loading() -> None:
    loading = _loading
    if loading is not None and loading is not threading.current_thread() and loading.is_alive():
        loading.join()  # never parse a table twice: wait for the thread that is parsing it


@cache
def _collator(version: str) -> pyuca.Collator:
    return pyuca.Collator(str(_table(version)))


@cache
def _max_variable_primary(version: str) -> int:
    """Variable elements (marked '*' in allkeys, which pyuca drops) hold the lowest primaries."""
    text = _table(version).read_text(encoding="utf-8")
    return max(int(w, 16) for w in re.findall(r"\[\*([0-9A-Fa-f]{4})", text))


def as_text(value: object) -> str | None:
    """The text a provider compares: strings as is, JSON scalars in their JSON spelling."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _key(text: str, version: str, shifted: bool) -> Key:
    # casefold first so no case distinction can leak through a table's secondary weights.
    elements = _collator(version).collation_elements(unicodedata.normalize("NFD", text.casefold()))
    if shifted:  # UCA "shifted": variables, and ignorables right after them, drop out of L1-L2
        top, kept, after_variable = _max_variable_primary(version), [], False
        for e in elements:
            if (e[0] and e[0] <= top) or (after_variable and not e[0]):
                after_variable = True
                continue
            after_variable = False
            kept.append(e)
        elements = kept
    # primary weights, a separator (so a prefix sorts first), secondary weights
    return tuple(e[0] for e in elements if e[0]) + (0,) + tuple(e[1] for e in elements if len(e) > 1 and e[1])


@lru_cache(maxsize=65536)
def _text_keys(text: str, shifted: bool) -> tuple[Key, Key]:
    _wait_for_loading()
    uca9, uca10 = (_key(text, v, shifted) for v in UCA_VERSIONS)
    return uca9, uca10


def sort_keys(value: object) -> tuple[Key, Key]:
    """(UCA 9.0.0 key, UCA 10.0.0 key) at secondary strength, variables non-ignorable (as pyuca
    and CLDR root do); the empty key for None."""
    text = as_text(value)
    return ((), ()) if text is None else _text_keys(text, False)


def shifted_keys(value: object) -> tuple[Key, Key]:
    """The same with variable weighting "shifted": spaces and punctuation ignored at these levels,
    as UCA's shifted option and Windows / SQL Server word sort (O'Brien between Oakley and Ochoa)."""
    text = as_text(value)
    return ((), ()) if text is None else _text_keys(text, True)


def codepoint_key(value: object) -> str:
    """Case-insensitive code-point order: the tie-break some collations apply after UCA."""
    text = as_text(value)
    return "" if text is None else unicodedata.normalize("NFC", text).casefold()
