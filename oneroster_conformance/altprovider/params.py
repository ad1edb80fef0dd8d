"""limit / offset / sort / orderBy / filter / fields evaluated in Python over in-memory records.

Where the binding's "Using the Endpoint Parameters" section allows more than one behaviour, this
provider takes the reading the reference provider does not:
- a malformed or repeated limit / offset is ignored (the default applies; a repeat: the first value);
- a filter that does not parse is 422 invaliddata; an unknown filter field is 400 invalid_filter_field;
- text equality is by ``str.lower`` (not Unicode case folding); a record without the field matches
  no predicate at all, ``!=`` included (SQL's reading of a missing value);
- '=' on an array is set equality (the spec's own example); ordering predicates on an array look
  at its first element, as sorting does; two ISO dates / date-times compare as instants;
- without sort, newest first (dateLastModified descending); an unknown sort field is an error
  (1.2: 422 invaliddata, 1.1: 400 invalid_sort_field); missing values sort first;
- ``fields`` naming any unknown field returns every field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pyuca.collator import Collator_9_0_0

from oneroster_conformance.spec.schemas import schema

DEFAULT_LIMIT = 100
PAGE_CAP = 60  # the largest page served; announced by X-Total-Count and Link
PREDICATES = ("!=", ">=", "<=", "=", ">", "<", "~")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:\-]*")
_JOIN = re.compile(r"\s+(AND|OR)\s+")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))?")

# collection path -> (Set schema, entity) of the records it serves
ENTITY = {"orgs": ("OrgSet", "Org"), "schools": ("OrgSet", "Org"),
          "academicSessions": ("AcademicSessionSet", "AcademicSession"),
          "terms": ("AcademicSessionSet", "AcademicSession"),
          "gradingPeriods": ("AcademicSessionSet", "AcademicSession"), "courses": ("CourseSet", "Course"),
          "classes": ("ClassSet", "Class"), "users": ("UserSet", "User"), "students": ("UserSet", "User"),
          "teachers": ("UserSet", "User"), "enrollments": ("EnrollmentSet", "Enrollment"),
          "demographics": ("DemographicsSet", "Demographics")}


class QueryError(Exception):
    def __init__(self, status: int, code_minor: str, description: str) -> None:
        super().__init__(description)
        self.status, self.code_minor, self.description = status, code_minor, description


# ------------------------------------------------------------------------------ field names
@cache
def _definitions(collection: str, binding: str) -> tuple[dict, dict]:
    set_name, entity = ENTITY[collection]
    defs = schema(set_name, binding)["$defs"]
    return defs, defs[entity]


def known_field(collection: str, name: str, binding: str) -> bool:
    """Whether a (dotted) name exists in the record's schema; any key inside metadata is allowed."""
    defs, node = _definitions(collection, binding)
    for i, part in enumerate(name.split(".")):
        props = node.get("properties", {})
        if part not in props:
            return node.get("additionalProperties") is True and i > 0
        prop = props[part]
        prop = prop.get("items", prop) if prop.get("type") == "array" else prop
        node = defs[prop["$ref"].rsplit("/", 1)[-1]] if "$ref" in prop else prop
    return True


@cache
def optional_arrays(collection: str, binding: str) -> tuple[str, ...]:
    """Top-level array properties the schema does not require (served as [] when the record has none)."""
    entity = _definitions(collection, binding)[1]
    required = set(entity.get("required", ()))
    return tuple(k for k, v in entity["properties"].items() if v.get("type") == "array" and k not in required
                 and not v.get("minItems"))


def top_fields(collection: str, binding: str) -> list[str]:
    return list(_definitions(collection, binding)[1]["properties"])


def values_at(record: Any, path: str) -> tuple[list[Any], bool]:
    """(the values at a dotted path, collected across arrays; whether an array was crossed)."""
    nodes, crossed = [record], False
    for part in path.split("."):
        nxt = []
        for node in nodes:
            value = node.get(part) if isinstance(node, dict) else None
            if isinstance(value, list):
                crossed = True
                nxt.extend(value)
            elif value is not None:
                nxt.append(value)
        nodes = nxt
    return [v for v in nodes if isinstance(v, (str, int, float, bool))], crossed


# ------------------------------------------------------------------------------ comparisons
_collator: Collator_9_0_0 | None = None


def uca(text: str) -> tuple[int, ...]:
    global _collator
    if _collator is None:
        _collator = Collator_9_0_0()
    return _collator.sort_key(text)


def instant(text: str) -> datetime | None:
    if not _INSTANT.fullmatch(text):
        return None
    try:
        if len(text) == 10:
            return datetime.fromisoformat(text + "T00:00:00+00:00")
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _equal(a: str, b: str) -> bool:
    ta, tb = instant(a), instant(b)
    if ta is not None and tb is not None:
        return ta == tb
    return a.lower() == b.lower()


def _order(a: str, b: str) -> int:
    ta, tb = instant(a), instant(b)
    if ta is not None and tb is not None:
        return (ta > tb) - (ta < tb)
    ka, kb = uca(a.lower()), uca(b.lower())
    return (ka > kb) - (ka < kb)


# ------------------------------------------------------------------------------ filter
@dataclass(frozen=True)
class Test:
    path: str
    predicate: str
    value: str


def parse_filter(text: str) -> list[list[Test]]:
    """OR-groups of AND-ed tests (AND binds tighter). Raises QueryError(422) on bad grammar."""
    groups: list[list[Test]] = [[]]
    pos = 0
    while True:
        m = _NAME.match(text, pos)
        if not m:
            raise QueryError(422, "invaliddata", f"filter: a field name was expected at character {pos + 1}")
        pos = m.end()
        predicate = next((p for p in PREDICATES if text.startswith(p, pos)), None)
        if predicate is None:
            raise QueryError(422, "invaliddata", f"filter: a predicate was expected after {m.group(0)!r}")
        pos += len(predicate)
        if not text.startswith("'", pos):
            raise QueryError(422, "invaliddata", "filter: values are written in single quotes")
        # the value ends at the quote followed by the end of the filter or by " AND " / " OR "
        end = pos + 1
        while True:
            end = text.find("'", end)
            if end < 0:
                raise QueryError(422, "invaliddata", "filter: a value is missing its closing quote")
            if end + 1 == len(text) or _JOIN.match(text, end + 1):
                break
            end += 1
        groups[-1].append(Test(m.group(0), predicate, text[pos + 1:end].replace("''", "'")))
        if end + 1 == len(text):
            return groups
        join = _JOIN.match(text, end + 1)
        assert join is not None
        if join.group(1) == "OR":
            groups.append([])
        pos = join.end()


def _holds(test: Test, record: dict) -> bool:
    found, is_array = values_at(record, test.path)
    if not found:
        return False  # a missing value satisfies nothing
    values = [_text(v) for v in found]
    wanted = test.value
    if test.predicate in ("=", "!="):
        if is_array:
            listed = {w.strip().lower() for w in wanted.split(",") if w.strip()}
            same = {v.lower() for v in values} == listed
        else:
            same = _equal(values[0], wanted)
        return same if test.predicate == "=" else not same
    if test.predicate == "~":
        pieces = [w.strip().lower() for w in wanted.split(",") if w.strip()] if is_array else [wanted.lower()]
        return any(p in v.lower() for v in values for p in pieces)
    sign = _order(values[0], wanted)
    return {">": sign > 0, ">=": sign >= 0, "<": sign < 0, "<=": sign <= 0}[test.predicate]


def apply_filter(text: str, records: list[dict], collection: str, binding: str) -> list[dict]:
    groups = parse_filter(text)
    for test in (t for g in groups for t in g):
        if not known_field(collection, test.path, binding):
            raise QueryError(400, "invalid_filter_field", f"filter: {test.path!r} is not a field of {collection}")
    return [r for r in records if any(all(_holds(t, r) for t in g) for g in groups)]


# ------------------------------------------------------------------------------ sort
def sort_records(records: list[dict], sort: str | None, order_by: str | None, collection: str,
                 binding: str) -> list[dict]:
    descending = (order_by or "").lower() == "desc"
    if order_by is not None and order_by.lower() not in ("asc", "desc"):
        raise QueryError(400, "invaliddata", "orderBy is 'asc' or 'desc'")
    if not sort:  # the default: newest first, then by sourcedId
        by_id = sorted(records, key=lambda r: r["sourcedId"])
        return sorted(by_id, key=lambda r: instant(r.get("dateLastModified", "")) or datetime.min.replace(tzinfo=UTC),
                      reverse=True)
    if not known_field(collection, sort, binding):
        # 1.1 has a codeMinor for this (400 invalid_sort_field); 1.2 has none: a semantic error, 422
        status, minor = (400, "invalid_sort_field") if binding == "v1p1" else (422, "invaliddata")
        raise QueryError(status, minor, f"sort: {sort!r} is not a field of {collection}")

    def key(r: dict) -> tuple:
        found, _ = values_at(r, sort)
        if not found:
            return (0, (), r["sourcedId"])  # missing values first
        text = _text(found[0])
        moment = instant(text)
        return (1, (moment.timestamp(),) if moment else tuple(uca(text.lower())), r["sourcedId"])

    return sorted(records, key=key, reverse=descending)


# ------------------------------------------------------------------------------ fields and paging
def select_fields(raw: str | None, collection: str, binding: str) -> list[str] | None:
    """The fields to keep; None = all of them (no selection, or an unknown name among them)."""
    if raw is None:
        return None
    names = raw.split(",")
    if any(not n.strip() for n in names):
        raise QueryError(400, "invalid_selection_field", "fields: a blank field name was given")
    known = set(top_fields(collection, binding))
    names = [n.strip() for n in names]
    return None if any(n not in known for n in names) else names


def window(params: dict[str, list[str]]) -> tuple[int, int]:
    """(limit, offset): anything that is not a plain number is ignored, as is every repeat."""

    def number(name: str, default: int, least: int) -> int:
        raw = (params.get(name) or [""])[0]
        if not (raw.isascii() and raw.isdigit()):
            return default
        value = int(raw) if len(raw) <= 18 else 10**18  # int() refuses thousands of digits
        return value if value >= least else default

    return min(number("limit", DEFAULT_LIMIT, 1), PAGE_CAP), number("offset", 0, 0)


def first(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None
