"""Security Framework › Authorization: the OAuth 2 client credentials token endpoint."""

import pytest

from oneroster_conformance.checks import answered, body_of, expect, fail, not_applicable, observe
from oneroster_conformance.client import evidence
from oneroster_conformance.client.oauth import TokenError
from oneroster_conformance.client.settings import ClientCredentials
from oneroster_conformance.spec.operations import roster_core


@pytest.fixture(scope="module")
def token_reply(harness):
    """The reply that issued the run's own token (as preflight got it, after any recovery), shared by
    the checks that judge a token response: not asked twice."""
    reply = _issued(harness, harness.settings.scopes)
    evidence.record(reply.exchange)
    return reply


def _issued(harness, scopes):
    """The reply to the run's (cached) token request for these scopes, issued or refused."""
    try:
        return harness.client.tokens.token(harness.settings.credentials(), tuple(scopes)).reply
    except TokenError as e:
        return e.reply


def _token_body(reply) -> dict:
    answered(reply)
    if reply.status != 200:
        not_applicable(f"the token endpoint answered {reply.status}; judged by auth/token-issued")
    body = body_of(reply)
    if not isinstance(body, dict) or "access_token" not in body:
        not_applicable("no token was issued; judged by auth/token-issued")
    return body


@pytest.mark.requirement("auth/token-issued")
def test_auth_token_issued(harness, token_reply):
    recovery = harness.negotiated.recovery("form-body", "get") if harness.negotiated else None
    if recovery is not None:  # preflight had to ask another way: both exchanges are the evidence
        evidence.record(recovery.refused.reply.exchange)
        evidence.record(recovery.worked.reply.exchange)
        refused, worked = recovery.refused, recovery.worked
        if recovery.kind == "form-body":
            message = (f"the token endpoint refused client authentication by HTTP Basic ({refused.refusal}) and "
                       "issued a token for the same id and secret in the form body: RFC 6749 §2.3.1 says the "
                       "authorization server MUST support HTTP Basic (for clients with a password)")
        else:
            message = (f"the token endpoint answered a POST token request with {refused.refusal} and issued a token "
                       "to the same request by GET: RFC 6749 §3.2 has clients use POST (the binding allows GET too)")
        fail(message, expected="200 and a token for a POST with the id and secret in HTTP Basic",
             actual=f"{refused.refusal}; a token {worked.how()}")
    tokens = harness.client.tokens
    if tokens.auth_style != "basic" or tokens.method != "POST":  # the run was told to use the form body
        token_reply = tokens.request(harness.settings.credentials(), style="basic", method="POST")
    answered(token_reply)
    expect(token_reply.status == 200, f"the token endpoint answered {token_reply.status} to a client credentials "
           "request authenticated by HTTP Basic", expected=200, actual=token_reply.status)
    body = body_of(token_reply)
    expect(isinstance(body, dict) and isinstance(body.get("access_token"), str) and body["access_token"],
           "the token response has no access_token", expected="access_token", actual=sorted(body) if
           isinstance(body, dict) else type(body).__name__)
    cookies = sorted({c.split("=", 1)[0].strip() for c in token_reply.headers.get_list("set-cookie")})
    if cookies:  # e.g. a load balancer's affinity cookie, which later requests must carry (as Aeries sets one)
        observe(f"the token response sets cookie(s) {', '.join(cookies)}: kept and sent back on later requests")


@pytest.mark.requirement("auth/token-type-bearer")
def test_auth_token_type_bearer(token_reply):
    body = _token_body(token_reply)
    kind = body.get("token_type")
    expect(isinstance(kind, str) and kind.lower() == "bearer", f"token_type is {kind!r}", expected="bearer",
           actual=kind)


@pytest.mark.requirement("auth/token-scope-granted")
@pytest.mark.parametrize("ask", ["all", "one"])
def test_auth_token_scope_granted(harness, token_reply, ask):
    if harness.scope_matrix_reason:  # a 1.1 provider that does not use the 1.1 scopes
        not_applicable(harness.scope_matrix_reason)
    core = roster_core(harness.binding)
    if ask == "one":  # a request for one scope must not come back with more
        token_reply = _issued(harness, (core,))  # the same request the scope checks make, made once
        evidence.record(token_reply.exchange)
    body = _token_body(token_reply)
    requested = set(harness.settings.scopes) if ask == "all" else {core}
    granted = body.get("scope")
    if granted is None and harness.binding == "v1p2":
        # RFC 6749 §5.1 lets a server leave scope out when it granted all; the binding profiles it more strictly.
        fail("the token response names no scope: the binding says the authorization server MUST provide the "
             "scopes which are made available (all or a subset of those requested)",
             expected=f"scope: all or a subset of {sorted(requested)}", actual="(absent)")
    if granted is None:
        observe("no scope member: RFC 6749 §5.1 allows that when the requested scopes were all granted (the 1.1 "
                "binding does not add the 1.2 rule that the server MUST name them)")
        return
    expect(isinstance(granted, str), f"scope is {type(granted).__name__}, not a space-separated string",
           expected="a string", actual=granted)
    extra = set(granted.split()) - requested
    expect(not extra, f"the token grants scopes that were not requested: {sorted(extra)}",
           expected=f"a subset of {sorted(requested)}", actual=granted)


@pytest.mark.requirement("auth/token-expires-in")
def test_auth_token_expires_in(token_reply):
    body = _token_body(token_reply)
    value = body.get("expires_in")
    expect(isinstance(value, int | float) and not isinstance(value, bool) and value > 0,
           f"expires_in is {value!r}", expected="a positive number of seconds (3600 recommended)", actual=value)
    if value != 3600:
        observe(f"expires_in is {value} s (3600 is the recommended default)")


@pytest.mark.requirement("auth/token-no-store")
def test_auth_token_no_store(token_reply):
    _token_body(token_reply)
    cache = token_reply.header("cache-control") or ""
    expect("no-store" in cache.lower(), f"the token response carries Cache-Control {cache!r}",
           expected="no-store", actual=cache or "(absent)")
    if "no-cache" not in (token_reply.header("pragma") or "").lower():
        observe("no Pragma: no-cache (RFC 6749 §5.1 asks for it alongside Cache-Control)")


@pytest.mark.requirement("auth/invalid-client")
def test_auth_invalid_client(harness):
    real = harness.settings.credentials()
    wrong = ClientCredentials(real.client_id, real.client_secret + "-wrong", real.scopes)
    reply = harness.client.tokens.request(wrong)
    answered(reply)
    body = reply.json_or_none()
    if reply.status == 200:
        fail("the token endpoint issued a token for a wrong client secret", expected="401 invalid_client",
             actual="200 with a token")
    allowed = {401} if harness.client.tokens.auth_style == "basic" else {400, 401}
    expect(reply.status in allowed, f"a wrong secret answered {reply.status}", expected=" or ".join(map(str, allowed)),
           actual=reply.status)
    error = body.get("error") if isinstance(body, dict) else None
    expect(error == "invalid_client", f"the error is {error!r}", expected="invalid_client", actual=error)


@pytest.mark.requirement("auth/expired-token")
def test_auth_expired_token(harness):
    import time

    from oneroster_conformance.spec.operations import by_id

    token, lifetime = harness.expiring_token()  # fetched at the start of the run: usually expired by now
    if lifetime > 15:
        not_applicable(f"no short-lived token can be had here (expires_in ≈ {lifetime:.0f} s); add a client "
                       "'conformance-short-lived' with a short token lifetime to the profile to check expiry")
    time.sleep(max(0.0, token.expires_at + 1.5 - time.monotonic()))
    reply = harness.client.get(by_id("getAllOrgs", harness.binding).path, token=token.access_token)
    answered(reply)
    expect(reply.status == 401, f"a token {lifetime:.0f} s past its expires_in still answered {reply.status}",
           expected=401, actual=reply.status)
