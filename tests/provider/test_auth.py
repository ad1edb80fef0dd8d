"""Token endpoint (RFC 6749 client credentials), bearer checks and the scope matrix."""

from __future__ import annotations

import base64
import time

import pytest

from oneroster_conformance.provider.auth import load_clients
from oneroster_conformance.spec.operations import (
    ALL_SCOPES,
    EVERY_READ_SCOPE,
    ROSTER,
    ROSTER_CORE,
    ROSTER_DEMOGRAPHICS,
    granted_by,
    operations,
)
from oneroster_conformance.spec.schemas import issues

OPS = [op for op in operations("v1p2") if op.method == "GET"]
SAMPLE_IDS = {"sourcedId": None, "schoolSourcedId": "sch-north", "classSourcedId": "cls-alg1-p1",
              "courseSourcedId": "crs-alg1", "termSourcedId": "as-term-2025-fall", "studentSourcedId": "stu-0001",
              "teacherSourcedId": "tch-001", "userSourcedId": "stu-0001"}
SINGLE_IDS = {"academicSessions": "as-sy-2025", "classes": "cls-alg1-p1", "courses": "crs-alg1",
              "demographics": "stu-0001", "enrollments": "enr-0001", "gradingPeriods": "as-gp-2025-fall-q1",
              "orgs": "org-district", "schools": "sch-north", "students": "stu-0001", "teachers": "tch-001",
              "terms": "as-term-2025-fall", "users": "stu-0001"}


def sample_path(op) -> str:
    ids = {p: SAMPLE_IDS[p] for p in op.path_params}
    if "sourcedId" in ids:
        ids["sourcedId"] = SINGLE_IDS[op.collection_path]
    return op.url_path(**ids)


def test_built_in_clients() -> None:
    clients = load_clients()
    assert set(clients) == {"conformance-all", "conformance-roster", "conformance-core",
                            "conformance-demographics", "conformance-none", "conformance-short-lived"}
    assert clients["conformance-short-lived"].token_lifetime == 3
    assert clients["conformance-all"].scopes == frozenset(EVERY_READ_SCOPE)  # Gradebook and Resources reads too
    assert clients["conformance-roster"].scopes == {ROSTER}
    assert clients["conformance-core"].scopes == {ROSTER_CORE}
    assert clients["conformance-demographics"].scopes == {ROSTER_DEMOGRAPHICS}
    assert not clients["conformance-none"].scopes & set(ALL_SCOPES)
    assert all(len(c.client_secret) >= 24 for c in clients.values())


# ------------------------------------------------------------------ token endpoint
def test_token_with_basic_auth(provider, http, ask_token) -> None:
    response = ask_token(http, provider.token_url, "conformance-all")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == set(ALL_SCOPES)
    assert len(body["access_token"]) >= 32
    assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
    assert not provider.token_url.startswith(provider.base_url)  # outside the service root


def test_token_with_form_credentials_and_get(provider, http) -> None:
    secret = load_clients()["conformance-core"].client_secret
    response = http.post(provider.token_url, data={"grant_type": "client_credentials", "scope": ROSTER_CORE,
                                                   "client_id": "conformance-core", "client_secret": secret})
    assert response.status_code == 200 and response.json()["scope"] == ROSTER_CORE
    response = http.get(provider.token_url, params={"grant_type": "client_credentials", "scope": ROSTER_CORE},
                        auth=("conformance-core", secret))
    assert response.status_code == 200 and response.json()["scope"] == ROSTER_CORE


def test_token_grants_the_intersection(provider, http, ask_token) -> None:
    response = ask_token(http, provider.token_url, "conformance-core", scopes=[ROSTER_CORE, ROSTER])
    assert response.status_code == 200
    assert response.json()["scope"] == ROSTER_CORE


@pytest.mark.parametrize("near_miss", ["", ROSTER_CORE + "-evil", ROSTER_CORE.upper(), "roster-core.readonly",
                                   ROSTER_CORE[:-1], "x" + ROSTER_CORE])
def test_near_miss_or_missing_scope_is_invalid_scope(near_miss: str, provider, http, ask_token) -> None:
    response = ask_token(http, provider.token_url, "conformance-all", scopes=[near_miss] if near_miss else [])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_client_without_rostering_scope(provider, http, ask_token) -> None:
    response = ask_token(http, provider.token_url, "conformance-none")
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
    own = sorted(load_clients()["conformance-none"].scopes)
    response = ask_token(http, provider.token_url, "conformance-none", scopes=own)
    assert response.status_code == 200
    token = response.json()["access_token"]
    for op in OPS:
        got = http.get(provider.base_url + sample_path(op), headers={"Authorization": f"Bearer {token}"})
        assert got.status_code == 403, op.operation_id


@pytest.mark.parametrize("auth", [("conformance-all", "wrong-secret"), ("nobody", "whatever"),
                                  ("conformance-all", "")])
def test_wrong_client_credentials(auth, provider, http) -> None:
    response = http.post(provider.token_url, data={"grant_type": "client_credentials", "scope": ROSTER}, auth=auth)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")
    assert "access_token" not in response.text


def test_malformed_basic_header(provider, http) -> None:
    response = http.post(provider.token_url, data={"grant_type": "client_credentials", "scope": ROSTER},
                         headers={"Authorization": "Basic !!!not-base64"})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


@pytest.mark.parametrize("grant,error", [("password", "unsupported_grant_type"), ("", "invalid_request")])
def test_bad_grant(grant, error, provider, http) -> None:
    secret = load_clients()["conformance-all"].client_secret
    response = http.post(provider.token_url, data={"grant_type": grant, "scope": ROSTER},
                         auth=("conformance-all", secret))
    assert response.status_code == 400 and response.json()["error"] == error


def test_secret_in_url_is_refused(provider, http) -> None:
    secret = load_clients()["conformance-all"].client_secret
    response = http.post(provider.token_url, params={"client_id": "conformance-all", "client_secret": secret},
                         data={"grant_type": "client_credentials", "scope": ROSTER})
    assert response.status_code == 400


def test_basic_credentials_are_form_decoded(faulty) -> None:
    client = faulty()
    secret = load_clients()["conformance-all"].client_secret
    raw = base64.b64encode(f"conformance%2Dall:{secret}".encode()).decode()
    response = client.client.post("/token", data={"grant_type": "client_credentials", "scope": ROSTER},
                                  headers={"Authorization": f"Basic {raw}"})
    assert response.status_code == 200


# ------------------------------------------------------------------ bearer checks
def _assert_401(response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert issues("imsx_StatusInfo", body) == []
    assert body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == "unauthorisedrequest"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-real-token", "Basic abc", "Token abc",
                                    "Bearer a b"])
def test_missing_or_bad_token_is_401(header, provider, http) -> None:
    headers = {"Authorization": header} if header is not None else {}
    _assert_401(http.get(provider.base_url + "/users", headers=headers))


def test_token_in_query_string_is_not_accepted(provider, http, token) -> None:
    _assert_401(http.get(provider.base_url + "/users", params={"access_token": token}))


def test_expired_token_is_401(faulty) -> None:
    client = faulty(token_lifetime=1)
    response = client.token_response()
    assert response.json()["expires_in"] == 1
    token = response.json()["access_token"]
    assert client.get("/orgs", token=token).status_code == 200
    time.sleep(1.1)
    _assert_401(client.get("/orgs", token=token))


# ------------------------------------------------------------------ scope matrix
@pytest.mark.parametrize("client_id,one_scope", [("conformance-roster", ROSTER), ("conformance-core", ROSTER_CORE),
                                             ("conformance-demographics", ROSTER_DEMOGRAPHICS)])
def test_scope_matrix(client_id: str, one_scope: str, provider, http, ask_token) -> None:
    response = ask_token(http, provider.token_url, client_id, scopes=[one_scope])
    assert response.status_code == 200 and response.json()["scope"] == one_scope
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    granted = {op.operation_id for op in granted_by(one_scope)}
    assert granted
    for op in OPS:
        got = http.get(provider.base_url + sample_path(op), headers=headers)
        if op.operation_id in granted:
            assert got.status_code == 200, (op.operation_id, got.text)
        else:
            assert got.status_code == 403, op.operation_id
            body = got.json()
            assert issues("imsx_StatusInfo", body) == []
            assert body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == "forbidden"
            assert "users" not in body and "demographics" not in body
