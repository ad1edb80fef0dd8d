"""Using the Endpoint Parameters › Filtering (a section the spec heads NOT NORMATIVE).

Each filter is built from values present in the crawled data and its answer is compared with the
harness's own oracle (oneroster_conformance.query, which shares no code with the reference
provider) applied to the unfiltered collection. The oracle gives bounds, must ⊆ answer ⊆ may, so
every reasonable reading of the spec (spec readings array-equality, collation-version) passes.
"""

import pytest
from query_support import array_field, assert_filter_matches, ground_truth, middle, ref_field, text_field

from oneroster_conformance.accepted import BAD_QUERY_STATUSES
from oneroster_conformance.checks import assert_status_info, not_applicable, require_working
from oneroster_conformance.query.filter import Clause, Logical


def _run(crawl, op, records, ast, what: str):
    assert_filter_matches(crawl, op, records, ast, what)


def _values(records, field):
    return [r[field] for r in records if isinstance(r.get(field), str) and r[field] and "'" not in r[field]]


PREDICATES = ["=", "!=", ">", ">=", "<", "<=", "~"]


@pytest.mark.requirement("filter/predicates")
@pytest.mark.parametrize("predicate", PREDICATES, ids=["eq", "ne", "gt", "ge", "lt", "le", "contains"])
def test_filter_predicates(crawl, top_collection, predicate):
    records = ground_truth(crawl, top_collection)
    field = text_field(records) if predicate in ("=", "!=", "~") else "dateLastModified"
    if field is None:
        not_applicable("no text field with distinct values to filter on")
    value = middle(_values(records, field))
    if value is None:
        not_applicable(f"no usable {field} value")
    if predicate == "~":
        value = value[1:4] if len(value) > 4 else value
    _run(crawl, top_collection, records, Clause(field, predicate, value), f"predicate {predicate}")


@pytest.mark.requirement("filter/logical-and")
def test_filter_logical_and(crawl, top_collection):
    records = ground_truth(crawl, top_collection)
    field = text_field(records)
    if field is None:
        not_applicable("no text field with distinct values to filter on")
    pivot = middle([r["dateLastModified"] for r in records if isinstance(r.get("dateLastModified"), str)])
    value = middle(_values(records, field))
    ast = Logical("AND", (Clause(field, "!=", value), Clause("dateLastModified", ">=", pivot)))
    _run(crawl, top_collection, records, ast, "AND")


@pytest.mark.requirement("filter/logical-or")
def test_filter_logical_or(crawl, top_collection):
    records = ground_truth(crawl, top_collection)
    field = text_field(records)
    if field is None:
        not_applicable("no text field with distinct values to filter on")
    values = sorted(set(_values(records, field)))
    ast = Logical("OR", (Clause(field, "=", values[0]), Clause(field, "=", values[-1])))
    _run(crawl, top_collection, records, ast, "OR")


@pytest.mark.requirement("filter/case-insensitive")
def test_filter_case_insensitive(crawl, top_collection):
    records = ground_truth(crawl, top_collection)
    field = text_field(records)
    candidates = [v for v in _values(records, field or "") if v.swapcase() != v] if field else []
    if not candidates:
        not_applicable("no value with letters to change the case of")
    value = middle(candidates)
    _run(crawl, top_collection, records, Clause(field, "=", value.swapcase()), "case changed")


@pytest.mark.requirement("filter/dot-notation")
def test_filter_dot_notation(crawl, top_collection):
    records = ground_truth(crawl, top_collection)
    path = ref_field(records)
    if path is None:
        not_applicable("no sub-object to filter into")
    key = path.split(".")[0]
    value = middle([r[key]["sourcedId"] for r in records if isinstance(r.get(key), dict) and "sourcedId" in r[key]])
    _run(crawl, top_collection, records, Clause(path, "=", value), "dot notation")


@pytest.mark.requirement("filter/array-semantics")
@pytest.mark.parametrize("predicate", ["=", "~"], ids=["equals-and", "contains-or"])
def test_filter_array_semantics(crawl, top_collection, predicate):
    records = ground_truth(crawl, top_collection)
    field = array_field(records)
    if field is None:
        not_applicable("no array field with values")
    arrays = [r[field] for r in records if isinstance(r.get(field), list) and len(r[field]) >= 2]
    if not arrays:
        arrays = [r[field] for r in records if isinstance(r.get(field), list) and r[field]]
    sample = middle([",".join(a) for a in arrays]).split(",")
    if predicate == "=":
        value = sample[0] if len(sample) == 1 else f"{sample[0]},{sample[1]}"
    else:
        others = sorted({x for a in arrays for x in a} - set(sample))
        value = f"{sample[-1]},{others[0]}" if others else sample[-1]
    _run(crawl, top_collection, records, Clause(field, predicate, value), f"array {predicate}")


@pytest.mark.requirement("filter/delta-sync")
@pytest.mark.parametrize("predicate", [">", ">="], ids=["after", "at-or-after"])
def test_filter_delta_sync(crawl, top_collection, predicate):
    records = ground_truth(crawl, top_collection)
    stamps = sorted({r["dateLastModified"] for r in records if isinstance(r.get("dateLastModified"), str)})
    if len(stamps) < 2:
        not_applicable("every record has the same dateLastModified: a delta cannot be told from the whole")
    # A pivot inside a day that has several modification times: a provider comparing dates only,
    # or strings of another form, is then caught (docs/provider-defects.md#delta-sync).
    by_day: dict[str, list[str]] = {}
    for stamp in stamps:
        by_day.setdefault(stamp[:10], []).append(stamp)
    busy = max(by_day.values(), key=len)
    # '>' pivots on the day's first time (its later ones must come), '>=' on its last (earlier ones must not)
    edge = busy[0] if predicate == ">" else busy[-1]
    pivot = edge if len(busy) > 1 else stamps[len(stamps) // 2]
    _run(crawl, top_collection, records, Clause("dateLastModified", predicate, pivot), "delta sync")


@pytest.mark.requirement("filter/invalid-field")
def test_filter_invalid_field(harness, client, top_collection):
    require_working(harness, top_collection)
    reply = client.once("GET", top_collection.path, {"filter": "oneRosterConformanceNoSuchField='x'"})
    assert_status_info(reply, BAD_QUERY_STATUSES, "invalid_filter_field")  # 400, or 422: see accepted.py
