"""OAuth 2 client credentials for the independent provider: clients, the token endpoint, bearer checks.

Choices made the other way from the reference provider: the token endpoint is ``/oauth2/token``;
``token_type`` is ``Bearer`` (RFC 6750 capitalisation); tokens live 1800 s; clients authenticate
with HTTP Basic only (credentials in the form body are refused, as RFC 6749 §2.3.1 allows); a 1.1 token request
must name 1.1 scope URIs (``.../spec/or/v1p1/scope/...``), as Aeries requires; a request naming
any scope the client does not hold is refused outright (``invalid_scope``), not trimmed.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus

from oneroster_conformance.resources import fixtures_dir, load_yaml
from oneroster_conformance.spec.operations import by_id

PREFIX = {"v1p2": "https://purl.imsglobal.org/spec/or/v1p2/scope/",
          "v1p1": "https://purl.imsglobal.org/spec/or/v1p1/scope/"}
LIFETIME = 1800
TOKEN_PATH = "/oauth2/token"


@dataclass(frozen=True)
class Client:
    client_id: str
    secret: str
    scopes: frozenset[str]
    lifetime: int


@dataclass(frozen=True)
class Grant:
    client_id: str
    scopes: frozenset[str]
    expires: float


class OAuthProblem(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def in_binding(scope: str, binding: str) -> str:
    """A 1.2 scope URI of the client list, as the binding names it (1.1: the v1p1 URI)."""
    return scope.replace(PREFIX["v1p2"], PREFIX[binding])


def load_clients(binding: str) -> dict[str, Client]:
    doc = load_yaml(fixtures_dir() / "clients.yaml")
    return {c["client_id"]: Client(c["client_id"], c["client_secret"],
                                   frozenset(in_binding(s, binding) for s in c.get("scopes") or ()),
                                   int(c.get("token_lifetime") or LIFETIME))
            for c in doc["clients"]}


def operation_scopes(operation_id: str, binding: str) -> frozenset[str]:
    """The scopes that grant an operation (any one of them): the 1.2 tables, renamed for 1.1."""
    return frozenset(in_binding(s, binding) for s in by_id(operation_id, "v1p2").scopes)


class Authority:
    """Issues tokens and answers whether a bearer token may call an operation."""

    def __init__(self, binding: str) -> None:
        self.binding = binding
        self.clients = load_clients(binding)
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ the token endpoint
    def token(self, method: str, query: str, body: bytes, authorization: str | None) -> dict:
        if method not in ("POST", "GET"):
            raise OAuthProblem(405, "invalid_request", "token requests are POST (or GET)")
        in_url = dict(parse_qsl(query, keep_blank_values=True))
        if "client_secret" in in_url:
            raise OAuthProblem(400, "invalid_request", "a client secret never travels in a URL")
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)) if method == "POST" else in_url
        client_id, secret = self._credentials(authorization, form)
        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(secret.encode(), client.secret.encode()):
            raise OAuthProblem(401, "invalid_client", "client authentication failed")
        if form.get("grant_type") != "client_credentials":
            error = "invalid_request" if "grant_type" not in form else "unsupported_grant_type"
            raise OAuthProblem(400, error, "grant_type must be client_credentials")
        asked = form.get("scope", "").split()
        if not asked:
            raise OAuthProblem(400, "invalid_scope", "name the scopes you need (scope is required)")
        if any(s not in client.scopes for s in asked):
            raise OAuthProblem(400, "invalid_scope", "a requested scope is not available to this client")
        value = secrets.token_hex(24)
        with self._lock:
            now = time.time()
            if len(self._grants) > 5000:
                self._grants = {k: g for k, g in self._grants.items() if g.expires > now}
            self._grants[value] = Grant(client.client_id, frozenset(asked), now + client.lifetime)
        return {"access_token": value, "token_type": "Bearer", "expires_in": client.lifetime,
                "scope": " ".join(asked)}

    @staticmethod
    def _credentials(authorization: str | None, form: dict[str, str]) -> tuple[str, str]:
        if authorization:
            scheme, _, encoded = authorization.partition(" ")
            if scheme.lower() != "basic":
                raise OAuthProblem(401, "invalid_client", "use HTTP Basic client authentication")
            try:
                user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthProblem(401, "invalid_client", "malformed HTTP Basic credentials") from None
            if not sep or "client_secret" in form:
                raise OAuthProblem(401, "invalid_client", "malformed HTTP Basic credentials")
            return unquote_plus(user), unquote_plus(password)
        # RFC 6749 §2.3.1: a server MUST support HTTP Basic and MAY accept the body form; this one does not
        raise OAuthProblem(401, "invalid_client", "client authentication is required, with HTTP Basic")

    # ------------------------------------------------------------------ resource requests
    def check(self, authorization: str | None, operation_id: str) -> tuple[int, str, str] | None:
        """None when allowed, else (status, codeMinor, description) with the challenge kept apart."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return 401, "unauthorisedrequest", "a bearer token is required"
        with self._lock:
            grant = self._grants.get(value.strip())
        if grant is None or grant.expires <= time.time():
            return 401, "unauthorisedrequest", "the access token is unknown or has expired"
        if not grant.scopes & operation_scopes(operation_id, self.binding):
            return 403, "forbidden", "the access token's scopes do not include this operation"
        return None
