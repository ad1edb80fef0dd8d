"""The reference provider serving OneRoster 1.1, plain and in its Aeries flavour, and its 1.1 faults."""

from __future__ import annotations

import json

import pytest

from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.faults import FAULTS, FAULTS_V1P1
from oneroster_conformance.spec.operations import by_id, operations, rostering_scopes, short_scope
from oneroster_conformance.spec.schemas import issues
from tests.support import FaultChecks


def minor(response) -> str:
    return response.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def test_token_as_aeries_issues_it(aeries):
    response = aeries().token_response()
    body = response.json()
    assert response.status_code == 200 and body["token_type"] == "bearer"
    assert body["expires_in"] == 21600
    assert body["scope"].split() == list(rostering_scopes("v1p1"))  # the 1.1 URIs asked for, in that order
    cookies = {c.split("=", 1)[0] for c in response.headers.get_list("set-cookie")}
    assert cookies == {"ARRAffinity", "ARRAffinitySameSite"}
    assert response.headers["cache-control"] == "no-store"


def test_aeries_requires_a_scope_in_the_token_request(aeries):
    response = aeries().token_response(scopes=())
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
    v1p2 = aeries().token_response(scopes=["https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"])
    assert v1p2.status_code == 400 and v1p2.json()["error"] == "invalid_scope"  # 1.2 URIs are not 1.1 scopes


@pytest.mark.parametrize("flavour", ["aeries", None])
def test_1p1_operations_need_their_1p1_scope(aeries, flavour):
    from starlette.testclient import TestClient

    from oneroster_conformance.harness import load_builtin_clients
    from oneroster_conformance.provider.app import create_app, service_root_path, token_path

    config = ProviderConfig(binding="v1p1", flavour=flavour)
    client = TestClient(create_app(config))
    creds = load_builtin_clients(flavour)["conformance-all"]
    demographics = rostering_scopes("v1p1")[2]
    assert short_scope(demographics) == "roster-demographics.readonly"
    assert by_id("getAllDemographics", "v1p1").scopes == {demographics}
    reply = client.post(token_path(config), data={"grant_type": "client_credentials", "scope": demographics},
                        auth=(creds.client_id, creds.client_secret))
    assert reply.json()["scope"] == demographics
    headers = {"Authorization": f"Bearer {reply.json()['access_token']}"}
    assert client.get(service_root_path(config) + "/demographics", headers=headers).status_code == 200
    assert client.get(service_root_path(config) + "/users", headers=headers).status_code == 403


@pytest.mark.parametrize("op", [o for o in operations("v1p1") if o.is_collection and not o.path_params],
                         ids=lambda o: o.operation_id)
def test_collections_validate_against_the_1p1_schemas(aeries, op):
    response = aeries().get(op.path)
    assert response.status_code == 200
    assert issues(op.response_schema, response.json(), "v1p1") == []


def test_users_have_the_1p1_shape_and_aeries_staff_ids(aeries):
    users = aeries().get("/users", params={"limit": 500}).json()["users"]
    assert all("role" in u and u["orgs"] and "roles" not in u for u in users)
    teachers = [u["sourcedId"] for u in users if u["role"] == "teacher"]
    assert teachers and all(t.startswith("TCH_") for t in teachers)
    enrollment_users = {e["user"]["sourcedId"] for e in aeries().get("/enrollments", params={"limit": 500}).json()[
        "enrollments"]}
    assert set(teachers) & enrollment_users, "references follow the renamed staff ids"


def test_filter_and_fields_know_the_1p1_user(aeries):
    response = aeries().get("/users", params={"filter": "role='teacher'", "fields": "sourcedId,role,orgs"})
    assert response.status_code == 200
    assert {tuple(sorted(u)) for u in response.json()["users"]} == {("orgs", "role", "sourcedId")}
    assert aeries().get("/users", params={"filter": "roles.role='teacher'"}).status_code == 400
    students = aeries().get("/schools/sch-north/students").json()["users"]  # user_roles from role + orgs
    assert students and all(u["role"] == "student" for u in students)


def test_errors_use_the_1p1_spellings(aeries):
    assert minor(aeries().get("/users/nobody")) == "unknown object"
    assert minor(aeries().get("/users", params={"fields": "a,,b"})) == "invalid_blank_selection_field"
    assert minor(aeries().client.get(aeries().root + "/users")) == "unauthorized"


def test_permissions_are_per_api_record(aeries):
    assert aeries().get("/users", key="claris").status_code == 403  # Claris' guide grants no 'Users'
    assert aeries().get("/users", key="incidentiq").status_code == 200
    assert aeries().get("/enrollments", key="claris").status_code == 200
    assert aeries().get("/terms", key="illuminate").status_code == 403  # Terms: not on Illuminate's record
    assert aeries().get("/terms", key="claris-missing-terms").status_code == 403  # the forgotten box
    assert aeries().get("/classes", key="claris-missing-terms").status_code == 200
    assert "School Information → Terms" in aeries().get("/terms", key="illuminate").json()["imsx_description"]


def test_plain_1p1_provider_paths():
    from oneroster_conformance.provider.app import service_root_path, token_path

    assert service_root_path(ProviderConfig(binding="v1p1")) == "/ims/oneroster/v1p1"
    assert token_path(ProviderConfig(binding="v1p1")) == "/token"
    assert service_root_path(ProviderConfig(binding="v1p1", flavour="aeries")) == "/admin/ims/oneroster/v1p1"


@pytest.mark.parametrize("bad, match", [
    (dict(flavour="aeries"), "binding='v1p1'"),
    (dict(auth="oauth1"), "1.2 removed OAuth 1.0a"),
    (dict(binding="v1p1", faults=["null-fields"]), "Aeries flavour"),
    (dict(binding="v1p1", students=10), "sample roster only"),
])
def test_bad_1p1_configurations_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        ProviderConfig(**bad)


# ------------------------------------------------------------------ every 1.1 fault really deviates
CHECKS = FaultChecks()
check = CHECKS.check


@check("permission-missing-terms")
def _(faulty, clean):
    assert clean.get("/terms", key="claris").status_code == 200
    assert faulty.get("/terms", key="claris").status_code == 403
    assert faulty.get("/academicSessions", key="incidentiq").status_code == 403
    assert faulty.get("/terms").status_code == 200  # the conformance record keeps every permission


@check("record-oneroster-off")
def _(faulty, clean):
    assert faulty.token_response("claris").status_code == 401
    assert faulty.token_response().status_code == 200


@check("teachers-without-email")
def _(faulty, clean):
    assert all("email" in t for t in clean.get("/teachers").json()["users"])
    assert not any("email" in t for t in faulty.get("/teachers").json()["users"])
    assert any("email" in u for u in faulty.get("/students").json()["users"])


@check("null-fields")
def _(faulty, clean):
    orgs = faulty.get("/orgs").json()
    assert all(o["identifier"] is None and o["metadata"] is None for o in orgs["orgs"])
    assert issues("OrgSet", orgs, "v1p1") and not issues("OrgSet", clean.get("/orgs").json(), "v1p1")


@pytest.mark.parametrize("name", sorted(FAULTS_V1P1))
def test_v1p1_fault_deviates(name, aeries):
    CHECKS[name](aeries(name), aeries())


def test_every_v1p1_fault_has_a_check_and_names_real_requirements():
    from oneroster_conformance.spec.requirements import catalogue

    assert set(CHECKS) == set(FAULTS_V1P1)
    assert not set(FAULTS_V1P1) & set(FAULTS)
    assert all(f.breaks and set(f.breaks) <= set(catalogue().requirements) for f in FAULTS_V1P1.values())


def test_list_faults_marks_the_1p1_ones():
    from oneroster_conformance.provider.faults import describe

    line = next(x for x in describe().splitlines() if x.startswith("null-fields"))
    assert "[1.1 aeries]" in line and json.dumps("operations/response-schema")[1:-1] in line
