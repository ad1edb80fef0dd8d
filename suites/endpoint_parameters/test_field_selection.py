"""Using the Endpoint Parameters › Field Selection (a section the spec heads NOT NORMATIVE)."""

import pytest
from query_support import ground_truth, listing, page_records, schema_fields, text_field

from oneroster_conformance.accepted import BAD_QUERY_STATUSES
from oneroster_conformance.checks import (
    assert_status,
    assert_status_info,
    expect,
    fail,
    not_applicable,
    observe,
    require_working,
)
from oneroster_conformance.query.projection import projection_violations


def _selected(harness, crawl, op, fields: str):
    records = ground_truth(crawl, op)
    reply = harness.client.get(op.path, {"fields": fields, "limit": 100})
    assert_status(reply, 200, f"fields={fields}")
    rows = page_records(reply, op)
    if rows is None:
        fail(f"fields={fields} answered no '{op.wrapper}' array", expected=op.wrapper)
    return {r["sourcedId"]: r for r in records}, rows


def _judge(harness, op, full, rows, requested, what):
    known = schema_fields(op, harness.binding)
    problems = []
    for row in rows:
        source = full.get(row.get("sourcedId")) if "sourcedId" in row else None
        if source is None:
            source = next((f for f in full.values() if all(f.get(k) == v for k, v in row.items())), None)
        if source is None:
            continue
        problems += [f"{row.get('sourcedId', '?')}: {p}" for p in
                     projection_violations(row, source, requested, known)]
    expect(not problems, f"{what}: {listing(problems)}", expected=f"fields {requested}", actual=listing(problems))


@pytest.mark.requirement("fields/subset")
def test_fields_subset(harness, crawl, top_collection):
    records = ground_truth(crawl, top_collection)
    second = text_field(records, distinct=1) or "status"
    requested = ["sourcedId", second]
    full, rows = _selected(harness, crawl, top_collection, ",".join(requested))
    _judge(harness, top_collection, full, rows, requested, f"fields={','.join(requested)}")


@pytest.mark.requirement("fields/unknown-field")
@pytest.mark.in_turn("kind", ["unknown-only", "mixed"])  # both meet every service, not every collection
def test_fields_unknown_field(harness, crawl, top_collection, kind):
    requested = ["oneRosterConformanceNoSuchField"] if kind == "unknown-only" else \
        ["sourcedId", "oneRosterConformanceNoSuchField"]
    records = ground_truth(crawl, top_collection)
    reply = harness.client.get(top_collection.path, {"fields": ",".join(requested), "limit": 100})
    if reply.status == 400:
        fail(f"fields={','.join(requested)} answered 400; the spec returns all data for a non-existent field",
             expected="200 with data", actual=400)
    assert_status(reply, 200)
    rows = page_records(reply, top_collection) or []
    if not rows:
        not_applicable("no records came back to judge")
    full = {r["sourcedId"]: r for r in records}
    _judge(harness, top_collection, full, rows, requested, f"fields={','.join(requested)}")
    if kind == "mixed":
        observe("all fields" if len(rows[0]) > 1 else "only the known fields")


BLANKS = {"empty": "", "double-comma": "sourcedId,,status", "trailing-comma": "sourcedId,",
          "leading-comma": ",sourcedId"}


@pytest.mark.requirement("fields/blank-field")
@pytest.mark.parametrize("case", sorted(BLANKS))
def test_fields_blank_field(harness, case):
    op = next(o for o in harness.operations if o.operation_id == "getAllUsers")
    require_working(harness, op)  # a refused /users (credentials without that permission) says nothing here
    reply = harness.client.once("GET", op.path, {"fields": BLANKS[case]})
    assert_status_info(reply, BAD_QUERY_STATUSES, "invalid_selection_field")  # 400, or 422: see accepted.py
