"""Authentication as 1.1 providers run it: OAuth 2 against a token URL outside the service root with
load-balancer cookies to resend, and OAuth 1.0a HMAC-SHA256 signing (authlib on both ends)."""

from __future__ import annotations

import httpx
import pytest

from oneroster_conformance.client.http import OneRosterClient
from oneroster_conformance.client.oauth1 import authorization
from oneroster_conformance.client.settings import Settings
from oneroster_conformance.harness import load_builtin_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import serve_in_thread
from oneroster_conformance.spec.operations import rostering_scopes


class Recording(httpx.HTTPTransport):
    """The real transport, remembering each request's Cookie header."""

    def __init__(self) -> None:
        super().__init__()
        self.cookies: list[tuple[str, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.cookies.append((request.url.path, request.headers.get("cookie")))
        return super().handle_request(request)


@pytest.fixture(scope="module")
def aeries_server():
    with serve_in_thread(ProviderConfig(binding="v1p1", flavour="aeries")) as running:
        yield running


@pytest.fixture(scope="module")
def signed_server():
    with serve_in_thread(ProviderConfig(binding="v1p1", auth="oauth1")) as running:
        yield running


def _client(server, auth: str = "oauth2", key: str = "conformance-all", flavour: str | None = "aeries",
            transport=None) -> OneRosterClient:
    creds = load_builtin_clients(flavour)[key]
    settings = Settings(base_url=server.base_url, token_url=server.token_url, client_id=creds.client_id,
                        client_secret=creds.client_secret, scopes=rostering_scopes("v1p1"), binding="v1p1",
                        rate_limit=0, auth=auth)
    return OneRosterClient(settings, transport=transport)


def test_token_url_outside_the_service_root_and_affinity_cookies_resent(aeries_server):
    assert aeries_server.token_url.endswith("/admin/token/")
    transport = Recording()
    client = _client(aeries_server, transport=transport)
    assert client.get("/orgs").status == 200
    assert client.get("/schools").status == 200
    token_call, *resource_calls = transport.cookies
    assert token_call == ("/admin/token/", None)
    assert resource_calls and all(path.startswith("/admin/ims/oneroster/v1p1/") and cookie and "ARRAffinity=" in cookie
                                  for path, cookie in resource_calls)
    client.close()


def test_oauth1_signed_requests_are_verified_by_the_provider(signed_server):
    client = _client(signed_server, auth="oauth1", flavour=None)
    reply = client.get("/users", {"filter": "givenName~'é' AND role='student'", "limit": 5, "sort": "familyName"})
    assert reply.status == 200, reply.content
    assert reply.exchange.request_headers["authorization"] == "***"  # never in evidence
    assert client.get("/orgs/org-district").status == 200
    client.close()


def test_oauth1_signature_uses_hmac_sha256(signed_server):
    header = authorization("id", "secret", "GET", signed_server.base_url + "/orgs")
    assert header.startswith("OAuth ") and 'oauth_signature_method="HMAC-SHA256"' in header


def _signed(server, key: str, secret: str | None = None, url: str | None = None) -> dict[str, str]:
    creds = load_builtin_clients()[key]
    return {"Authorization": authorization(creds.client_id, secret or creds.client_secret, "GET",
                                           url or server.base_url + "/orgs")}


@pytest.mark.parametrize("case", ["unsigned", "bearer", "wrong-secret", "unknown-consumer", "tampered-url", "replay"])
def test_oauth1_refusals(signed_server, case):
    url = signed_server.base_url + "/orgs"
    with httpx.Client() as http:
        if case == "unsigned":
            headers = {}
        elif case == "bearer":
            headers = {"Authorization": "Bearer made-up"}
        elif case == "wrong-secret":
            headers = _signed(signed_server, "conformance-all", secret="not-the-secret")
        elif case == "unknown-consumer":
            headers = {"Authorization": authorization("nobody", "x", "GET", url)}
        elif case == "tampered-url":
            headers = _signed(signed_server, "conformance-all", url=url + "?limit=1")
        else:
            headers = _signed(signed_server, "conformance-all")
            assert http.get(url, headers=headers).status_code == 200
        response = http.get(url, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["imsx_codeMajor"] == "failure"
