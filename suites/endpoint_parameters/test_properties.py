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

from oneroster_conformance.checks import assert_status, expect, fail, not_applicable
from oneroster_conformance.query.evaluate import select
from oneroster_conformance.query.filter import Clause, Logical, format_filter
from oneroster_conformance.query.projection import projection_violations
from oneroster_conformance.query.strategies import clauses, field_lists, windows

SUBJECT = "getAllUsers"  # the richest collection: nested roles, arrays, Unicode names
FILTER_FIELDS = ("sourcedId", "status", "dateLastModified", "givenName", "familyName", "enabledUser", "grades",
                 "username", "email", "primaryOrg", "roles")
# Each subject: (fields the filters draw from, text fields whose case is flipped). Results are the
# Gradebook's richest collection (numbers, dates, Unicode comments, references into Rostering).
SUBJECTS = {
    SUBJECT: (FILTER_FIELDS, ("givenName", "familyName", "username", "email")),
    "getAllResults": (("sourcedId", "status", "dateLastModified", "scoreStatus", "scoreDate", "score", "comment",
                       "lineItem", "student", "class"), ("comment", "scoreStatus")),
}


_STRATEGIES: dict[tuple, tuple] = {}


def _clauses(records, fields):
    """The clause strategy over these records, built once: its pool of values costs far more than a
    draw, and every example of every property would otherwise build it again."""
    key = (id(records), tuple(fields))
    if key not in _STRATEGIES:
        _STRATEGIES[key] = (records, clauses(records, fields))  # the records are kept: the id stays theirs
    return _STRATEGIES[key][1]


@pytest.fixture(scope="module", params=sorted(SUBJECTS))
def subject(harness, crawl, request):
    op = next((o for o in harness.operations if o.operation_id == request.param), None)
    if op is None:
        not_applicable(f"{request.param} is not checked on this provider (its service profile is not offered)")
    fields, texts = SUBJECTS[request.param]
    return op, ground_truth(crawl, op), fields, texts


def _filtered(crawl, op, ast, records) -> list[str]:
    text = format_filter(ast)
    walked = crawl.walk(op.path, op.wrapper, params={"filter": text}, max_records=len(records) + 200)
    if walked.error:
        fail(f"filter={text} could not be read: {walked.error}", actual=walked.error)
    return walked.ids


@pytest.mark.requirement("filter/predicates")
@given(data=st.data())
def test_property_filter_matches_oracle(crawl, subject, data):
    op, records, fields, texts = subject
    assert_filter_matches(crawl, op, records, data.draw(_clauses(records, fields), label="filter"), "drawn")


def _two_clauses(crawl, subject, data, logical: str) -> None:
    op, records, fields, texts = subject
    a = data.draw(_clauses(records, fields), label="A")
    b = data.draw(_clauses(records, fields), label="B")
    got = set(assert_filter_matches(crawl, op, records, Logical(logical, (a, b)), logical))
    outside = got - {r["sourcedId"] for r in records}
    expect(not outside, f"A {logical} B returned records outside the unfiltered collection: {listing(sorted(outside))}",
           expected="a subset of the collection", actual=listing(sorted(outside)))


@pytest.mark.requirement("filter/logical-and")
@given(data=st.data())
def test_property_and_within_each(crawl, subject, data):
    _two_clauses(crawl, subject, data, "AND")


@pytest.mark.requirement("filter/logical-or")
@given(data=st.data())
def test_property_or_is_union(crawl, subject, data):
    _two_clauses(crawl, subject, data, "OR")


def _flips(value: str) -> bool:
    """Whether swapping the case of the value gives the same text under every case-insensitive reading:
    not 'ı' (its upper case 'I' folds to 'i') nor 'ß' (upper 'SS', lower 'ss'), whose swap changes the text."""
    flipped = value.swapcase()
    return flipped != value and flipped.casefold() == value.casefold() and flipped.lower() == value.lower()


@pytest.mark.requirement("filter/case-insensitive")
@given(data=st.data())
def test_property_case_change_keeps_result(crawl, subject, data):
    op, records, fields, texts = subject
    clause = data.draw(_clauses(records, texts).filter(lambda f: f.op in ("=", "~") and _flips(f.value)),
                       label="filter")
    flipped = Clause(clause.field, clause.op, clause.value.swapcase())
    second = set(_filtered(crawl, op, flipped, records))
    if select(records, clause).accepts(second):
        return  # the changed case answered what the unchanged clause matches: the rule met in its own terms
    # Otherwise judged against the provider's own answer to the unchanged clause, so that a predicate
    # it gets wrong either way is not called a case problem (filter/predicates judges that).
    first = set(_filtered(crawl, op, clause, records))
    expect(first == second, f"filter={format_filter(clause)} and filter={format_filter(flipped)} differ",
           expected="the same records", actual=f"{len(first)} vs {len(second)} records")


@pytest.mark.requirement("pagination/window")
@given(data=st.data())
def test_property_windows_are_slices(harness, subject, data):
    op, records, fields, texts = subject
    truth = ids(records)
    limit, offset = data.draw(windows(len(truth)), label="window")
    # once: distinct draws can name the same window, and the same request would get the same answer
    reply = harness.client.once("GET", op.path, {"limit": limit, "offset": offset})
    assert_status(reply, 200, f"limit={limit}&offset={offset}")
    rows = page_records(reply, op) or []
    want = truth[offset:offset + limit]
    if 0 < len(rows) < len(want):
        want = want[:len(rows)]  # a page-size cap: whether it is announced is pagination/no-silent-cap's call
    expect(ids(rows) == want, f"limit={limit}&offset={offset} returned {listing(ids(rows))}",
           expected=listing(want), actual=listing(ids(rows)))


@pytest.mark.requirement("fields/subset")
@given(data=st.data())
def test_property_fields_is_a_projection(harness, subject, data):
    op, records, fields, texts = subject
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
