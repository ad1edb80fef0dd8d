"""Edge cases as data: every row of suites/endpoint_parameters/cases/*.yaml is one check."""

from pathlib import Path

import pytest
from query_support import assert_filter_matches, ground_truth, listing, page_records

from oneroster_conformance.accepted import BAD_QUERY_STATUSES
from oneroster_conformance.checks import answered, assert_status_info, expect, fail, require_working
from oneroster_conformance.query.filter import FilterSyntaxError, parse_filter
from oneroster_conformance.resources import load_yaml

CASES_DIR = Path(__file__).parent / "cases"


def _rows():
    rows = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for row in load_yaml(path) or []:
            rows.append(pytest.param(row, id=row["id"], marks=pytest.mark.requirement(row["requirement"])))
    return rows


@pytest.mark.parametrize("row", _rows())
def test_case(harness, crawl, row):
    op = next(o for o in harness.operations if o.operation_id == row["operation"])
    require_working(harness, op)
    want = row["expect"]
    reply = harness.client.get(op.path, row.get("query") or {})
    answered(reply)
    if (reply.status or 0) >= 500:
        fail(f"{row['id']}: answered {reply.status}", expected="never a 5xx", actual=reply.status)
    allowed = want["status"] if isinstance(want["status"], list) else [want["status"]]
    if 400 in allowed:  # a refused query may be 400 or 422 (accepted.BAD_QUERY_STATUSES)
        allowed = sorted(set(allowed) | BAD_QUERY_STATUSES)
    expect(reply.status in allowed, f"{row['id']}: answered {reply.status}", expected=" or ".join(map(str, allowed)),
           actual=reply.status)
    if reply.status >= 400:
        assert_status_info(reply, reply.status, want.get("code_minor"))
        return
    rows = page_records(reply, op)
    if rows is None:
        fail(f"{row['id']}: no '{op.wrapper}' array", expected=op.wrapper)
    if "max_records" in want:
        expect(len(rows) <= want["max_records"], f"{row['id']}: returned {len(rows)} records",
               expected=f"at most {want['max_records']}", actual=len(rows))
    if want.get("oracle"):
        records = ground_truth(crawl, op)
        try:
            ast = parse_filter(row["query"]["filter"])
        except FilterSyntaxError:
            return
        assert_filter_matches(crawl, op, records, ast, row["id"])
    if want.get("all_fields"):
        full = {r["sourcedId"]: r for r in ground_truth(crawl, op)}
        short = [r.get("sourcedId") for r in rows
                 if r.get("sourcedId") not in full or set(r) != set(full[r["sourcedId"]])]
        expect(not short, f"{row['id']}: records came back without all their fields: {listing(short)}",
               expected="all data for each record", actual=listing(short))
