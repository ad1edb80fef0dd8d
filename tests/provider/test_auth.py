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
    WRITE_SCOPES,
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
    # Gradebook and Resources reads too, and the Gradebook write scopes (granted only when asked for)
    assert clients["conformance-all"].scopes == frozenset(EVERY_READ_SCOPE) | frozenset(WRITE_SCOPES)
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


# ------------------------------------------------------------------ preflight's token negotiation
def _negotiate(config, client_id="conformance-all", secret=None, scopes=ALL_SCOPES, binding="v1p2", given=False):
    from oneroster_conformance.client.http import OneRosterClient
    from oneroster_conformance.client.settings import ClientCredentials, Settings
    from oneroster_conformance.client.token_negotiation import negotiate
    from oneroster_conformance.provider.server import serve_in_thread

    secret = secret or load_clients()[client_id].client_secret
    with serve_in_thread(config) as server:
        settings = Settings(base_url=server.base_url, token_url=server.token_url, client_id=client_id,
                            client_secret=secret, binding=binding, rate_limit=0, scopes=scopes)
        client = OneRosterClient(settings)
        try:
            return negotiate(client.tokens, ClientCredentials(client_id, secret, scopes), binding=binding,
                             scopes_given=given)
        finally:
            client.close()


def test_basic_refused_recovers_with_the_form_body() -> None:
    from oneroster_conformance.provider.config import ProviderConfig

    done = _negotiate(ProviderConfig(faults=frozenset({"basic-refused"})))
    assert (done.style, done.method) == ("body", "POST")
    recovery = done.recovery("form-body")
    assert recovery and recovery.refused.refusal == "401 invalid_client" and recovery.worked.reply.status == 200
    assert "form body" in recovery.sentence and len(done.attempts) == 2


def test_post_refused_recovers_with_get() -> None:
    from oneroster_conformance.provider.config import ProviderConfig

    done = _negotiate(ProviderConfig(faults=frozenset({"token-get-only"})))
    assert (done.style, done.method) == ("basic", "GET") and done.recovery("get").refused.reply.status == 405
    assert "client_secret" not in done.recovery("get").worked.reply.url  # Basic only: no secret in a URL


def test_clean_provider_needs_no_recovery() -> None:
    from oneroster_conformance.provider.config import ProviderConfig

    done = _negotiate(ProviderConfig())
    assert done.recoveries == [] and len(done.attempts) == 1 and done.token.granted


def test_wrong_secret_names_both_client_authentications() -> None:
    from oneroster_conformance.client.token_negotiation import TokenRefused
    from oneroster_conformance.provider.config import ProviderConfig

    with pytest.raises(TokenRefused) as refused:
        _negotiate(ProviderConfig(), secret="not-the-secret")
    assert str(refused.value) == ("the token endpoint refused the client credentials with HTTP Basic (401 "
                                  "invalid_client) and in the form body (401 invalid_client): check the client id "
                                  "and secret (and that the client is enabled on the provider).")


def test_given_scopes_refused_are_named_not_replaced() -> None:
    from oneroster_conformance.client.token_negotiation import TokenRefused
    from oneroster_conformance.provider.config import ProviderConfig

    with pytest.raises(TokenRefused) as refused:  # 1.2 URIs asked of a 1.1 provider, by the user's choice
        _negotiate(ProviderConfig(binding="v1p1"), scopes=(ROSTER,), binding="v1p1", given=True)
    assert "the scopes roster.readonly (400 invalid_scope): check --scope" in str(refused.value)


class _Reply:
    def __init__(self, status: int, body: dict, url: str = "https://sis.example.org/token") -> None:
        self.status, self.body, self.url, self.error, self.content_type = status, body, url, None, "application/json"

    def json_or_none(self):
        return self.body


class _ScopeStrictTokens:
    """A token endpoint that refuses a request naming any scope the client lacks (RFC 6749 allows it)."""

    auth_style, method = "basic", "POST"

    def __init__(self, holds: set[str], none_ok: bool = False) -> None:
        self.holds, self.none_ok, self.asked = holds, none_ok, []

    def request(self, creds, scopes, style, method):
        self.asked.append(tuple(scopes))
        if (not scopes and self.none_ok) or (scopes and set(scopes) <= self.holds):
            return _Reply(200, {"access_token": "t0k3n", "token_type": "bearer", "scope": " ".join(scopes)})
        return _Reply(400, {"error": "invalid_scope"})

    def issued(self, reply, scopes):
        from oneroster_conformance.client.oauth import Token, TokenError

        if reply.status != 200:
            raise TokenError("refused", reply)
        return Token(reply.body["access_token"], scopes, reply.body.get("scope"), time.monotonic() + 60, reply)


def test_1p2_scopes_refused_together_are_asked_one_by_one() -> None:
    from oneroster_conformance.client.settings import ClientCredentials
    from oneroster_conformance.client.token_negotiation import negotiate

    tokens = _ScopeStrictTokens({ROSTER_CORE, ROSTER_DEMOGRAPHICS})
    done = negotiate(tokens, ClientCredentials("c", "s", ALL_SCOPES), binding="v1p2", scopes_given=False)
    assert done.scopes == (ROSTER_CORE, ROSTER_DEMOGRAPHICS)
    assert tokens.asked == [ALL_SCOPES, (ROSTER,), (ROSTER_CORE,), (ROSTER_DEMOGRAPHICS,), done.scopes]
    assert done.recovery("fewer-scopes")


def test_1p1_scopes_refused_fall_back_to_none_only_when_that_works() -> None:
    from oneroster_conformance.client.settings import ClientCredentials
    from oneroster_conformance.client.token_negotiation import TokenRefused, negotiate
    from oneroster_conformance.spec.operations import rostering_scopes

    v1p1 = ClientCredentials("c", "s", rostering_scopes("v1p1"))
    done = negotiate(_ScopeStrictTokens(set(), none_ok=True), v1p1, binding="v1p1", scopes_given=False)
    assert done.scopes == () and "without scope" in done.recovery("no-scope").sentence
    with pytest.raises(TokenRefused) as refused:
        negotiate(_ScopeStrictTokens(set()), v1p1, binding="v1p1", scopes_given=False)
    assert "for the scopes roster.readonly, roster-core.readonly, roster-demographics.readonly (400 invalid_scope) " \
           "and for no scope (400 invalid_scope): pass the scopes this client holds with --scope." in str(refused.value)
