"""Hypothesis strategies for query parameters, built from records the harness fetched.

Everything is derived in a fixed order (record order, field order, sorted sub-keys) so a fixed
seed reproduces a run, and every choice shrinks towards the simplest query: the first field, the
`=` predicate, the value as written, a single clause.

Values containing an apostrophe are never drawn: the spec defines no escape for one inside a
quoted value, so no verdict could be fair.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from .compare import parse_temporal
from .filter import LOGICALS, PREDICATES, Clause, Filter, Logical
from .resolve import resolve

_PREDICATES_SIMPLEST_FIRST = ("=", "~", "!=", ">", ">=", "<", "<=")
assert set(_PREDICATES_SIMPLEST_FIRST) == set(PREDICATES)
_FALLBACK_VALUE = "zz-no-such-value"
UNKNOWN_FIELD_NAMES = ("notAField", "unknownField", "zzUnknown")


def _leaf_paths(value: Any, prefix: str, depth: int = 3) -> list[str]:
    """Dot paths under `value` that end on a scalar or an array of scalars."""
    items = value if isinstance(value, list) else [value]
    subkeys = sorted({k for item in items if isinstance(item, dict) for k in item})
    if not subkeys:
        return [prefix]
    if depth == 0:
        return []
    paths: list[str] = []
    for key in subkeys:
        children = [item[key] for item in items if isinstance(item, dict) and item.get(key) is not None]
        for child in children[:1]:
            paths += _leaf_paths(child, f"{prefix}.{key}", depth - 1)
    return paths


def filter_paths(records: Sequence[dict[str, Any]], fields: Sequence[str]) -> list[str]:
    """The filterable paths: plain fields, and dot notation into objects and arrays of objects."""
    paths: list[str] = []
    for field in fields:
        for record in records:
            if record.get(field) is not None:
                for path in _leaf_paths(record[field], field):
                    if path not in paths:
                        paths.append(path)
    return paths


def candidate_values(records: Sequence[dict[str, Any]], path: str) -> list[str]:
    """Values the records hold at `path`, arrays also as their comma-joined whole."""
    seen: dict[str, None] = {}
    for record in records:
        found = resolve(record, path)
        if found is None or found.opaque:
            continue
        options = list(found.values)
        if found.is_array and len(found.values) > 1:
            options.append(",".join(found.values))
        for v in options:
            if "'" not in v:
                seen.setdefault(v, None)
    return list(seen) or [_FALLBACK_VALUE]


@st.composite
def _recase(draw: st.DrawFn, value: str) -> str:
    mode = draw(st.sampled_from(("as-is", "lower", "upper", "mixed")))
    if mode == "lower":
        return value.lower()
    if mode == "upper":
        return value.upper()
    if mode == "mixed":
        flips = draw(st.lists(st.booleans(), min_size=len(value), max_size=len(value)))
        return "".join(c.swapcase() if f else c for c, f in zip(value, flips, strict=True))
    return value


@st.composite
def _clause(draw: st.DrawFn, pool: dict[str, list[str]]) -> Clause:
    path = draw(st.sampled_from(list(pool)))
    op = draw(st.sampled_from(_PREDICATES_SIMPLEST_FIRST))
    value = draw(st.sampled_from(pool[path]))
    if op == "~" and len(value) > 1:  # a substring; shrinks towards the whole value
        left = draw(st.integers(0, len(value) - 1))
        right = draw(st.integers(0, len(value) - 1 - left))
        value = value[left : len(value) - right]
    is_datetime = len(value) > 10 and parse_temporal(value) is not None
    if op in (">", ">=", "<", "<=") and is_datetime and draw(st.booleans()):
        value = value[:10]  # the date form of a datetime (docs/provider-defects.md#delta-sync)
    return Clause(path, op, draw(_recase(value)))


def _pool(records: Sequence[dict[str, Any]], fields: Sequence[str], max_records: int) -> dict[str, list[str]]:
    sample = records[:max_records]  # a prefix keeps the draw deterministic and cheap on big rosters
    paths = filter_paths(sample, fields)
    if not paths:
        raise ValueError("no filterable field in the given records")
    return {p: candidate_values(sample, p) for p in paths}


def clauses(
    records: Sequence[dict[str, Any]], fields: Sequence[str], *, max_records: int = 1000
) -> st.SearchStrategy[Clause]:
    """Single clauses over the values of the first `max_records` records."""
    return _clause(_pool(records, fields, max_records))


def filters(
    records: Sequence[dict[str, Any]], fields: Sequence[str], *, max_records: int = 1000
) -> st.SearchStrategy[Filter]:
    """Spec-form filters (one clause, or two joined by AND / OR) over the records' own values
    (those of the first `max_records` records). format_filter() gives the query text."""
    one = _clause(_pool(records, fields, max_records))
    two = st.builds(lambda op, a, b: Logical(op, (a, b)), st.sampled_from(LOGICALS), one, one)
    return st.one_of(one, two)


def sorts(fields: Sequence[str]) -> st.SearchStrategy[tuple[str, str | None]]:
    """(sort field, orderBy) with orderBy absent, asc or desc."""
    return st.tuples(st.sampled_from(list(fields)), st.sampled_from((None, "asc", "desc")))


@st.composite
def field_lists(draw: st.DrawFn, fields: Sequence[str]) -> list[str]:
    """Non-empty lists of distinct known field names, sometimes with an unknown name mixed in."""
    chosen = draw(st.lists(st.sampled_from(list(fields)), min_size=1, max_size=len(fields), unique=True))
    unknown = [n for n in UNKNOWN_FIELD_NAMES if n not in fields]
    if unknown and draw(st.booleans()):
        at = draw(st.integers(0, len(chosen)))
        chosen.insert(at, draw(st.sampled_from(unknown)))
    return chosen


def windows(total: int) -> st.SearchStrategy[tuple[int, int]]:
    """(limit, offset) pairs, with the edges: limit=1, offset 0, at and past the end."""
    top = max(total, 1)
    limits = st.one_of(st.just(1), st.integers(1, top + 5), st.sampled_from(sorted({top, top + 1})))
    offsets = st.one_of(st.just(0), st.integers(0, total + 5), st.sampled_from((total, total + 1, total + 100)))
    return st.tuples(limits, offsets)
