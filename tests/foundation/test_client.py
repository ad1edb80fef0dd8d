"""The HTTP client: polite, bounded, and it never leaks a secret or follows a token to another host."""

import time

import httpx
import pytest

from oneroster_conformance.client.http import OneRosterClient, encode_query
from oneroster_conformance.client.masking import MASKER, Masker
from oneroster_conformance.client.settings import Settings

SECRET = "s3cr3t-client-secret-value-xyz"
TOKEN = "tok-abcdef0123456789-live"


def make(handler, **kw) -> OneRosterClient:
    s = Settings(base_url="https://sis.example.org/ims/oneroster/rostering/v1p2",
                 token_url="https://sis.example.org/token", client_id="cid", client_secret=SECRET,
                 rate_limit=0, **kw)
    return OneRosterClient(s, transport=httpx.MockTransport(handler))


def token_handler(extra=None):
    calls = {"token": 0, "auth": []}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            calls["token"] += 1
            return httpx.Response(200, json={"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600})
        calls["auth"].append(request.headers.get("authorization"))
        return extra(request) if extra else httpx.Response(200, json={"orgs": []})
    return handler, calls


def test_token_is_cached_and_sent_as_bearer():
    handler, calls = token_handler()
    c = make(handler)
    for _ in range(3):
        assert c.get("/orgs").status == 200
    assert calls["token"] == 1
    assert calls["auth"] == [f"Bearer {TOKEN}"] * 3


def test_a_401_fetches_a_new_token_once():
    state = {"n": 0}

    def resource(request):
        state["n"] += 1
        return httpx.Response(401 if state["n"] == 1 else 200, json={})
    handler, calls = token_handler(resource)
    reply = make(handler).get("/orgs")
    assert reply.status == 200 and calls["token"] == 2


def test_evidence_and_curl_are_masked():
    handler, _ = token_handler(lambda r: httpx.Response(200, json={"echo": r.headers["authorization"]}))
    c = make(handler)
    c.tokens.request(c.settings.credentials())
    reply = c.get("/orgs", {"filter": "name='a b'"})
    ex = reply.exchange
    text = repr(ex)
    assert TOKEN not in text and SECRET not in text
    assert "$ONEROSTER_TOKEN" in ex.curl
    assert "filter=name%3D%27a%20b%27" in ex.curl


def test_masker_masks_basic_credentials_and_url_params():
    m = Masker()
    m.register_basic("cid", SECRET)
    assert SECRET not in m.mask(f"https://x/token?client_secret={SECRET}&a=1")
    assert "access_token=***" in m.mask("https://x/users?access_token=abc123&limit=1")
    assert m.mask("Authorization: Basic Y2lkOnMzY3IzdA==") == "Authorization: Basic ***"


def test_retry_after_is_honoured_and_capped():
    state = {"n": 0}

    def resource(request):
        state["n"] += 1
        if state["n"] == 1:
            return httpx.Response(429, headers={"Retry-After": "120"}, json={})
        return httpx.Response(200, json={"orgs": []})
    handler, _ = token_handler(resource)
    c = make(handler, retry_after_cap=0.2)
    started = time.monotonic()
    assert c.get("/orgs").status == 200
    assert 0.15 < time.monotonic() - started < 5


def test_redirect_to_another_host_is_not_followed_and_token_not_sent():
    seen_hosts = []

    def resource(request):
        seen_hosts.append(request.url.host)
        return httpx.Response(302, headers={"Location": "https://evil.example.net/steal"})
    handler, calls = token_handler(resource)
    reply = make(handler).get("/orgs")
    assert reply.status == 302 and reply.redirected_to == "https://evil.example.net/steal"
    assert seen_hosts == ["sis.example.org"]


def test_same_origin_redirect_is_followed():
    def resource(request):
        if request.url.path.endswith("/orgs"):
            return httpx.Response(301, headers={"Location": "/ims/oneroster/rostering/v1p2/orgs/"})
        return httpx.Response(200, json={"orgs": []})
    handler, _ = token_handler(resource)
    assert make(handler).get("/orgs").status == 200


def test_body_size_is_capped():
    handler, _ = token_handler(lambda r: httpx.Response(200, content=b"x" * 500_000))
    reply = make(handler, max_body_bytes=10_000).get("/orgs")
    assert reply.error and "larger than" in reply.error
    assert len(reply.content) < 100_000


def test_query_encoding_uses_percent_twenty():
    assert encode_query({"filter": "a='b c'", "limit": 5}) == "filter=a%3D%27b%20c%27&limit=5"
    assert encode_query([("limit", 1), ("limit", 2)]) == "limit=1&limit=2"


@pytest.fixture(autouse=True)
def _fresh_masker():
    yield
    MASKER.register(SECRET, TOKEN)


def test_once_sends_a_request_once_and_gives_each_check_its_evidence():
    from oneroster_conformance.client import evidence

    handler, calls = token_handler()
    c = make(handler)
    evidence.start_capture()
    first = c.once("GET", "/orgs", {"limit": 1}, token=False)
    assert evidence.stop_capture() == [first.exchange]
    evidence.start_capture()
    again = c.once("GET", "/orgs", {"limit": 1}, token=False)
    assert again is first and evidence.stop_capture() == [first.exchange]  # the second check shows it too
    c.once("GET", "/orgs", {"limit": 1})  # another credential (a managed token): another request
    c.once("GET", "/orgs", {"limit": 2}, token=False)  # another URL: another request
    assert len(calls["auth"]) == 3
