"""Unicode collation (UCA 9.0 via pyuca) and case folding, registered as SQLite functions.

The spec asks for sorting and filtering by the Unicode Collation Algorithm version 9.0. SQLite
only knows byte order, so the provider registers:

- ``or_fold(x)``: Unicode case folding, for case-insensitive '=' and '~';
- ``or_key(x)``: the UCA sort key as a BLOB whose byte order is UCA order. ORDER BY computes it
  once per row and sorts with memcmp: far cheaper than a collation callback per comparison;
- ``or_cmp(a, b)``: -1 / 0 / 1 for the ordering predicates ('>', '>=', '<', '<='), and
  ``or_cmp_cs`` without case folding (for the case-sensitive-filter fault);
- the collation ``UCA`` (the same order) for ad-hoc SQL.
"""

from __future__ import annotations

import re
import sqlite3
import struct
from functools import lru_cache

from pyuca.collator import Collator_9_0_0

_collator: Collator_9_0_0 | None = None

# ISO 8601 dates / date-times: compared as strings (the spec's delta-sync form), not by UCA, whose
# punctuation order ('.' < ':' < '+') differs from the character order the ISO forms rely on.
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?)?$", re.IGNORECASE)


def is_iso(text: str) -> bool:
    return _ISO.match(text) is not None


def collator() -> Collator_9_0_0:
    global _collator
    if _collator is None:
        _collator = Collator_9_0_0()
    return _collator


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def fold(value: object) -> str | None:
    text = _text(value)
    return None if text is None else text.casefold()


@lru_cache(maxsize=1 << 18)
def _key(text: str) -> bytes:
    weights = collator().sort_key(text)
    # Weights are 16-bit, so big-endian packing keeps tuple order as byte order.
    return struct.pack(f">{len(weights)}H", *weights)


def sort_key(value: object) -> bytes | None:
    text = _text(value)
    return None if text is None else _key(text)


def compare(a: object, b: object, case_insensitive: bool = True) -> int | None:
    """Comparison for the ordering predicates: ISO dates as strings, everything else by UCA."""
    fa, fb = (fold(a), fold(b)) if case_insensitive else (_text(a), _text(b))
    if fa is None or fb is None:
        return None
    if fa == fb:
        return 0
    if not (_ISO.match(fa) and _ISO.match(fb)):
        ka, kb = _key(fa), _key(fb)
        if ka != kb:
            return -1 if ka < kb else 1
    return -1 if fa < fb else 1


def _collate(a: str, b: str) -> int:
    ka, kb = _key(a), _key(b)
    return (ka > kb) - (ka < kb) or (a > b) - (a < b)


def register(conn: sqlite3.Connection) -> None:
    conn.create_function("or_fold", 1, fold, deterministic=True)
    conn.create_function("or_key", 1, sort_key, deterministic=True)
    conn.create_function("or_cmp", 2, compare, deterministic=True)
    conn.create_function("or_cmp_cs", 2, lambda a, b: compare(a, b, False), deterministic=True)
    conn.create_collation("UCA", _collate)
