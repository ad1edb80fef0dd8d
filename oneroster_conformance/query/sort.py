"""Sort-order checks that only fail what no accepted reading allows.

A pair of neighbours is a violation only when every reading (UCA 9 and UCA 10 at secondary
strength, i.e. case-insensitive; the case-insensitive code-point tie-break; for two ISO
dates/datetimes also chronological order; for two numbers also numeric order) strictly puts the
second first (spec reading collation-version). Ties and disagreements are never violations.

Records without a value for the field are skipped and their neighbours compared across them:
where missing values go is implementation-dependent. Arrays sort on their first value (spec).
Without orderBy the order's direction is implementation-dependent: ascending or descending is
accepted, and the violations of the closer one are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .collation import as_text
from .compare import order_signs, parse_temporal
from .resolve import resolve


@dataclass(frozen=True)
class Violation:
    first_id: str
    second_id: str
    first_value: str
    second_value: str
    explanation: str

    def __str__(self) -> str:
        return self.explanation


def _sort_value(record: dict[str, Any], field: str) -> str | None:
    found = resolve(record, field)
    if found is None or found.opaque:
        return None
    return found.first


def strictly_after(a: str, b: str) -> bool:
    """True when every accepted reading puts b strictly before a."""
    return order_signs(a, b, strings_for_temporal=True) == frozenset({1})


def _why(a: str, b: str, descending: bool) -> str:
    rule = "UCA 9/10" if parse_temporal(a) is None or parse_temporal(b) is None else "chronological order"
    if descending:
        return f"{a!r} came before {b!r} but in descending {rule} order {b!r} comes first"
    return f"{a!r} came before {b!r} but {rule} orders {b!r} first"


def _violations(pairs: Sequence[tuple[str, str, str, str]], descending: bool) -> list[Violation]:
    found = []
    for id_a, a, id_b, b in pairs:
        bad = strictly_after(b, a) if descending else strictly_after(a, b)
        if bad:
            found.append(Violation(id_a, id_b, a, b, _why(a, b, descending)))
    return found


def sort_violations(records: list[dict[str, Any]], field: str, descending: bool | None) -> list[Violation]:
    """Adjacent pairs (among records with a value) that no accepted ordering allows.

    descending: True for orderBy=desc, False for asc, None when orderBy was absent.
    """
    valued = [(str(r.get("sourcedId")), v) for r in records if (v := _sort_value(r, field)) is not None]
    pairs = [(ia, a, ib, b) for (ia, a), (ib, b) in zip(valued, valued[1:], strict=False)]
    if descending is not None:
        return _violations(pairs, descending)
    up, down = _violations(pairs, False), _violations(pairs, True)
    if not up or not down:
        return []
    closer, direction = (up, "ascending") if len(up) <= len(down) else (down, "descending")
    note = f"orderBy absent and the records are neither ascending nor descending (closest: {direction}): "
    return [Violation(v.first_id, v.second_id, v.first_value, v.second_value, note + v.explanation) for v in closer]


def is_bytewise_order_distinguishable(values: Iterable[object]) -> bool:
    """True when sorting `values` by code points (raw, or casefolded) gives an order that
    sort_violations would flag, so a provider sorting bytewise would be caught on this field."""
    texts = [t for t in (as_text(v) for v in values) if t is not None]
    for bytewise in (lambda s: s, str.casefold):
        ordered = sorted(texts, key=bytewise)
        if not any(strictly_after(a, b) for a, b in zip(ordered, ordered[1:], strict=False)):
            return False
    return True
