"""Every operation of the catalogue answers with a schema-valid body, and selects the right records."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from oneroster_conformance.provider import sample
from oneroster_conformance.provider.catalogue import segments
from oneroster_conformance.provider.fields import ENTITIES
from oneroster_conformance.provider.generator import District
from oneroster_conformance.spec.operations import operations
from oneroster_conformance.spec.schemas import issues

OPS = [op for op in operations("v1p2") if op.method == "GET"]
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def wrapper_of_set(table: str) -> str:
    return {"orgs": "orgs", "academic_sessions": "academicSessions", "courses": "courses", "classes": "classes",
            "users": "users", "enrollments": "enrollments", "demographics": "demographics",
            "categories": "categories", "line_items": "lineItems", "results": "results", "score_scales": "scoreScales",
            "assessment_line_items": "assessmentLineItems", "assessment_results": "assessmentResults",
            "resources": "resources"}[table]


def _absolute(records: list[dict]) -> list[dict]:
    text = json.dumps(records).replace('"href": "/', '"href": "https://sis.example/ims/oneroster/rostering/v1p2/')
    return json.loads(text)


@pytest.mark.parametrize("table", list(sample.FILES))
def test_sample_roster_validates(table: str) -> None:
    records = list(sample.records(table))
    assert records
    set_name = ENTITIES[table][0]
    assert issues(set_name, {wrapper_of_set(table): _absolute(records)}) == []
    assert all(DATETIME.match(r["dateLastModified"]) for r in records)
    assert len({r["sourcedId"] for r in records}) == len(records)


@pytest.mark.parametrize("table", [t for t in ENTITIES if t not in sample.FILES])
def test_sample_gradebook_and_resources_validate(table: str) -> None:
    """The derived Gradebook and Resources records are valid against the published schemas."""
    from oneroster_conformance.provider.gradebook import derive

    rows = derive(sample.records("classes"), sample.records("enrollments"))[table]
    records = [json.loads(r[1].replace('"href":"/', '"href":"https://sis.example/')) for r in rows]
    assert records
    assert issues(ENTITIES[table][0], {wrapper_of_set(table): records}) == []
    assert len({r["sourcedId"] for r in records}) == len(records)


def test_generated_district_validates_and_is_deterministic() -> None:
    district = District(180, seed=7)
    for table, records in district.tables().items():
        records = [json.loads(r[1]) if isinstance(r, tuple) else r for r in records]
        set_name = ENTITIES[table][0]
        assert issues(set_name, {wrapper_of_set(table): _absolute(records)}) == [], table
    first = [r[1] for r in District(180, seed=7).enrollment_rows()]
    again = [r[1] for r in District(180, seed=7).enrollment_rows()]
    other = [r[1] for r in District(180, seed=8).enrollment_rows()]
    assert first == again != other
    assert len(first) > 180 * 15  # ~20 enrollments per student


@cache
def _ids_for(op_path: str, base_url: str, get) -> dict[str, str]:
    """Path parameters taken from the data: for each collection on the path, the first record
    (in sourcedId order) under which the rest of the path has something to show."""
    chain = segments(op_path)
    ids: dict[str, str] = {}
    prefix = ""
    for i, (name, param) in enumerate(chain):
        if param is None:
            break
        response = get(f"{prefix}/{name}", params={"limit": 50})
        assert response.status_code == 200, response.text
        (records,) = response.json().values()
        assert records, f"no {name} under {prefix or '/'}"
        ids[param] = records[0]["sourcedId"]
        rest = "/".join(n for n, _ in chain[i + 1:]) if chain[-1][1] is None and i == len(chain) - 2 else None
        for r in records:
            if rest is None or next(iter(get(f"{prefix}/{name}/{r['sourcedId']}/{rest}").json().values())):
                ids[param] = r["sourcedId"]
                break
        prefix = f"{prefix}/{name}/{ids[param]}"
    return ids


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.operation_id)
def test_operation_answers_with_a_valid_body(op, api, provider) -> None:
    ids = _ids_for(op.path, provider.base_url, api)
    response = api(op.url_path(**ids))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == [op.wrapper]
    assert issues(op.response_schema, body) == []
    if op.is_collection:
        assert body[op.wrapper], "the sample data gives every collection some records"
        assert int(response.headers["x-total-count"]) >= len(body[op.wrapper])
    else:
        assert body[op.wrapper]["sourcedId"] == list(ids.values())[-1]
    for href in re.findall(r'"href":\s*"([^"]+)"', response.text):
        assert href.startswith(provider.base_url + "/")


# ------------------------------------------------------------------ nested and typed semantics
def _records(table: str) -> list[dict]:
    return list(sample.records(table))


def _sid(ref) -> str:
    return ref["sourcedId"]


def _expected(op_id: str, a: str | None = None, b: str | None = None) -> set[str]:
    orgs, sessions, classes = _records("orgs"), _records("academic_sessions"), _records("classes")
    users, enrollments, courses = _records("users"), _records("enrollments"), _records("courses")

    def role_users(role: str, org: str | None = None) -> set[str]:
        return {u["sourcedId"] for u in users
                if any(r["role"] == role and (org is None or _sid(r["org"]) == org) for r in u["roles"])}

    def enrolled(cls: str, role: str) -> set[str]:
        return {_sid(e["user"]) for e in enrollments if _sid(e["class"]) == cls and e["role"] == role}

    def classes_of(user: str, role: str | None) -> set[str]:
        return {_sid(e["class"]) for e in enrollments if _sid(e["user"]) == user and role in (None, e["role"])}

    table = {
        "getAllStudents": lambda: role_users("student"),
        "getAllTeachers": lambda: role_users("teacher"),
        "getAllSchools": lambda: {o["sourcedId"] for o in orgs if o["type"] == "school"},
        "getAllTerms": lambda: {s["sourcedId"] for s in sessions if s["type"] == "term"},
        "getAllGradingPeriods": lambda: {s["sourcedId"] for s in sessions if s["type"] == "gradingPeriod"},
        "getClassesForSchool": lambda: {c["sourcedId"] for c in classes if _sid(c["school"]) == a},
        "getClassesForCourse": lambda: {c["sourcedId"] for c in classes if _sid(c["course"]) == a},
        "getClassesForTerm": lambda: {c["sourcedId"] for c in classes if a in map(_sid, c["terms"])},
        "getClassesForStudent": lambda: classes_of(a, "student"),
        "getClassesForTeacher": lambda: classes_of(a, "teacher"),
        "getClassesForUser": lambda: classes_of(a, None),
        "getStudentsForClass": lambda: enrolled(a, "student"),
        "getTeachersForClass": lambda: enrolled(a, "teacher"),
        "getStudentsForClassInSchool": lambda: enrolled(b, "student"),
        "getTeachersForClassInSchool": lambda: enrolled(b, "teacher"),
        "getEnrollmentsForClassInSchool": lambda: {e["sourcedId"] for e in enrollments if _sid(e["class"]) == b},
        "getEnrollmentsForSchool": lambda: {e["sourcedId"] for e in enrollments if _sid(e["school"]) == a},
        "getStudentsForSchool": lambda: role_users("student", a),
        "getTeachersForSchool": lambda: role_users("teacher", a),
        "getCoursesForSchool": lambda: {c["sourcedId"] for c in courses if _sid(c["org"]) == a},
        "getGradingPeriodsForTerm": lambda: {s["sourcedId"] for s in sessions
                                             if s["type"] == "gradingPeriod" and _sid(s.get("parent") or {}) == a},
        "getTermsForSchool": lambda: {_sid(t) for c in classes if _sid(c["school"]) == a for t in c["terms"]},
    }
    return table[op_id]()


def _all(api, path: str) -> list[str]:
    response = api(path, params={"limit": 10_000, "fields": "sourcedId"})
    assert response.status_code == 200, response.text
    (records,) = response.json().values()
    return [r["sourcedId"] for r in records]


def _parents(op) -> list[tuple[str, ...]]:
    chain = segments(op.path)[:-1]
    classes = _records("classes")
    if [name for name, _ in chain] == ["schools", "classes"]:
        return [(_sid(c["school"]), c["sourcedId"]) for c in classes]
    (name, _), = chain
    table = {"schools": ("orgs", "school"), "courses": ("courses", None), "terms": ("academic_sessions", "term"),
             "classes": ("classes", None), "students": ("users", "student"), "teachers": ("users", "teacher"),
             "users": ("users", None)}[name]
    out = []
    for r in _records(table[0]):
        kind = table[1]
        if kind is None or r.get("type") == kind or any(role["role"] == kind for role in r.get("roles", [])):
            out.append((r["sourcedId"],))
    return out


TYPED = ["getAllStudents", "getAllTeachers", "getAllSchools", "getAllTerms", "getAllGradingPeriods"]


@pytest.mark.parametrize("op_id", TYPED)
def test_typed_collections_hold_exactly_their_type(op_id: str, api) -> None:
    op = next(o for o in OPS if o.operation_id == op_id)
    got = _all(api, op.path)
    assert len(got) == len(set(got))
    assert set(got) == _expected(op_id)


@pytest.mark.parametrize("op", [o for o in OPS if o.is_nested], ids=lambda o: o.operation_id)
def test_nested_collections_match_the_data(op, api) -> None:
    for parent_ids in _parents(op):
        ids = dict(zip(op.path_params, parent_ids, strict=True))
        got = _all(api, op.url_path(**ids))
        assert len(got) == len(set(got))
        assert set(got) == _expected(op.operation_id, *parent_ids), (op.operation_id, parent_ids)


# ------------------------------------------------------------------ unknown objects, parents, methods
def _assert_status_info(response, status: int, code_minor: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert issues("imsx_StatusInfo", body) == []
    assert body["imsx_codeMajor"] == "failure" and body["imsx_severity"] == "error"
    assert body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == code_minor


@pytest.mark.parametrize("op", [o for o in OPS if o.path_params], ids=lambda o: o.operation_id)
def test_unknown_object_or_parent_is_404_unknownobject(op, api, provider) -> None:
    ids = _ids_for(op.path, provider.base_url, api)
    for param in op.path_params:
        wrong = {**ids, param: "no-such-id"}
        _assert_status_info(api(op.url_path(**wrong)), 404, "unknownobject")


def test_typed_single_objects_refuse_the_wrong_type(api) -> None:
    _assert_status_info(api("/students/tch-001"), 404, "unknownobject")
    _assert_status_info(api("/teachers/stu-0001"), 404, "unknownobject")
    _assert_status_info(api("/schools/org-district"), 404, "unknownobject")
    _assert_status_info(api("/terms/as-sy-2025"), 404, "unknownobject")
    _assert_status_info(api("/gradingPeriods/as-term-2025-fall"), 404, "unknownobject")
    # a class of another school is unknown at this school
    _assert_status_info(api("/schools/sch-ostra/classes/cls-alg1-p1/students"), 404, "unknownobject")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_405_and_change_nothing(method: str, api, http, provider, token) -> None:
    before = api("/users/stu-0001").json()
    for path in ("/users", "/users/stu-0001", "/schools/sch-north/classes", "/made-up-id-users/x"):
        response = http.request(method, provider.base_url + path, headers={"Authorization": f"Bearer {token}"},
                                json={"user": {"sourcedId": "stu-0001", "givenName": "Changed"}})
        if path.startswith("/made-up"):
            _assert_status_info(response, 404, "unknownobject")
        else:
            assert response.status_code == 405
            assert response.headers["allow"] == "GET, HEAD"
            assert issues("imsx_StatusInfo", response.json()) == []
    assert api("/users/stu-0001").json() == before


def test_head_is_allowed(http, provider, token) -> None:
    response = http.head(provider.base_url + "/users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
