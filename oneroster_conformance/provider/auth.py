"""OAuth 2 client credentials (RFC 6749 §4.4) and bearer tokens (RFC 6750) with exact scopes.

The token endpoint lives outside the service root (as real providers run it). A token is granted
the requested scopes the client holds, matched as exact strings; tokens are random, kept in
memory with their expiry. An operation is granted by any ONE of the scopes it lists (the spec's
prose scope tables, not the OpenAPI's literal "all of them").

OneRoster 1.1 (and the Aeries flavour) works the same way with the 1.1 scope URIs: a token request
must name at least one scope (Aeries: "Scopes MUST be included in the request"), the response lists
the scopes granted, and each operation needs one of the 1.1 scopes its endpoint table names.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse

from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.errors import ProviderError
from oneroster_conformance.resources import fixtures_dir, load_yaml
from oneroster_conformance.spec.operations import (
    ALL_SCOPES,
    GRADEBOOK_CORE,
    GRADEBOOK_READ,
    SCOPE_PREFIX,
    SCOPE_PREFIXES,
    Operation,
    short_scope,
)


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    scopes: frozenset[str]
    description: str = ""
    token_lifetime: int | None = None  # overrides the provider's lifetime (a short-lived client for expiry tests)


@dataclass(frozen=True)
class Token:
    client_id: str
    scopes: frozenset[str]
    expires_at: float


@cache
def load_clients() -> dict[str, Client]:
    """The built-in clients of fixtures/clients.yaml, by client_id."""
    doc = load_yaml(fixtures_dir() / "clients.yaml")
    return {
        c["client_id"]: Client(c["client_id"], c["client_secret"], frozenset(c.get("scopes") or ()),
                               c.get("description", ""), c.get("token_lifetime"))
        for c in doc["clients"]
    }


def clients_for(config: ProviderConfig) -> dict[str, Client]:
    """The clients this provider knows: the built-in OAuth clients (holding the 1.1 URIs of their scopes
    on a 1.1 provider), or the Aeries flavour's API records (every 1.1 scope, as Aeries grants them)."""
    if config.flavour == "aeries":
        from oneroster_conformance.provider import aeries

        return {cid: Client(cid, r.secret, aeries.SCOPES, r.record, r.token_lifetime or aeries.TOKEN_LIFETIME)
                for cid, r in aeries.active_records(config).items()}
    if config.binding == "v1p1":
        return _clients_v1p1()
    return load_clients()


@cache
def _clients_v1p1() -> dict[str, Client]:
    prefix = SCOPE_PREFIXES["v1p1"]
    return {cid: Client(c.client_id, c.client_secret,
                        frozenset(prefix + short_scope(s) if s.startswith(SCOPE_PREFIX) else s for s in c.scopes),
                        c.description, c.token_lifetime)
            for cid, c in load_clients().items()}


class TokenStore:
    def __init__(self, lifetime: int) -> None:
        self.lifetime = lifetime
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def issue(self, client_id: str, scopes: frozenset[str], lifetime: int | None = None) -> str:
        value = secrets.token_urlsafe(32)
        now = time.time()
        with self._lock:
            # Forget expired tokens now and then so a long run does not grow without bound.
            if len(self._tokens) > 10_000:
                self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}
            self._tokens[value] = Token(client_id, scopes, now + (lifetime or self.lifetime))
        return value

    def get(self, value: str) -> Token | None:
        with self._lock:
            return self._tokens.get(value)


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str, basic_challenge: bool = False) -> None:
        super().__init__(description)
        self.status, self.error, self.description, self.basic_challenge = status, error, description, basic_challenge

    def response(self) -> JSONResponse:
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        if self.basic_challenge:
            headers["WWW-Authenticate"] = 'Basic realm="OneRoster token endpoint"'
        return JSONResponse({"error": self.error, "error_description": self.description},
                            status_code=self.status, headers=headers)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError(401, "invalid_client", "Client authentication must use HTTP Basic.", True)
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(401, "invalid_client", "Malformed HTTP Basic credentials.", True) from None
    user, sep, password = decoded.partition(":")
    if not sep:
        raise OAuthError(401, "invalid_client", "Malformed HTTP Basic credentials.", True)
    # RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    return unquote_plus(user), unquote_plus(password)


def _granted_scopes(requested: list[str], client: Client, config: ProviderConfig) -> frozenset[str]:
    granted = {s for s in requested if s in client.scopes}
    if config.has("scope-prefix-match"):
        # The fault: a near-miss string that contains a real scope counts as that scope.
        granted |= {real for s in requested for real in client.scopes if real in s}
    return frozenset(granted)


async def token_endpoint(request: Request) -> JSONResponse:
    state = request.app.state.provider
    config: ProviderConfig = state.config
    try:
        return await _token(request, config, state.tokens)
    except OAuthError as e:
        return e.response()


async def _token(request: Request, config: ProviderConfig, tokens: TokenStore) -> JSONResponse:
    if request.method not in ("POST", "GET") or (request.method == "POST" and config.has("token-get-only")):
        raise OAuthError(405, "invalid_request", "Use POST (or GET) for token requests.")
    query = dict(parse_qsl(request.url.query, keep_blank_values=True))
    if "client_secret" in query:
        raise OAuthError(400, "invalid_request", "The client secret must not be sent in the URL.")
    if request.method == "POST":
        body = (await request.body()).decode("utf-8", "replace")
        form = dict(parse_qsl(body, keep_blank_values=True))
    else:
        form = query
    basic = _basic_credentials(request)
    if basic and config.has("basic-refused"):
        raise OAuthError(401, "invalid_client", "HTTP Basic client authentication is not supported.", True)
    if basic and "client_secret" in form:
        raise OAuthError(400, "invalid_request", "Use one client authentication method, not two.")
    if basic:
        client_id, secret = basic
    elif "client_id" in form and request.method == "POST":
        client_id, secret = form["client_id"], form.get("client_secret", "")
    else:
        raise OAuthError(401, "invalid_client", "Client authentication is required (HTTP Basic).", True)
    client = clients_for(config).get(client_id)
    if client is None or not (
        secrets.compare_digest(secret.encode(), client.client_secret.encode()) or config.has("bad-secret-accepted")
    ):
        raise OAuthError(401, "invalid_client", "Unknown client or wrong secret.", True)
    grant = form.get("grant_type")
    if not grant:
        raise OAuthError(400, "invalid_request", "grant_type is required.")
    if grant != "client_credentials":
        raise OAuthError(400, "unsupported_grant_type", "Only client_credentials is supported.")
    requested = form.get("scope", "").split()
    if not requested:  # 1.2: "The inclusion of scopes is REQUIRED"; Aeries says the same of 1.1
        raise OAuthError(400, "invalid_scope", "The scope parameter is required (at least one scope).")
    granted = _granted_scopes(requested, client, config)
    if not granted:
        raise OAuthError(400, "invalid_scope", "None of the requested scopes is available to this client.")
    value = tokens.issue(client.client_id, granted, client.token_lifetime)
    body: dict[str, object] = {"access_token": value, "token_type": "mac" if config.has("token-type-mac") else "bearer"}
    if not config.has("token-no-expires-in"):
        body["expires_in"] = client.token_lifetime or tokens.lifetime
    shown = ALL_SCOPES if config.has("token-scope-superset") else sorted(granted, key=requested_order(requested))
    if not config.has("token-no-scope"):
        body["scope"] = " ".join(shown)
    headers = {} if config.has("token-cacheable") else {"Cache-Control": "no-store", "Pragma": "no-cache"}
    response = JSONResponse(body, headers=headers)
    if config.flavour == "aeries":
        from oneroster_conformance.provider.aeries import affinity_headers

        for name, cookie in affinity_headers():
            response.headers.append(name, cookie)
    return response


def requested_order(requested: list[str]):
    """Sort key keeping the granted scopes in the order they were asked for."""
    index = {s: i for i, s in enumerate(requested)}
    return lambda s: (index.get(s, len(index)), s)


# ------------------------------------------------------------------------------- resource requests
def _unauthorized(description: str, error: str | None, config: ProviderConfig) -> ProviderError:
    challenge = 'Bearer realm="OneRoster"' + (f', error="{error}"' if error else "")
    return ProviderError(401, description, headers={"WWW-Authenticate": challenge})


def authorize(request: Request, op: Operation, config: ProviderConfig, tokens: TokenStore) -> str | None:
    """Check the bearer token against the operation's scopes; return the token (for token-in-link)."""
    if config.has("no-auth"):
        return None
    if config.auth == "oauth1":
        return _authorize_signed(request, op, config)
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if not header:
        raise _unauthorized("An access token is required.", None, config)
    if scheme.lower() != "bearer" or not value or " " in value:
        raise _unauthorized("The Authorization header must be 'Bearer <token>'.", "invalid_request", config)
    token = tokens.get(value)
    if token is None:
        if config.has("any-token-accepted"):
            return value
        raise _unauthorized("The access token is not valid.", "invalid_token", config)
    if token.expires_at <= time.time() and not config.has("expired-token-accepted"):
        raise _unauthorized("The access token has expired.", "invalid_token", config)
    if config.has("scope-not-enforced"):
        return value
    allowed = op.scopes <= token.scopes if config.has("scope-all-required") else bool(op.scopes & token.scopes)
    if config.has("gradebook-core-overgrants") and GRADEBOOK_READ in op.scopes and GRADEBOOK_CORE in token.scopes:
        allowed = True  # the fault: the core scope reads what only gradebook.readonly grants
    if not allowed:
        needed = " ".join(sorted(op.scopes))
        if config.has("scope-401"):
            raise _unauthorized("The access token does not grant this operation.", "insufficient_scope", config)
        raise ProviderError(
            403, "The access token's scopes do not grant this operation.",
            headers={"WWW-Authenticate": f'Bearer realm="OneRoster", error="insufficient_scope", scope="{needed}"'},
        )
    _check_permission(token.client_id, op, config)  # the Aeries flavour: the record's permissions as well
    return value


def _authorize_signed(request: Request, op: Operation, config: ProviderConfig) -> None:
    """OAuth 1.0a: the request must be signed by a known consumer (authlib's verification)."""
    from oneroster_conformance.provider.oauth1 import SignatureError

    verifier = request.app.state.provider.extra["oauth1"]
    try:
        consumer = verifier.verify(request)
    except SignatureError as e:
        raise ProviderError(401, str(e), headers={"WWW-Authenticate": 'OAuth realm="OneRoster"'}) from None
    _check_permission(consumer, op, config)


def _check_permission(client_id: str, op: Operation, config: ProviderConfig) -> None:
    """Aeries flavour: the API record needs Read on the area behind the collection the operation returns."""
    if config.flavour != "aeries":
        return
    from oneroster_conformance.provider import aeries

    record = aeries.active_records(config).get(client_id)
    needed = aeries.required_permission(op.path)
    if record is None or (needed is not None and needed not in record.permissions):
        raise ProviderError(403, f"This API record has no Read permission on {needed}.")
