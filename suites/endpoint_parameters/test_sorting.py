"""Using the Endpoint Parameters › Sorting (a section the spec heads NOT NORMATIVE).

Order is judged by the oracle's collation (UCA 9.0 and 10.0 via pyuca, case-insensitive; dates
chronologically): a pair of neighbours is wrong only when every accepted reading orders them the
other way (spec reading collation-version), so ties, case and accent levels are never held against a provider.
"""

import pytest
from query_support import ground_truth, listing, ref_field, text_field

from oneroster_conformance.checks import answered, expect, fail, not_applicable, observe, require_working
from oneroster_conformance.client.redaction import REDACTOR
from oneroster_conformance.query.sort import is_bytewise_order_distinguishable, sort_violations


def _sorted_walk(crawl, op, records, field, order):
    params = {"sort": field} | ({"orderBy": order} if order else {})
    walked = crawl.walk(op.path, op.wrapper, params=params, max_records=len(records) + 200)
    if walked.error:
        fail(f"sort={field}{'&orderBy=' + order if order else ''} could not be read: {walked.error}",
             expected="200 with the sorted collection", actual=walked.error)
    return [r for r in walked.records if isinstance(r, dict)]


def _quoted(v, field) -> str:
    """The violation in words; a personal field's values as their pseudonyms in redacted evidence."""
    return REDACTOR.quote_values(field, str(v), [v.first_value, v.second_value])


def _judge(rows, field, order, what):
    desc = {"asc": False, "desc": True, None: None}[order]
    bad = sort_violations(rows, field, desc)
    expect(not bad, f"{what}: sort={field}{'&orderBy=' + order if order else ''} is out of order at "
           f"{len(bad)} place(s): {listing(_quoted(v, field) for v in bad)}",
           expected=f"{order or 'asc or desc'} by {field}",
           actual=listing(f"{v.first_id}>{v.second_id}" for v in bad))


@pytest.mark.requirement("sort/order")
def test_sort_order(crawl, top_collection):
    records = ground_truth(crawl, top_collection)
    if len({r.get("dateLastModified") for r in records}) < 2:
        not_applicable("all records share one dateLastModified")
    rows = _sorted_walk(crawl, top_collection, records, "dateLastModified", None)
    _judge(rows, "dateLastModified", None, "sort without orderBy")


@pytest.mark.requirement("sort/order-by")
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sort_order_by(crawl, top_collection, order):
    records = ground_truth(crawl, top_collection)
    if len({r.get("dateLastModified") for r in records}) < 2:
        not_applicable("all records share one dateLastModified")
    rows = _sorted_walk(crawl, top_collection, records, "dateLastModified", order)
    _judge(rows, "dateLastModified", order, f"orderBy={order}")


@pytest.mark.requirement("sort/collation")
def test_sort_collation(crawl, top_collection):
    records = ground_truth(crawl, top_collection)
    field = text_field(records)
    values = [r.get(field) for r in records] if field else []
    if not field or not is_bytewise_order_distinguishable(values):
        not_applicable("no field whose Unicode collation differs from byte order in this data")
    rows = _sorted_walk(crawl, top_collection, records, field, "asc")
    _judge(rows, field, "asc", "Unicode collation")


@pytest.mark.requirement("sort/dot-notation")
def test_sort_dot_notation(crawl, top_collection):
    records = ground_truth(crawl, top_collection)
    path = ref_field(records)
    if path is None:
        not_applicable("no sub-object to sort on")
    key = path.split(".")[0]
    if len({(r.get(key) or {}).get("sourcedId") for r in records if isinstance(r.get(key), dict)}) < 2:
        not_applicable(f"every record has the same {path}")
    rows = _sorted_walk(crawl, top_collection, records, path, "asc")
    _judge(rows, path, "asc", "dot notation")


@pytest.mark.requirement("sort/unknown-field")
def test_sort_unknown_field(harness, client, top_collection):
    require_working(harness, top_collection)
    reply = client.get(top_collection.path, {"sort": "oneRosterConformanceNoSuchField"})
    answered(reply)
    if reply.status == 200:
        observe("an unknown sort field is answered in the default order")
    elif 400 <= (reply.status or 0) < 500:
        observe(f"an unknown sort field is answered with {reply.status}")
    else:
        fail(f"sort on an unknown field answered {reply.status}", expected="200 (default order) or a 4xx error",
             actual=reply.status)
