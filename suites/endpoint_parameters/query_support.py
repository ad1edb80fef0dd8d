"""Shared helpers for the endpoint-parameter suites: ground truth from the crawl, walks, picks."""

from __future__ import annotations

from oneroster_conformance.checks import fail, not_applicable
from oneroster_conformance.client import evidence
from oneroster_conformance.text import first_n

SHOWN = 5


def ground_truth(crawl, op, paging: bool = False) -> list[dict]:
    """Every record of a top-level collection, read once by the crawl; n/a when that was not possible.

    ``paging``: the caller is a pagination check, which owns offset problems and must see them."""
    data = crawl.collection(op.operation_id)
    if data.first is not None:
        evidence.record(data.first.exchange)
    if data.error:
        not_applicable(f"{op.operation_id} could not be read completely ({data.error}); judged elsewhere")
    if data.paging_problem and paging and data.problem_reply is not None:
        evidence.record(data.problem_reply.exchange)  # the page where the walk went wrong, after the first
    if data.paging_problem and paging and not data.ended_by_error:
        fail(f"{op.operation_id} cannot be paged: {data.paging_problem}", expected="each offset moves the window",
             actual=data.paging_problem)
    if data.truncated:
        why = data.paging_problem or "the sample sweep read only part of this collection: run with --sweep full"
        not_applicable(f"the whole collection could not be read ({why})")
    records = [r for r in data.records if isinstance(r, dict) and isinstance(r.get("sourcedId"), str)]
    if not records:
        not_applicable(f"{op.operation_id} holds no records")
    return records


def page_records(reply, op) -> list[dict] | None:
    body = reply.json_or_none()
    rows = body.get(op.wrapper) if isinstance(body, dict) else None
    if rows is None and body == {}:
        return []
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else None


def ids(records) -> list[str]:
    return [r.get("sourcedId") for r in records]


def listing(items) -> str:
    return first_n(list(items), SHOWN)


def total_header(reply) -> int | None:
    value = reply.header("x-total-count")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


TEXT_FIELDS = ("familyName", "name", "title", "givenName", "role", "sex", "classCode", "courseCode", "status")
ARRAY_FIELDS = ("grades", "subjects", "periods", "subjectCodes")


def text_field(records, distinct: int = 2) -> str | None:
    for f in TEXT_FIELDS:
        values = {r.get(f) for r in records if isinstance(r.get(f), str) and r.get(f)}
        if len(values) >= distinct:
            return f
    return None


def ref_field(records) -> str | None:
    """A dot-notation path into a GUIDRef sub-object, e.g. school.sourcedId."""
    for key in ("school", "course", "org", "class", "user", "parent", "primaryOrg", "schoolYear"):
        if sum(isinstance(r.get(key), dict) and "sourcedId" in r[key] for r in records) >= 1:
            return f"{key}.sourcedId"
    return None


def array_field(records) -> str | None:
    for f in ARRAY_FIELDS:
        if any(isinstance(r.get(f), list) and len(r[f]) >= 1 and all(isinstance(x, str) for x in r[f])
               for r in records):
            return f
    return None


def middle(values: list):
    values = sorted(values, key=str)
    return values[len(values) // 2] if values else None


def schema_fields(op, binding: str) -> set[str]:
    """The property names a record of this operation may carry, read from its JSON Schema."""
    from oneroster_conformance.spec import schemas

    s = schemas.schema(op.response_schema, binding)
    wrapper = next(iter(s["properties"].values()))
    item = wrapper.get("items", wrapper)
    name = item.get("$ref", "").rsplit("/", 1)[-1]
    return set((s.get("$defs", {}).get(name) or item).get("properties", {}))


def assert_filter_matches(crawl, op, records, ast, what: str) -> list[str]:
    """Walk the filtered collection and compare it with the oracle's bounds (must ⊆ answer ⊆ may)."""
    from oneroster_conformance.checks import expect
    from oneroster_conformance.query.evaluate import select
    from oneroster_conformance.query.filter import format_filter

    text = format_filter(ast)
    walked = crawl.walk(op.path, op.wrapper, params={"filter": text}, max_records=len(records) + 200)
    if walked.error:
        fail(f"filter={text} could not be read: {walked.error}", expected="200 with the matching records",
             actual=walked.error)
    got = walked.ids
    sel = select(records, ast)
    missing, unexpected = sorted(sel.missing(got)), sorted(sel.unexpected(got))
    expect(not missing and not unexpected,
           f"{what}: filter={text} returned {len(got)} record(s)"
           + (f"; missing {len(missing)} that match: {listing(missing)}" if missing else "")
           + (f"; {len(unexpected)} that do not match: {listing(unexpected)}" if unexpected else ""),
           expected=f"{len(sel.must)} record(s)" + (f" (up to {len(sel.may)} under another reading)"
                                                   if sel.may != sel.must else ""),
           actual=f"{len(got)} record(s)")
    return got
