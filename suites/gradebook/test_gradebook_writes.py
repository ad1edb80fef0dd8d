"""Gradebook service › writes: every PUT, POST and DELETE of the Gradebook pull and Assessment Results
profiles, on records the harness creates itself (sourcedIds orc-test-<run id>-...).

Opt-in against a real provider (--allow-writes; always on against the embedded one); --plan-writes lists
the writes without sending them. Each write is journalled before it is sent and everything created is
deleted when the run ends (docs/writes.md). Each check's evidence holds the write (its body in the curl
line, redacted like everything else) and the read-back that judges it.
"""

import contextlib
import functools

import pytest

from oneroster_conformance.checks import (
    answered,
    assert_status,
    assert_status_info,
    body_of,
    expect,
    fail,
    not_applicable,
    observe,
)
from oneroster_conformance.client.redaction import REDACTOR
from oneroster_conformance.spec import schemas
from oneroster_conformance.spec.operations import SCOPE_PREFIX, OperationId
from oneroster_conformance.text import first_n
from oneroster_conformance.writes import records
from oneroster_conformance.writes.flow import base, fresh, ok
from oneroster_conformance.writes.readback import differences, same
from oneroster_conformance.writes.session import WriteUnavailable, collection_of, pairs, wrapped

OPS = {op.operation_id: op for op in records.write_operations()}
PUTS = [OperationId(o) for o, op in sorted(OPS.items()) if op.method == "PUT"]
POSTS = [OperationId(o) for o, op in sorted(OPS.items()) if op.method == "POST"]
DELETES = [OperationId(o) for o, op in sorted(OPS.items()) if op.method == "DELETE"]
# The field a second PUT changes: a required one (a provider keeps at least those); else the title.
UPDATED = {"results": ("scoreStatus", "partially graded"), "assessmentResults": ("scoreStatus", "partially graded")}
CREATED = (200, 201)
REFUSED_SCOPE = (401, 403)
REFUSED_BODY = (400, 422)
REFUSED_REFERENCE = (400, 404, 422)


def write_check(fn):
    """Not applicable while writes are off; under --plan-writes the check walks its flow against the
    stand-in (every write listed, none sent) and ends not applicable, saying how many it listed."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        writer = kwargs["writer"]
        if writer.off_reason:
            not_applicable(writer.off_reason)
        if not writer.plan:
            try:
                return fn(*args, **kwargs)
            except WriteUnavailable as e:
                not_applicable(str(e))
        before = len(writer.planned)
        with contextlib.suppress(Exception):  # the stand-in is no provider: only the list of writes counts
            fn(*args, **kwargs)
        not_applicable(f"--plan-writes: {len(writer.planned) - before} write(s) listed, none sent")

    return run


def _profile(harness, op) -> None:
    unit = "assessment-results" if op.path.startswith("/assessment") else "gradebook-pull"
    if not harness.checks(unit):
        offer = harness.offers.get(unit)
        not_applicable(f"the {unit} profile is not offered by this provider: {offer.evidence if offer else ''}")


def _setup(harness, writer, operation_id):
    """(operation, the shared base records, the collection it writes)."""
    op = OPS[operation_id]
    _profile(harness, op)
    return op, base(harness, writer), collection_of(op.path)


def _read(writer, collection: str, sid: str):
    """GET the record (its exchange is evidence): (reply, record or None)."""
    reply = writer.get(f"/{collection}/{sid}")
    answered(reply)
    return reply, wrapped(reply, records.WRAPPER[collection])


def _absent(writer, collection: str, sid: str, after: str) -> None:
    reply, record = _read(writer, collection, sid)
    expect(reply.status == 404, f"after {after}, GET /{collection}/{sid} answered {reply.status}: the write was "
           "refused but a record exists", expected="404 (nothing created)", actual=reply.status)


def _created(reply, what: str) -> None:
    assert_status(reply, CREATED, what)
    if reply.status == 200:
        observe(f"{reply.method} answered 200 to a new record (the OpenAPI lists 201)")


def _refusal_body(reply, allowed: tuple[int, ...]) -> None:
    """A refusal with one of ``allowed`` and, for a refused body (400 / 422), the imsx_StatusInfo the write
    operations list; a 404's body is the unknown-object rule's (errors/unknown-object), its status is judged here."""
    if reply.status == 404:
        assert_status(reply, allowed, "the refused write")
        return
    assert_status_info(reply, tuple(s for s in allowed if s != 404))


def _put_new(writer, b, collection: str, what: str) -> dict:
    """PUT a fresh record as the ground a check builds on; not applicable when it cannot be made."""
    record = fresh(writer, b, collection)
    reply = writer.put(collection, record)
    if not ok(reply):
        not_applicable(f"{what}: the record to build on could not be created ({reply.method} answered "
                       f"{reply.status or reply.error}; judged by gradebook-write/put-reads-back)")
    return record


# ---------------------------------------------------------------- PUT
@pytest.mark.requirement("gradebook-write/put-reads-back")
@pytest.mark.parametrize("operation_id", PUTS, ids=str)
@write_check
def test_put_reads_back(harness, writer, operation_id):
    op, b, collection = _setup(harness, writer, operation_id)
    record = fresh(writer, b, collection)
    reply = writer.put(collection, record)
    _created(reply, f"PUT of a new {records.WRAPPER[collection]} under the client's sourcedId")
    back, got = _read(writer, collection, record["sourcedId"])
    assert_status(back, 200, "the record just PUT, read back under the client's sourcedId")
    diffs = differences(record, got)
    expect(not diffs, f"the {records.WRAPPER[collection]} read back differs from what was PUT: "
           f"{first_n(diffs, 4, '; ')}", expected=REDACTOR.body(_json(record)),
           actual=REDACTOR.body(_json(got)))


@pytest.mark.requirement("gradebook-write/put-updates")
@pytest.mark.parametrize("operation_id", PUTS, ids=str)
@write_check
def test_put_updates(harness, writer, operation_id):
    op, b, collection = _setup(harness, writer, operation_id)
    record = _put_new(writer, b, collection, "the update check")
    field, value = UPDATED.get(collection, ("title", f"{record.get('title')} (updated)"))
    changed = {**record, field: value, "dateLastModified": records.now()}
    reply = writer.put(collection, changed)
    assert_status(reply, (200, 201, 204), "a second PUT to the same sourcedId")
    back, got = _read(writer, collection, record["sourcedId"])
    assert_status(back, 200, "the updated record, read back")
    expect(isinstance(got, dict) and same(value, got.get(field)), f"after the second PUT, {field} reads back "
           f"{(got or {}).get(field)!r}, not the updated {value!r}", expected=value,
           actual=(got or {}).get(field))
    listing = writer.get(f"/{collection}", {"filter": f"sourcedId='{record['sourcedId']}'"})
    answered(listing)
    found = wrapped(listing, collection)
    if not isinstance(found, list):
        observe(f"GET /{collection}?filter=sourcedId='…' answered {listing.status}: the copies were not counted")
        return
    copies = [r for r in found if isinstance(r, dict) and r.get("sourcedId") == record["sourcedId"]]
    expect(len(copies) == 1, f"after two PUTs to one sourcedId, /{collection} holds {len(copies)} records with it",
           expected="1 record", actual=f"{len(copies)} records")


# ---------------------------------------------------------------- POST
def _parent_ids(op, b) -> dict[str, str]:
    box = b.sandbox
    ids = {"classSourcedId": box.class_id, "schoolSourcedId": box.school_id, "lineItemSourcedId": b.line_item}
    if "academicSessionSourcedId" in op.path_params:
        if box.term_id is None:
            not_applicable(f"the class {box.class_id} names no term to post results under")
        ids["academicSessionSourcedId"] = box.term_id
    return {k: v for k, v in ids.items() if k in op.path_params}


def _posted(harness, writer, op, b):
    """The POST of two fresh records to ``op``'s path, sent once and judged by post-pairs and nested-parent."""

    def send():
        path = op.url_path(**_parent_ids(op, b))
        collection = collection_of(op.path)
        made = [fresh(writer, b, collection, student=i) for i in range(2)]
        if "classSourcedId" in op.path_params and collection == "results":
            for r in made:
                r["class"] = writer.roots.ref("class", b.sandbox.class_id)
        return path, collection, made, writer.post(path, made)

    return harness.once(("writes-post", writer.run_id, op.operation_id), send)


@pytest.mark.requirement("gradebook-write/post-pairs")
@pytest.mark.parametrize("operation_id", POSTS, ids=str)
@write_check
def test_post_pairs(harness, writer, operation_id):
    op, b, _ = _setup(harness, writer, operation_id)
    path, collection, made, reply = _posted(harness, writer, op, b)
    answered(reply)
    _created(reply, f"POST of {len(made)} {collection} to {path}")
    body = body_of(reply)
    found = schemas.issues("GUIDPairSetDType", body)
    expect(not found, f"the POST's answer is not a GUIDPairSet: {first_n(found, 3, '; ')}",
           expected="{'sourcedIdPairs': [{suppliedSourcedId, allocatedSourcedId}, ...]}",
           actual=reply.content[:200].decode("utf-8", "replace"))
    mapping, _ = pairs(reply)
    missing = [r["sourcedId"] for r in made if r["sourcedId"] not in mapping]
    expect(not missing, f"the POST answered no sourcedId pair for {len(missing)} of the {len(made)} records it was "
           "sent", expected="a pair per supplied sourcedId", actual=f"pairs for {sorted(mapping)}")
    for supplied in (r["sourcedId"] for r in made):
        allocated = mapping[supplied]
        if allocated == supplied:
            observe("the POST kept the supplied sourcedIds as the allocated ones")
        back, _ = _read(writer, collection, allocated)
        expect(back.status == 200, f"the allocated sourcedId {allocated} (supplied {supplied}) does not read back: "
               f"GET answered {back.status}", expected=200, actual=back.status)


PARENT_FIELD = {"classSourcedId": "class", "schoolSourcedId": "school", "lineItemSourcedId": "lineItem"}


def _elsewhere(b, param: str) -> str | None:
    """Another existing parent of the same kind: what the body names, against its path."""
    box = b.sandbox
    return {"classSourcedId": box.other_class, "schoolSourcedId": box.other_school,
            "lineItemSourcedId": b.other_line_item}.get(param)


@pytest.mark.requirement("gradebook-write/nested-parent")
@pytest.mark.parametrize("operation_id", POSTS, ids=str)
@write_check
def test_nested_parent(harness, writer, operation_id):
    """The body names another (existing) parent than the path: the path's must win, or the POST be refused."""
    op, b, collection = _setup(harness, writer, operation_id)
    parents = _parent_ids(op, b)
    record = fresh(writer, b, collection)
    contradicted = {}
    for param in parents:
        other = _elsewhere(b, param)
        if other is not None and param in PARENT_FIELD:
            kind = {"class": "class", "school": "org", "lineItem": "lineItem"}[PARENT_FIELD[param]]
            record[PARENT_FIELD[param]] = writer.roots.ref(kind, other)
            contradicted[param] = other
    if not contradicted:
        not_applicable("no second class, school or lineItem to name in the body against the path")
    path = op.url_path(**parents)
    reply = writer.post(path, [record])
    answered(reply)
    if reply.status in REFUSED_BODY:
        observe("a POST whose body names another parent than its path is refused")
        return
    if not ok(reply):
        not_applicable(f"the POST to {path} answered {reply.status} (judged by gradebook-write/post-pairs)")
    sid = pairs(reply)[0].get(record["sourcedId"], record["sourcedId"])
    back, got = _read(writer, collection, sid)
    if got is None:
        not_applicable(f"GET /{collection}/{sid} answered {back.status} (judged by gradebook-write/post-pairs)")
    for param, parent in parents.items():
        field = PARENT_FIELD.get(param)
        ref = got.get(field) if field and isinstance(got, dict) else None
        if ref is None:
            continue  # class is optional on a result; a session is named by no field of the result
        named = ref.get("sourcedId") if isinstance(ref, dict) else ref
        expect(named == parent, f"the {records.WRAPPER[collection]} posted to {path} (its body naming {field} "
               f"{contradicted.get(param)!r}) reads back under {field} {named!r}, not the {parent!r} its path names",
               expected=parent, actual=named)


# ---------------------------------------------------------------- DELETE
@pytest.mark.requirement("gradebook-write/delete-removes")
@pytest.mark.parametrize("operation_id", DELETES, ids=str)
@write_check
def test_delete_removes(harness, writer, operation_id):
    op, b, collection = _setup(harness, writer, operation_id)
    record = _put_new(writer, b, collection, "the delete check")
    sid = record["sourcedId"]
    reply = writer.delete(collection, sid)
    assert_status(reply, 204, f"DELETE /{collection}/{sid}")
    back, got = _read(writer, collection, sid)
    marked = back.status == 200 and isinstance(got, dict) and got.get("status") == "tobedeleted"
    if marked:
        observe("a deleted record is kept, marked status 'tobedeleted'")
    elif back.status != 404:
        fail(f"after DELETE answered 204, GET /{collection}/{sid} answered {back.status}"
             + (f" with status {got.get('status')!r}" if isinstance(got, dict) else ""),
             expected="404, or the record marked status 'tobedeleted'", actual=back.status)
    again = writer.delete(collection, sid)
    answered(again)
    allowed = (404, 204) if marked else (404,)
    expect(again.status in allowed, f"a second DELETE of /{collection}/{sid}, a record no longer there, answered "
           f"{again.status}", expected=" or ".join(map(str, allowed)), actual=again.status)


# ---------------------------------------------------------------- refusals
INVALID = ("missing-required", "unknown-enum", "id-mismatch")


def _missing_field(collection: str) -> str:
    """The first required field a server cannot fill in itself (from the published schema)."""
    return next(f for f in records.required_fields(collection)
                if f not in ("sourcedId", "status", "dateLastModified"))


@pytest.mark.requirement("gradebook-write/refuses-invalid")
@pytest.mark.parametrize("kind", INVALID)
@pytest.mark.parametrize("operation_id", PUTS, ids=str)
@write_check
def test_refuses_invalid(harness, writer, operation_id, kind):
    op, b, collection = _setup(harness, writer, operation_id)
    record = fresh(writer, b, collection)
    sid = record["sourcedId"]
    if kind == "missing-required":
        field = _missing_field(collection)
        del record[field]
        what = f"a {records.WRAPPER[collection]} without its required {field}"
        reply, named = writer.put(collection, record), [sid]
    elif kind == "unknown-enum":
        record["status"] = "orcConformanceUnknown"
        what = f"a {records.WRAPPER[collection]} with status 'orcConformanceUnknown' (not in the enumeration)"
        reply, named = writer.put(collection, record), [sid]
    else:
        path_id = writer.new_id("pathid")
        what = f"a {records.WRAPPER[collection]} whose sourcedId differs from the path's"
        reply, named = writer.put_at(f"/{collection}/{path_id}", collection, record), [path_id, sid]
    answered(reply)
    expect(not ok(reply), f"{what} was accepted: {reply.method} answered {reply.status}",
           expected="400 or 422 with imsx_StatusInfo", actual=reply.status)
    _refusal_body(reply, REFUSED_BODY)
    for each in named:
        _absent(writer, collection, each, f"the refused PUT of {what}")


BAD_REFERENCES = {  # case -> (operation, what the write names that does not exist)
    "result-unknown-student": ("putResult", "student"),
    "result-unknown-lineitem": ("putResult", "lineItem"),
    "lineitem-unknown-class": ("putLineItem", "class"),
    "post-unknown-class": ("postLineItemsForClass", "classSourcedId"),
    "post-unknown-lineitem": ("postResultsForLineItem", "lineItemSourcedId"),
    "assessmentresult-unknown-item": ("putAssessmentResult", "assessmentLineItem"),
}


class BadReference(str):
    """A refusal case: the result records its write operation."""

    def case_fields(self) -> dict[str, str]:
        return {"operation": BAD_REFERENCES[self][0]}


@pytest.mark.requirement("gradebook-write/refuses-bad-references")
@pytest.mark.parametrize("case", [BadReference(c) for c in BAD_REFERENCES], ids=str)
@write_check
def test_refuses_bad_references(harness, writer, case):
    operation_id, name = BAD_REFERENCES[case]
    op, b, collection = _setup(harness, writer, operation_id)
    missing = writer.prefix + "no-such-" + name.lower()
    record = fresh(writer, b, collection)
    if op.method == "PUT":
        kind = {"student": "user", "lineItem": "lineItem", "class": "class",
                "assessmentLineItem": "assessmentLineItem"}[name]
        record[name] = writer.roots.ref(kind, missing)
        reply = writer.put(collection, record)
        what = f"a {records.WRAPPER[collection]} naming a {name} that does not exist"
    else:
        ids = {p: missing if p == name else v for p, v in _parent_ids(op, b).items()}
        reply = writer.post(op.url_path(**ids), [record])
        what = f"a POST under a {name.removesuffix('SourcedId')} that does not exist"
    answered(reply)
    expect(not ok(reply), f"{what} was accepted: {reply.method} answered {reply.status}",
           expected="400, 404 or 422 with imsx_StatusInfo", actual=reply.status)
    _refusal_body(reply, REFUSED_REFERENCE)
    _absent(writer, collection, record["sourcedId"], f"the refused write of {what}")


# ---------------------------------------------------------------- scopes
def _wrong_scopes(op) -> list[str]:
    """A read-only scope of the operation's profile, and another write scope of it."""
    mine = next(iter(op.scopes))
    if op.path.startswith("/assessment"):
        read, others = "assessment.readonly", ("assessment.createput", "assessment.delete")
    else:
        read, others = "gradebook.readonly", ("gradebook.createput", "gradebook.createpost", "gradebook.delete")
    other = next(s for s in others if SCOPE_PREFIX + s != mine and not (op.method == "PUT" and s.endswith("post")))
    return [SCOPE_PREFIX + read, SCOPE_PREFIX + other]


@pytest.mark.requirement("gradebook-write/scope-enforced")
@pytest.mark.parametrize("operation_id", sorted(PUTS + POSTS + DELETES), ids=str)
@write_check
def test_scope_enforced(harness, writer, operation_id):
    op, b, collection = _setup(harness, writer, operation_id)
    tried = 0
    for scope in _wrong_scopes(op):
        scoped = harness.scoped(scope) if not writer.plan else (None, (scope,))
        if isinstance(scoped, str):
            observe(f"no token holding {scope.rsplit('/', 1)[-1]} alone could be had: {scoped}")
            continue
        creds, scopes = scoped
        tried += 1
        short = scope.rsplit("/", 1)[-1]
        if op.method == "DELETE":
            record = _put_new(writer, b, collection, "the scope check")
            reply = writer.delete(collection, record["sourcedId"], creds=creds, scopes=scopes)
        else:
            record = fresh(writer, b, collection)
            if op.method == "PUT":
                reply = writer.put(collection, record, creds=creds, scopes=scopes)
            else:
                reply = writer.post(op.url_path(**_parent_ids(op, b)), [record], creds=creds, scopes=scopes)
        answered(reply)
        expect(reply.status in REFUSED_SCOPE, f"{op.operation_id} sent with a token holding only {short} answered "
               f"{reply.status}", expected="401 or 403", actual=reply.status)
        if op.method == "DELETE":
            back, got = _read(writer, collection, record["sourcedId"])
            expect(back.status == 200 and isinstance(got, dict) and got.get("status") == "active",
                   f"after a DELETE refused for lack of scope, the record reads back {back.status}"
                   + (f" with status {got.get('status')!r}" if isinstance(got, dict) else ""),
                   expected="200, status 'active'", actual=back.status)
        else:
            _absent(writer, collection, record["sourcedId"], f"the refused {op.method} ({short} only)")
    if not tried:
        not_applicable("no token holding only a read-only or another write scope could be had to send it with")


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)
