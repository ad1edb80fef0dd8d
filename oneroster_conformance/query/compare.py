"""Comparisons under every accepted reading, as sets of possible outcomes.

An outcome set is a frozenset of booleans: {True} (every reading agrees it holds), {False}, or
{True, False} (readings disagree: the oracle accepts either). Combining sets with `t_and` /
`t_or` / `t_not` is Kleene's three-valued logic; it treats the clauses' readings as independent,
which can only widen the accepted results, never cause a false alarm.

Readings:
- equality: str.lower(), str.casefold(), UCA 9 / UCA 10 at secondary strength (so width-only or
  canonical-equivalence differences are EITHER, accents are a real difference); for two ISO
  dates/datetimes also equality as instants (same instant written differently is EITHER). A
  record datetime served with fewer than six fractional digits may hide finer stored digits that
  were truncated when served: a filter datetime within that served step is compared with every
  stored instant it may stand for (`='…30.583Z'` against a served '…30.583Z' is EITHER, `>` too,
  `>=` still holds); the requirement filter/logical-and records this reading.
- contains: case-insensitive substring by lower(), casefold() and NFKC+casefold.
- order: two ISO dates/datetimes compare as instants (a date against a datetime: by the date
  part, in UTC or as written, or as midnight UTC); one temporal side and one not: undecidable;
  two numbers: numerically and as strings; otherwise UCA 9 / UCA 10 at secondary strength, with
  variables non-ignorable or shifted, each with and without a case-insensitive code-point
  tie-break. Equality does not use the shifted keys: shifted collations still tell 'OBrien' from
  "O'Brien" at the quaternary level.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .collation import codepoint_key, shifted_keys, sort_keys

Outcomes = frozenset[bool]
TRUE: Outcomes = frozenset({True})
FALSE: Outcomes = frozenset({False})
EITHER: Outcomes = frozenset({True, False})

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?")
_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def t_not(a: Outcomes) -> Outcomes:
    return frozenset(not x for x in a)


def t_and(items: Iterable[Outcomes]) -> Outcomes:
    result = TRUE
    for a in items:
        result = frozenset(x and y for x in result for y in a)
    return result


def t_or(items: Iterable[Outcomes]) -> Outcomes:
    result = FALSE
    for a in items:
        result = frozenset(x or y for x in result for y in a)
    return result


def _from(values: Iterable[bool]) -> Outcomes:
    return frozenset(values)


# ---- temporal and numeric forms ------------------------------------------------------------


@lru_cache(maxsize=65536)
def parse_temporal(text: str) -> date | datetime | None:
    """An ISO 8601 date or date-time (aware, UTC when no offset is written), else None."""
    text = text.strip()
    try:
        if _DATE_RE.fullmatch(text):
            return date.fromisoformat(text)
        if _DATETIME_RE.fullmatch(text):
            parsed = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        return None  # shaped like a date but not one (2016-13-45)
    return None


def _instants(value: date | datetime, other: date | datetime) -> list[tuple[object, object]]:
    """Comparable pairs, one per reading, for two temporal values."""
    if isinstance(value, datetime) == isinstance(other, datetime):
        return [(value, other)]
    d, dt = (value, other) if not isinstance(value, datetime) else (other, value)
    assert isinstance(dt, datetime)
    midnight = datetime(d.year, d.month, d.day, tzinfo=UTC)
    pairs = [(d, dt.date()), (d, dt.astimezone(UTC).date()), (midnight, dt)]
    return pairs if d is value else [(b, a) for a, b in pairs]


def parse_number(text: str) -> Decimal | None:
    if not _NUMBER_RE.fullmatch(text.strip()):
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def _sign(a: object, b: object) -> int:
    return (a > b) - (a < b)  # type: ignore[operator]


# ---- equality, containment, order ----------------------------------------------------------


_FRACTION_RE = re.compile(r"\d{2}:\d{2}:\d{2}\.(\d+)")


def served_precision(text: str) -> int:
    """Fractional-second digits a datetime is written with (0: whole seconds or minutes)."""
    match = _FRACTION_RE.search(text)
    return len(match.group(1)) if match else 0


def _hidden_precision_signs(a: str, b: str) -> frozenset[int] | None:
    """Signs of (stored record datetime vs filter datetime `b`) when the record's served value `a` has fewer
    than six fractional digits and `b` falls within its served precision step: the provider may store finer
    digits it truncates when serving, so the stored instant lies in [a, a + step). None: no such tie."""
    ta, tb = parse_temporal(a), parse_temporal(b)
    if not (isinstance(ta, datetime) and isinstance(tb, datetime)):
        return None
    digits = served_precision(a)
    if digits >= 6:
        return None
    low, fine = ta.astimezone(UTC), tb.astimezone(UTC)
    step = timedelta(microseconds=10 ** (6 - digits))
    if fine == low:
        return frozenset({0, 1})  # stored at or after the served value
    if low < fine < low + step:
        return frozenset({-1, 0, 1})
    return None


@lru_cache(maxsize=65536)
def eq(a: str, b: str) -> Outcomes:
    """Case-insensitive equality of a record value `a` and a filter value `b`."""
    readings = [a.lower() == b.lower(), a.casefold() == b.casefold()]
    readings += [ka == kb for ka, kb in zip(sort_keys(a), sort_keys(b), strict=True)]
    ta, tb = parse_temporal(a), parse_temporal(b)
    if ta is not None and tb is not None:
        readings += [x == y for x, y in _instants(ta, tb)]
        hidden = _hidden_precision_signs(a, b)
        if hidden is not None:
            readings += [sign == 0 for sign in hidden]  # equal at the served precision, maybe not at the stored one
    return _from(readings)


@lru_cache(maxsize=65536)
def contains(hay: str, needle: str) -> Outcomes:
    """Case-insensitive "contains": is `needle` a substring of `hay`?"""
    nfkc = unicodedata.normalize
    return _from(
        [
            needle.lower() in hay.lower(),
            needle.casefold() in hay.casefold(),
            nfkc("NFKC", needle).casefold() in nfkc("NFKC", hay).casefold(),
        ]
    )


@lru_cache(maxsize=65536)
def order_signs(a: str, b: str, *, strings_for_temporal: bool = False) -> frozenset[int]:
    """The signs of (a compared to b) over every reading: -1 a first, 0 tie, 1 b first.

    Filters compare two temporal values only as instants; sorting (strings_for_temporal) also
    accepts the collation order of their text, since the spec only asks for UCA there.
    """
    ta, tb = parse_temporal(a), parse_temporal(b)
    if (ta is None) != (tb is None) and not strings_for_temporal:
        return frozenset({-1, 0, 1})  # a typed provider cannot compare these: not judged
    signs: set[int] = set()
    if ta is not None and tb is not None:
        signs |= {_sign(x, y) for x, y in _instants(ta, tb)}
        if not strings_for_temporal:
            signs |= _hidden_precision_signs(a, b) or frozenset()  # finer stored digits than served
            return frozenset(signs)
    na, nb = parse_number(a), parse_number(b)
    if na is not None and nb is not None:
        signs.add(_sign(na, nb))
    tie_break = _sign(codepoint_key(a), codepoint_key(b))
    for ka, kb in zip(sort_keys(a) + shifted_keys(a), sort_keys(b) + shifted_keys(b), strict=True):
        s = _sign(ka, kb)
        signs.add(s)
        if s == 0:
            signs.add(tie_break)
    return frozenset(signs)


_OP_TEST = {
    ">": lambda s: s > 0,
    ">=": lambda s: s >= 0,
    "<": lambda s: s < 0,
    "<=": lambda s: s <= 0,
}


def ordered(a: str, op: str, b: str) -> Outcomes:
    """`a op b` for an ordered predicate op in > >= < <=."""
    test = _OP_TEST[op]
    return _from(test(s) for s in order_signs(a, b))
