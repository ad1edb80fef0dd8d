"""The reference provider's Gradebook writes: every PUT, POST and DELETE of the published OpenAPI, the
validation and scope refusals (which change nothing), the conformant variant's readings and the request log.
Each test runs on a provider with a database of its own (tests/provider/writing.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oneroster_conformance.provider.cli import parser
from oneroster_conformance.spec.operations import GRADEBOOK, ROSTERING
from oneroster_conformance.spec.schemas import issues
from tests.provider.writing import (
    A_CREATEPUT,
    A_DELETE,
    CLASS,
    CREATEPOST,
    CREATEPUT,
    DELETE,
    ENROLLED,
    LINE_ITEM,
    NOT_ENROLLED,
    OTHER_CLASS,
    READ_ONLY,
    SCHOOL,
    SINGLE,
    TERM,
    WRITE_OPS,
    WriteClient,
    same_record,
)

UPDATED = {"categories": "title", "lineItems": "title", "results": "comment", "scoreScales": "title",
           "assessmentLineItems": "title", "assessmentResults": "comment"}


@pytest.fixture(scope="module")
def w() -> WriteClient:
    return WriteClient()


def minor(response) -> str:
    return response.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def test_the_catalogue_has_every_write_operation() -> None:
    methods = sorted(op.method for op in WRITE_OPS)
    assert methods.count("PUT") == 6 and methods.count("POST") == 4 and methods.count("DELETE") == 6


@pytest.mark.parametrize("op", WRITE_OPS, ids=lambda op: op.operation_id)
def test_every_write_operation_is_served_and_needs_a_token(w: WriteClient, op) -> None:
    path = op.url_path(**{p: "x" for p in op.path_params})
    r = w.client.request(op.method, "/ims/oneroster/gradebook/v1p2" + path)
    assert r.status_code == 401, (op.operation_id, r.status_code)
    assert "imsx_codeMajor" in r.json()


@pytest.mark.parametrize("collection", sorted(SINGLE))
def test_put_creates_reads_back_updates_and_deletes(w: WriteClient, collection: str) -> None:
    sid = f"orc-put-{collection}"
    before = len(w.all(collection))
    rec = w.template(collection, sid)
    assert w.one(collection, sid) is None
    r = w.put(collection, sid, rec)
    assert r.status_code == 201, r.text
    served = w.one(collection, sid)
    assert served is not None and same_record(rec, served) == []
    assert served["dateLastModified"].endswith("Z") and len(served["dateLastModified"]) == 24
    field = UPDATED[collection]
    changed = {**rec, field: "Changed – ✓"}
    r = w.put(collection, sid, changed)
    assert r.status_code == 201, r.text  # the OpenAPI's one success code for PUT
    assert same_record(changed, w.one(collection, sid)) == []
    listed = [x for x in w.all(collection) if x["sourcedId"] == sid]
    assert len(listed) == 1 and listed[0][field] == "Changed – ✓"
    assert len(w.all(collection)) == before + 1
    r = w.delete(collection, sid)
    assert r.status_code == 204 and r.content == b""
    assert w.one(collection, sid) is None and len(w.all(collection)) == before
    second = w.delete(collection, sid)
    assert second.status_code == 404 and minor(second) == "unknownobject"


def test_written_records_show_in_nested_and_filtered_reads(w: WriteClient) -> None:
    item = w.template("lineItems", "orc-nested-li")
    assert w.put("lineItems", "orc-nested-li", item).status_code == 201
    result = {**w.template("results", "orc-nested-res"), "lineItem": w.ref(GRADEBOOK, "lineItems", "lineItem",
                                                                             "orc-nested-li")}
    assert w.put("results", "orc-nested-res", result).status_code == 201
    ids = lambda r: [x["sourcedId"] for x in next(iter(r.json().values()))]  # noqa: E731
    assert "orc-nested-li" in ids(w.get(f"/classes/{CLASS}/lineItems", limit=1000))
    assert ids(w.get(f"/classes/{CLASS}/lineItems/orc-nested-li/results")) == ["orc-nested-res"]
    assert "orc-nested-res" in ids(w.get(f"/classes/{CLASS}/students/{ENROLLED}/results"))
    assert ids(w.get("/results", filter="lineItem.sourcedId='orc-nested-li'")) == ["orc-nested-res"]
    # deleting a lineItem takes its results with it
    assert w.delete("lineItems", "orc-nested-li").status_code == 204
    assert w.one("results", "orc-nested-res") is None


def _post_cases():
    return {
        "postLineItemsForClass": (f"/classes/{OTHER_CLASS}/lineItems", "lineItems", "class", OTHER_CLASS),
        "postLineItemsForSchool": (f"/schools/{SCHOOL}/lineItems", "lineItems", "school", SCHOOL),
        "postResultsForLineItem": (f"/lineItems/{LINE_ITEM}/results", "results", "lineItem", LINE_ITEM),
        "postResultsForAcademicSessionForClass": (f"/classes/{CLASS}/academicSessions/{TERM}/results", "results",
                                                  "class", CLASS),
    }


def test_every_post_operation_has_a_case() -> None:
    assert {op.operation_id for op in WRITE_OPS if op.method == "POST"} == set(_post_cases())


@pytest.mark.parametrize("post_op", sorted(_post_cases()))
def test_post_allocates_ids_answers_pairs_and_sets_the_parent(w: WriteClient, post_op: str) -> None:
    path, wrapper, parent, parent_sid = _post_cases()[post_op]
    first = w.template(wrapper, "orc-sup-1")
    records = [first]
    if wrapper == "results":
        records.append({**w.template(wrapper, "orc-sup-2"), "student": w.ref(ROSTERING, "users", "user", "stu-0007")})
    else:
        records.append({**w.template(wrapper, "orc-sup-2"), "title": "Second"})
    for r in records:  # the body names another parent (or none): the path's wins
        r.pop(parent, None)
    r = w.post(path, wrapper, records)
    assert r.status_code == 201, r.text
    pairs = r.json()["sourcedIdPairs"]
    assert [p["suppliedSourcedId"] for p in pairs] == ["orc-sup-1", "orc-sup-2"]
    allocated = [p["allocatedSourcedId"] for p in pairs]
    assert len(set(allocated)) == 2 and not set(allocated) & {"orc-sup-1", "orc-sup-2"}
    for sent, sid in zip(records, allocated, strict=True):
        served = w.one(wrapper, sid)
        assert served is not None and served[parent]["sourcedId"] == parent_sid
        assert same_record({**sent, "sourcedId": sid}, served) == [parent]
        assert w.delete(wrapper, sid).status_code == 204


def test_post_to_an_unknown_parent_is_404(w: WriteClient) -> None:
    r = w.post("/classes/no-such-class/lineItems", "lineItems", [w.template("lineItems", "x")])
    assert r.status_code == 404 and minor(r) == "unknownobject"


def _refusals(w: WriteClient) -> list[tuple[str, str, object, int]]:
    """(method, path, body, status) of writes the provider must refuse."""
    item = w.template("lineItems", "orc-bad")
    result = w.template("results", "orc-bad-res")
    no_title = {k: v for k, v in item.items() if k != "title"}
    return [
        ("PUT", "/lineItems/orc-bad", b"{not json", 400),
        ("PUT", "/lineItems/orc-bad", {"lineItems": [item]}, 422),  # the wrong wrapper
        ("PUT", "/lineItems/orc-bad", {"lineItem": item, "extra": 1}, 422),
        ("PUT", "/lineItems/orc-bad", {"lineItem": no_title}, 422),  # a required field missing
        ("PUT", "/lineItems/orc-bad", {"lineItem": {**item, "status": "deleted"}}, 422),  # outside the enumeration
        ("PUT", "/results/orc-bad-res", {"result": {**result, "scoreStatus": "graded"}}, 422),
        ("PUT", "/lineItems/orc-bad", {"lineItem": {**item, "sourcedId": "orc-other"}}, 422),  # differs from path
        ("PUT", "/lineItems/orc-bad", {"lineItem": {**item, "class": w.ref(ROSTERING, "classes", "class",
                                                                           "no-such-class")}}, 422),
        ("PUT", "/lineItems/orc-bad", {"lineItem": {**item, "category": w.ref(GRADEBOOK, "categories", "category",
                                                                              "no-such-cat")}}, 422),
        ("PUT", "/results/orc-bad-res", {"result": {**result, "student": w.ref(ROSTERING, "users", "user",
                                                                               "no-such-student")}}, 422),
        ("PUT", "/results/orc-bad-res", {"result": {**result, "student": w.ref(ROSTERING, "users", "user",
                                                                               NOT_ENROLLED)}}, 422),
        ("PUT", "/results/orc-bad-res", {"result": {**result, "lineItem": w.ref(GRADEBOOK, "lineItems", "lineItem",
                                                                                "no-such-li")}}, 422),
        ("PUT", "/results/orc-bad-res", {"result": {**result, "class": w.ref(ROSTERING, "classes", "class",
                                                                             OTHER_CLASS)}}, 422),
        ("POST", f"/lineItems/{LINE_ITEM}/results", {"results": [result, {**result, "sourcedId": "y", "student":
                                                     w.ref(ROSTERING, "users", "user", NOT_ENROLLED)}]}, 422),
        ("POST", f"/classes/{CLASS}/lineItems", {"lineItems": [item, no_title]}, 422),
        ("POST", f"/classes/{CLASS}/lineItems", {"lineItems": item}, 422),
        ("POST", f"/classes/{CLASS}/lineItems", {"lineItem": item}, 422),
        ("POST", f"/classes/{CLASS}/lineItems", b"[]", 422),
        ("PUT", "/lineItems/orc-bad", b"null", 422),
        ("PUT", "/lineItems/orc-bad", {"lineItem": []}, 422),
    ]


def test_refused_writes_answer_status_info_and_change_nothing(w: WriteClient) -> None:
    before = w.full_read()
    for method, path, body, status in _refusals(w):
        r = w.request(method, path, content=body) if isinstance(body, bytes) else w.request(method, path, body)
        assert r.status_code == status, (method, path, r.status_code, r.text)
        assert r.json()["imsx_codeMajor"] == "failure" and minor(r) == "invaliddata", r.text
    assert w.full_read() == before


def test_each_write_needs_its_own_scope(w: WriteClient) -> None:
    before = w.full_read()
    item, ali = w.template("lineItems", "orc-scope"), w.template("assessmentLineItems", "orc-scope-a")
    denied = [
        ("PUT", "/lineItems/orc-scope", {"lineItem": item}, READ_ONLY),
        ("PUT", "/lineItems/orc-scope", {"lineItem": item}, (CREATEPOST, DELETE, A_CREATEPUT)),
        ("POST", f"/classes/{CLASS}/lineItems", {"lineItems": [item]}, READ_ONLY),
        ("POST", f"/classes/{CLASS}/lineItems", {"lineItems": [item]}, (CREATEPUT, DELETE)),
        ("DELETE", f"/lineItems/{LINE_ITEM}", None, READ_ONLY),
        ("DELETE", f"/lineItems/{LINE_ITEM}", None, (CREATEPUT, CREATEPOST, A_DELETE)),
        ("PUT", "/assessmentLineItems/orc-scope-a", {"assessmentLineItem": ali}, (CREATEPUT,)),
        ("DELETE", "/assessmentLineItems/ali-cls-alg1-p1", None, (DELETE,)),
    ]
    for method, path, body, scopes in denied:
        r = w.request(method, path, body, scopes=scopes)
        assert r.status_code == 403, (method, path, scopes, r.status_code)
        assert "imsx_codeMajor" in r.json() and minor(r) == "forbidden"
    assert w.full_read() == before
    assert w.request("PUT", "/lineItems/orc-scope", {"lineItem": item}, scopes=(CREATEPUT,)).status_code == 201
    assert w.request("DELETE", "/lineItems/orc-scope", scopes=(DELETE,)).status_code == 204
    assert w.request("PUT", "/assessmentLineItems/orc-scope-a", {"assessmentLineItem": ali},
                     scopes=(A_CREATEPUT,)).status_code == 201
    assert w.request("DELETE", "/assessmentLineItems/orc-scope-a", scopes=(A_DELETE,)).status_code == 204
    assert w.full_read() == before


def test_other_methods_stay_405(w: WriteClient) -> None:
    r = w.request("PATCH", f"/lineItems/{LINE_ITEM}", {"lineItem": {}})
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, DELETE, PUT"
    assert w.request("PUT", "/categories", {"category": {}}).status_code == 405
    assert w.request("GET", f"/classes/{CLASS}/academicSessions/{TERM}/results").status_code == 405
    r = w.request("PUT", "/ims/oneroster/rostering/v1p2/users/stu-0002", {"user": {}})
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"


def test_a_grade_sync_leaves_the_provider_as_it_found_it() -> None:
    """Create a lineItem, post results for its class, update one, delete it, and the same for every other
    collection: a full read afterwards equals the one before."""
    w = WriteClient()
    before = w.full_read()
    item = w.template("lineItems", "orc-sync-li")
    assert w.put("lineItems", "orc-sync-li", item).status_code == 201
    students = [s["sourcedId"] for s in w.get(f"/ims/oneroster/rostering/v1p2/classes/{CLASS}/students",
                                              limit=100).json()["users"]]
    results = [{**w.template("results", f"orc-sync-{s}"), "student": w.ref(ROSTERING, "users", "user", s),
                "lineItem": w.ref(GRADEBOOK, "lineItems", "lineItem", "orc-sync-li")} for s in students]
    r = w.post("/lineItems/orc-sync-li/results", "results", results)
    assert r.status_code == 201 and len(r.json()["sourcedIdPairs"]) == len(students)
    first = r.json()["sourcedIdPairs"][0]["allocatedSourcedId"]
    assert w.put("results", first, {**results[0], "sourcedId": first, "score": 99.5}).status_code == 201
    assert w.one("results", first)["score"] == 99.5
    for collection in ("categories", "scoreScales", "assessmentLineItems", "assessmentResults"):
        assert w.put(collection, f"orc-sync-{collection}", w.template(collection, "orc-sync-" + collection)
                     ).status_code == 201
        assert w.delete(collection, f"orc-sync-{collection}").status_code == 204
    assert w.delete("lineItems", "orc-sync-li").status_code == 204
    assert w.full_read() == before


def test_variant_readings() -> None:
    w = WriteClient(delete_marks=True, put_update_status=200, post_keeps_ids=True)
    item = w.template("lineItems", "orc-var")
    assert w.put("lineItems", "orc-var", item).status_code == 201
    assert w.put("lineItems", "orc-var", {**item, "title": "Again"}).status_code == 200
    assert w.delete("lineItems", "orc-var").status_code == 204
    marked = w.one("lineItems", "orc-var")
    assert marked is not None and marked["status"] == "tobedeleted" and marked["title"] == "Again"
    assert w.delete("lineItems", "orc-var").status_code == 404  # already deleted
    r = w.post(f"/classes/{CLASS}/lineItems", "lineItems", [w.template("lineItems", "orc-kept"),
                                                             w.template("lineItems", LINE_ITEM)])
    pairs = r.json()["sourcedIdPairs"]
    assert pairs[0]["allocatedSourcedId"] == "orc-kept"  # the supplied id, free: kept
    assert pairs[1]["allocatedSourcedId"] != LINE_ITEM  # taken already: a new one
    assert w.one("lineItems", "orc-kept") is not None


def test_request_log_names_method_path_and_status_only(tmp_path) -> None:
    log = tmp_path / "requests.log"
    w = WriteClient(request_log=str(log))
    w.get("/lineItems", filter="title='secret value'")
    w.put("lineItems", "orc-log", w.template("lineItems", "orc-log"))
    w.delete("lineItems", "orc-log")
    lines = log.read_text(encoding="utf-8").splitlines()
    assert "POST /token 200" in lines
    assert "GET /ims/oneroster/gradebook/v1p2/lineItems 200" in lines
    assert "PUT /ims/oneroster/gradebook/v1p2/lineItems/orc-log 201" in lines
    assert "DELETE /ims/oneroster/gradebook/v1p2/lineItems/orc-log 204" in lines
    text = log.read_text(encoding="utf-8")
    assert "secret" not in text and "Bearer" not in text and "filter" not in text
    args = parser().parse_args(["--request-log", "x.log", "--delete-marks", "--put-update-status", "200",
                                "--post-keeps-ids"])
    assert (args.request_log, args.delete_marks, args.put_update_status, args.post_keeps_ids) == ("x.log", True,
                                                                                                 200, True)


JUNK = [b"", b"{", b"null", b"[]", b'"x"', b"{}", b'{"lineItem": null}', b'{"lineItem": {"sourcedId": 5}}',
        b'{"result": {"lineItem": "li", "student": [1], "class": {"sourcedId": 3}}}', b'{"results": [null, 1]}',
        b'{"lineItems": [{"class": {"sourcedId": null}}]}', b'{"assessmentResult": {"sourcedId": "x\\u0000"}}',
        b'\xff\xfe', b"{\"category\": {\"title\": \"\\ud800\"}}", b'{"lineItem": {"resultValueMax": NaN}}',
        b'{"result": {"score": Infinity}}', b'{"results": [{"score": -Infinity}]}', b"[" * 100_000]


@pytest.mark.parametrize("faults", [(), ("write-accepts-invalid", "put-id-mismatch-accepted",
                                         "nested-post-wrong-parent", "result-unknown-student")], ids=["clean", "lax"])
def test_junk_bodies_never_500(faults) -> None:
    w = WriteClient(faults)
    for op in WRITE_OPS:
        path = op.url_path(**{p: {"classSourcedId": CLASS, "lineItemSourcedId": LINE_ITEM, "schoolSourcedId": SCHOOL,
                                  "academicSessionSourcedId": TERM}.get(p, "x") for p in op.path_params})
        for body in JUNK:
            r = w.request(op.method, "/ims/oneroster/gradebook/v1p2" + path, content=body)
            assert r.status_code < 500, (op.operation_id, body, r.status_code, r.text)
            assert r.status_code in (201, 204) or "imsx_codeMajor" in r.json(), r.text
    for collection in SINGLE:  # whatever the lax provider stored still serves
        assert w.get(f"/{collection}", limit=1000).status_code == 200


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(
    max_size=8)
json_values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
    st.text(max_size=6), kids, max_size=3), max_leaves=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(collection=st.sampled_from(["lineItems", "results", "assessmentResults"]), data=st.data())
def test_a_mutated_record_is_refused_or_stored_valid(w: WriteClient, collection: str, data) -> None:
    """Property: drop fields or put any JSON in them; the write is refused (400/422) or what reads back
    is a valid record of its DType (the provider never stores what the schema forbids), never a 5xx."""
    rec = w.template(collection, "orc-prop")
    for field in data.draw(st.lists(st.sampled_from(sorted(rec)), max_size=3, unique=True)):
        if data.draw(st.booleans()):
            del rec[field]
        else:
            rec[field] = data.draw(json_values)
    r = w.put(collection, "orc-prop", rec)
    assert r.status_code in (201, 400, 422), (r.status_code, r.text)
    if r.status_code == 201:
        back = w.get(f"/{collection}/orc-prop")
        assert back.status_code == 200 and issues("Single" + SINGLE[collection][0].upper() + SINGLE[collection][1:]
                                                  + "DType", back.json()) == []
        assert w.delete(collection, "orc-prop").status_code == 204
