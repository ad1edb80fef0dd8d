"""OAuth 2 client credentials (Security Framework section): token requests and a token cache.

A token is cached per (client id, scope set) until shortly before ``expires_in`` runs out, and is
fetched again once when a resource request answers 401.
"""

from __future__ import annotations

import base64
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from oneroster_conformance.client.masking import MASKER, pretty_repr
from oneroster_conformance.client.settings import ClientCredentials

EARLY_REFRESH = 30.0  # seconds before expiry at which a cached token is replaced
DEFAULT_LIFETIME = 300.0  # assumed when the provider sends no expires_in


class TokenError(Exception):
    """The token endpoint did not issue a token; ``reply`` holds the evidence."""

    def __init__(self, message: str, reply=None) -> None:
        super().__init__(message)
        self.reply = reply


@dataclass
class Token:
    access_token: str = field(repr=False)
    scopes: tuple[str, ...]
    granted: str | None  # the `scope` member as sent, None when absent
    expires_at: float
    reply: object  # the token endpoint Reply, kept as evidence
    _repr_pretty_ = pretty_repr  # hypothesis' printer ignores repr=False

    @property
    def fresh(self) -> bool:
        return time.monotonic() < self.expires_at - EARLY_REFRESH


def basic_header(client_id: str, secret: str) -> str:
    # RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


class TokenManager:
    def __init__(self, http, token_url: str, auth_style: str = "basic") -> None:
        self.http = http
        self.token_url = token_url
        self.auth_style = auth_style  # may be switched by preflight when the provider refuses HTTP Basic
        self.method = "POST"  # "GET" when preflight found a token endpoint that refuses POST
        self._cache: dict[tuple[str, tuple[str, ...]], Token] = {}
        self._lock = threading.Lock()

    def request(self, creds: ClientCredentials, scopes: tuple[str, ...] | None = None,
                style: str | None = None, method: str | None = None):
        """Send one token request and return the Reply (no caching, no judgement)."""
        scopes = creds.scopes if scopes is None else scopes
        style = style or self.auth_style
        method = method or self.method
        MASKER.register_basic(creds.client_id, creds.client_secret)
        form = {"grant_type": "client_credentials"}
        if scopes:
            form["scope"] = " ".join(scopes)
        headers = {"Accept": "application/json"}
        if style == "basic":
            headers["Authorization"] = basic_header(creds.client_id, creds.client_secret)
        else:
            form |= {"client_id": creds.client_id, "client_secret": creds.client_secret}
        if method == "GET":
            return self.http.send_raw("GET", self.token_url, params=form, headers=headers, polite=True)
        return self.http.send_raw("POST", self.token_url, data=form, headers=headers, polite=True)

    def token(self, creds: ClientCredentials, scopes: tuple[str, ...] | None = None) -> Token:
        scopes = tuple(creds.scopes if scopes is None else scopes)
        key = (creds.client_id, scopes)
        with self._lock:
            cached = self._cache.get(key)
            if cached and cached.fresh:
                return cached
        token = self.fetch(creds, scopes)
        with self._lock:
            self._cache[key] = token
        return token

    def fetch(self, creds: ClientCredentials, scopes: tuple[str, ...], style: str | None = None,
              method: str | None = None) -> Token:
        return self.issued(self.request(creds, scopes, style, method), scopes)

    def issued(self, reply, scopes: tuple[str, ...]) -> Token:
        """The Token in a token endpoint's reply, or TokenError saying why there is none."""
        if reply.error:
            raise TokenError(f"the token endpoint {self.token_url} could not be reached: {reply.error}", reply)
        if reply.status != 200:
            detail = ""
            body = reply.json_or_none()
            if isinstance(body, dict) and body.get("error"):
                detail = f" {body['error']}"
            raise TokenError(f"the token endpoint refused the token request: {reply.status}{detail}", reply)
        body = reply.json_or_none()
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            kind = "HTML" if "html" in reply.content_type else "a body without access_token"
            raise TokenError(f"the token endpoint {self.token_url} answered {kind}, not a token: "
                             "is the token URL right?", reply)
        MASKER.register(body["access_token"])
        lifetime = body.get("expires_in")
        try:
            lifetime = float(lifetime) if lifetime is not None else DEFAULT_LIFETIME
        except (TypeError, ValueError):
            lifetime = DEFAULT_LIFETIME
        granted = body.get("scope") if isinstance(body.get("scope"), str) else None
        return Token(body["access_token"], scopes, granted, time.monotonic() + lifetime, reply)

    def remember(self, creds: ClientCredentials, token: Token) -> None:
        """Cache a token preflight obtained another way (another client authentication or method)."""
        with self._lock:
            self._cache[(creds.client_id, tuple(token.scopes))] = token

    def invalidate(self, token: Token) -> None:
        with self._lock:
            for k, v in list(self._cache.items()):
                if v.access_token == token.access_token:
                    del self._cache[k]


def oauth_error(reply) -> str | None:
    """The OAuth 2 ``error`` code of a refused token request (RFC 6749 §5.2), if the body names one."""
    body = reply.json_or_none() if reply is not None and not reply.error else None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else None
