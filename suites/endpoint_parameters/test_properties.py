"""Property-based query variants (hypothesis): metamorphic relations checked on the provider.

Strategies draw filters, sorts, field lists and page windows from the crawled data itself, so
results are usually non-empty. Runs are reproducible: the default profile 'certification' is
derandomized (fixed seed) with a bounded number of examples; 'quick' and 'thorough' are the other
profiles (--hypothesis-profile). A failing example is shrunk and its requests (with curl lines)
are the evidence.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from query_support import assert_filter_matches, ground_truth, ids, listing, page_records, schema_fields

from oneroster_conformance.checks import assert_status, expect, fail
from oneroster_conformance.query.filter import Clause, Logical, format_filter
from oneroster_conformance.query.projection import projection_violations
from oneroster_conformance.query.strategies import clauses, field_lists, windows

SUBJECT = "getAllUsers"  # the richest collection: nested roles, arrays, Unicode names
FILTER_FIELDS = ("sourcedId", "status", "dateLastModified", "givenName", "familyName", "enabledUser", "grades",
                 "username", "email", "primaryOrg", "roles")


_STRATEGIES: dict[tuple, tuple] = {}


def _clauses(records, fields):
    """The clause strategy over these records, built once: its pool of values costs far more than a
    draw, and every example of every property would otherwise build it again."""
    key = (id(records), tuple(fields))
    if key not in _STRATEGIES:
        _STRATEGIES[key] = (records, clauses(records, fields))  # the records are kept: the id stays theirs
    return _STRATEGIES[key][1]


@pytest.fixture(scope="module")
def users(harness, crawl):
    op = next(o for o in harness.operations if o.operation_id == SUBJECT)
    return op, ground_truth(crawl, op)


def _filtered(crawl, op, ast, records) -> list[str]:
    text = format_filter(ast)
    walked = crawl.walk(op.path, op.wrapper, params={"filter": text}, max_records=len(records) + 200)
    if walked.error:
        fail(f"filter={text} could not be read: {walked.error}", actual=walked.error)
    return walked.ids


@pytest.mark.requirement("filter/predicates")
@given(data=st.data())
def test_property_filter_matches_oracle(crawl, users, data):
    op, records = users
    assert_filter_matches(crawl, op, records, data.draw(_clauses(records, FILTER_FIELDS), label="filter"), "drawn")


def _two_clauses(crawl, users, data, logical: str) -> None:
    op, records = users
    a = data.draw(_clauses(records, FILTER_FIELDS), label="A")
    b = data.draw(_clauses(records, FILTER_FIELDS), label="B")
    got = set(assert_filter_matches(crawl, op, records, Logical(logical, (a, b)), logical))
    outside = got - {r["sourcedId"] for r in records}
    expect(not outside, f"A {logical} B returned records outside the unfiltered collection: {listing(sorted(outside))}",
           expected="a subset of the collection", actual=listing(sorted(outside)))


@pytest.mark.requirement("filter/logical-and")
@given(data=st.data())
def test_property_and_within_each(crawl, users, data):
    _two_clauses(crawl, users, data, "AND")


@pytest.mark.requirement("filter/logical-or")
@given(data=st.data())
def test_property_or_is_union(crawl, users, data):
    _two_clauses(crawl, users, data, "OR")


@pytest.mark.requirement("filter/case-insensitive")
@given(data=st.data())
def test_property_case_change_keeps_result(crawl, users, data):
    op, records = users
    clause = data.draw(_clauses(records, ("givenName", "familyName", "username", "email")).filter(
        lambda f: f.op in ("=", "~") and f.value.swapcase() != f.value), label="filter")
    flipped = Clause(clause.field, clause.op, clause.value.swapcase())
    first, second = set(_filtered(crawl, op, clause, records)), set(_filtered(crawl, op, flipped, records))
    expect(first == second, f"filter={format_filter(clause)} and filter={format_filter(flipped)} differ",
           expected="the same records", actual=f"{len(first)} vs {len(second)} records")


@pytest.mark.requirement("pagination/window")
@given(data=st.data())
def test_property_windows_are_slices(harness, users, data):
    op, records = users
    truth = ids(records)
    limit, offset = data.draw(windows(len(truth)), label="window")
    reply = harness.client.get(op.path, {"limit": limit, "offset": offset})
    assert_status(reply, 200, f"limit={limit}&offset={offset}")
    rows = page_records(reply, op) or []
    want = truth[offset:offset + limit]
    if 0 < len(rows) < len(want):
        want = want[:len(rows)]  # a page-size cap: whether it is announced is pagination/no-silent-cap's call
    expect(ids(rows) == want, f"limit={limit}&offset={offset} returned {listing(ids(rows))}",
           expected=listing(want), actual=listing(ids(rows)))


@pytest.mark.requirement("fields/subset")
@given(data=st.data())
def test_property_fields_is_a_projection(harness, users, data):
    op, records = users
    known = sorted(schema_fields(op, harness.binding))
    # known names only: how unknown names are answered is fields/unknown-field's rule
    requested = data.draw(field_lists(known).map(lambda names: [n for n in names if n in known]).filter(bool),
                          label="fields")
    # once: hypothesis may draw the same list twice, and the same request would get the same answer
    reply = harness.client.once("GET", op.path, {"fields": ",".join(requested), "limit": 100})
    assert_status(reply, 200, f"fields={','.join(requested)}")
    full = {r["sourcedId"]: r for r in records}
    problems = []
    for row in page_records(reply, op) or []:
        source = full.get(row.get("sourcedId"))
        if source is not None:
            problems += projection_violations(row, source, requested, set(known))
    expect(not problems, f"fields={','.join(requested)}: {listing(problems)}", expected="a projection",
           actual=listing(problems))
