"""Security Framework › Authorization: resource endpoints refuse requests without a valid token."""

import pytest

from oneroster_conformance.checks import answered, expect, fail, require_working
from oneroster_conformance.client.masking import MASKER


@pytest.mark.requirement("auth/token-required")
def test_auth_token_required(harness, client, top_collection):
    require_working(harness, top_collection)
    reply = client.once("GET", top_collection.path, token=False)
    answered(reply)
    expect(reply.status == 401, f"{top_collection.path} without a token answered {reply.status}", expected=401,
           actual=reply.status)


INVALID_TOKENS = {"made-up": "0c2f9e1b7a5d4e3f8a6b2c1d0e9f8a7b", "malformed": "not a token  \"'"}


@pytest.mark.requirement("auth/invalid-token")
@pytest.mark.in_turn("kind", sorted(INVALID_TOKENS))  # both spellings meet every service, not every collection
def test_auth_invalid_token(harness, client, top_collection, kind):
    require_working(harness, top_collection)
    reply = client.get(top_collection.path, token=INVALID_TOKENS[kind])
    answered(reply)
    expect(reply.status == 401, f"{top_collection.path} with a {kind} token answered {reply.status}", expected=401,
           actual=reply.status)


@pytest.mark.requirement("auth/credentials-not-in-url")
def test_auth_credentials_not_in_url(harness, crawl):
    """No secret or token travels in a URL or comes back in a response (checked on raw bytes)."""
    replies = [r for r in (crawl.collection(op.operation_id).first for op in crawl.top_level()) if r is not None]
    token_reply = harness.client.tokens.token(harness.settings.credentials()).reply
    for reply in [token_reply, *replies]:
        if reply.url and MASKER.contains_secret(reply.url):
            fail(f"a request URL carries a credential: {MASKER.mask(reply.url)}", expected="no credential in URLs")
        link = reply.header("link") or ""
        if MASKER.contains_secret(link) or "access_token=" in link.lower():
            fail("the Link header carries a credential in its URLs", expected="no credential in Link URLs",
                 actual=MASKER.mask(link))
        echoed = MASKER.contains_secret(reply.content.decode("utf-8", "replace"))
        if echoed and reply is not token_reply:
            fail(f"{reply.method} {MASKER.mask(reply.url)} echoes a credential in its body",
                 expected="no credential in responses", actual="a secret or token (masked)")
    body = token_reply.json_or_none() or {}
    if isinstance(body, dict) and harness.settings.client_secret in str(body):
        fail("the token response echoes the client secret", expected="no secret in the token response")
