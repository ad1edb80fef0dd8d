"""The run's first token: telling a provider that breaks a token-endpoint rule from a user's mistake.

Preflight asks for a token as configured. When the token endpoint refuses, the refusal is read and,
where it points at the provider rather than at the credentials, the same credentials are tried once
another way:

- HTTP Basic refused (400 / 401 without ``invalid_scope``, or 200 without a token): the id and secret go
  in the form body (RFC 6749 §2.3.1 lets a server accept them there, but it MUST support Basic), and
  the other way round when the form body was asked for;
- POST refused with 405: the same request by GET (the binding: a token request "MAY use a HTTP GET
  request"; RFC 6749 §3.2 has clients use POST, so refusing POST is a finding), with Basic only, since
  a form-body GET would put the secret in the URL;
- ``invalid_scope`` for the default scopes: on 1.1 a request without scope (some 1.1 servers refuse any
  scope); on 1.2, each scope alone, and then the ones granted together (a client may hold only some).

What worked is a Recovery (kept as evidence for the checks and named in the run's header); only when
every attempt is refused does the run stop, with one sentence that names every attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.client.oauth import Token, TokenError, oauth_error
from oneroster_conformance.client.settings import ClientCredentials
from oneroster_conformance.spec.operations import short_scope

if TYPE_CHECKING:
    from oneroster_conformance.client.http import Reply


@dataclass(frozen=True)
class Attempt:
    style: str  # "basic" or "body"
    method: str  # "POST" or "GET"
    scopes: tuple[str, ...]
    reply: Reply

    @property
    def refusal(self) -> str:
        """'401 invalid_client', '405', '200 without a token'..."""
        r = self.reply
        if r.error:
            return r.error
        error = oauth_error(r)
        if r.status == 200:
            return "200 without a token"
        return f"{r.status} {error}" if error else str(r.status)

    def how(self) -> str:
        way = "with HTTP Basic" if self.style == "basic" else "in the form body"
        return way + (", by GET" if self.method == "GET" else "")


@dataclass(frozen=True)
class Recovery:
    kind: str  # "form-body", "basic", "get", "no-scope", "fewer-scopes"
    sentence: str  # what the run does instead, for the header line and the report
    refused: Attempt
    worked: Attempt


@dataclass
class Negotiated:
    token: Token
    style: str
    method: str
    scopes: tuple[str, ...]
    recoveries: list[Recovery] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)

    def recovery(self, *kinds: str) -> Recovery | None:
        return next((r for r in self.recoveries if r.kind in kinds), None)


class TokenRefused(Exception):
    """Every attempt was refused: the message is the one sentence preflight prints."""

    def __init__(self, sentence: str, error: TokenError | None) -> None:
        super().__init__(sentence)
        self.error = error


def negotiate(tokens, creds: ClientCredentials, *, binding: str, scopes_given: bool) -> Negotiated:
    """The first token of the run, recovering once from each provider-side refusal (see the module)."""
    style, method, scopes = tokens.auth_style, tokens.method, tuple(creds.scopes)
    tried: list[Attempt] = []
    while True:
        attempt, token, error = _try(tokens, creds, style, method, scopes)
        if token is not None:
            break
        tried.append(attempt)
        nxt = _next(attempt, tried, binding, scopes_given)
        if nxt is None:
            raise TokenRefused(_sentence(tried, scopes_given), error)
        style, method, scopes = nxt
        if scopes == "singles":
            attempt, token = _one_by_one(tokens, creds, style, method, attempt.scopes, tried)
            if token is None:
                raise TokenRefused(_sentence(tried, scopes_given), error)
            break
    tried.append(attempt)
    done = Negotiated(token, attempt.style, attempt.method, attempt.scopes, attempts=tried)
    done.recoveries = _recoveries(tried[0], attempt, tried)
    return done


def _try(tokens, creds, style, method, scopes) -> tuple[Attempt, Token | None, TokenError | None]:
    attempt = Attempt(style, method, scopes, tokens.request(creds, scopes, style, method))
    try:
        return attempt, tokens.issued(attempt.reply, scopes), None
    except TokenError as e:
        return attempt, None, e


def _one_by_one(tokens, creds, style, method, scopes, tried) -> tuple[Attempt, Token | None]:
    """1.2: the scopes refused together asked for one by one, then the granted ones together."""
    granted: list[tuple[Attempt, Token]] = []
    for scope in scopes:
        attempt, token, _ = _try(tokens, creds, style, method, (scope,))
        if token is None:
            tried.append(attempt)
        else:
            granted.append((attempt, token))
    if not granted:
        return tried[-1], None
    if len(granted) > 1:
        attempt, token, _ = _try(tokens, creds, style, method, tuple(a.scopes[0] for a, _ in granted))
        if token is not None:
            return attempt, token
        tried.append(attempt)
    return granted[0]


def _next(attempt: Attempt, tried: list[Attempt], binding: str, scopes_given: bool):
    """The one other way worth trying after this refusal, or None (the user must fix something)."""
    r = attempt.reply
    if r.error or r.status == 404 or "html" in r.content_type:
        return None  # unreachable or the wrong URL: nothing else to try
    error = oauth_error(r)
    ways = {(a.style, a.method) for a in tried}
    if r.status == 405 and attempt.method == "POST" and attempt.style == "basic" and ("basic", "GET") not in ways:
        return "basic", "GET", attempt.scopes
    if error == "invalid_scope":
        if scopes_given or not attempt.scopes:
            return None
        if binding == "v1p1":
            return attempt.style, attempt.method, ()
        if len(attempt.scopes) > 1:
            return attempt.style, attempt.method, "singles"
        return None
    if error == "unsupported_grant_type":
        return None
    other = "body" if attempt.style == "basic" else "basic"
    if r.status in (200, 400, 401) and (other, "POST") not in ways:
        return other, "POST", attempt.scopes
    return None


def _recoveries(first: Attempt, final: Attempt, tried: list[Attempt]) -> list[Recovery]:
    out = []
    if final.style != first.style:
        refused = next(a for a in tried if a.style == first.style)
        if final.style == "body":
            out.append(Recovery("form-body", "the token endpoint refused client authentication by HTTP "
                                f"Basic ({refused.refusal}); the run sends the client id and secret in the form body",
                                refused, final))
        else:
            out.append(Recovery("basic", f"the token endpoint refused the client id and secret in the form body "
                                f"({refused.refusal}); the run uses HTTP Basic", refused, final))
    if final.method != first.method:
        refused = next(a for a in tried if a.method == first.method)
        out.append(Recovery("get", f"the token endpoint answered a POST token request with {refused.refusal}; "
                            "the run asks for tokens by GET", refused, final))
    if final.scopes != first.scopes:
        refused = next(a for a in tried if a.scopes == first.scopes)
        if not final.scopes:
            out.append(Recovery("no-scope", f"the token endpoint refused the scopes {_names(first.scopes)} "
                                f"({refused.refusal}); the run asks for tokens without scope", refused, final))
        else:
            out.append(Recovery("fewer-scopes", f"the token endpoint refused the scopes {_names(first.scopes)} "
                                f"together ({refused.refusal}); the run asks for {_names(final.scopes)}, granted "
                                "one by one", refused, final))
    return out


def _names(scopes: tuple[str, ...]) -> str:
    return ", ".join(short_scope(s) for s in scopes) or "(none)"


def _sentence(tried: list[Attempt], scopes_given: bool) -> str:
    """One sentence naming every refused attempt and what the user can do."""
    last = tried[-1]
    url = getattr(last.reply, "url", "") or ""
    if last.reply.error:
        from urllib.parse import urlsplit

        p = urlsplit(url)
        return f"cannot reach {p.scheme}://{p.netloc}: {last.reply.error}"
    if last.reply.status == 404:
        return f"the token endpoint {url.split('?')[0]} answered 404: pass the right --token-url."
    if "html" in last.reply.content_type:
        return f"the token endpoint {url.split('?')[0]} answered HTML, not a token: pass the right --token-url."
    if last.reply.status == 200:
        return (f"the token endpoint {url.split('?')[0]} answered a body without access_token, not a token: "
                "is the token URL right?")
    scoped = [a for a in tried if oauth_error(a.reply) == "invalid_scope"]
    if scoped:
        parts = [f"{'the scopes ' + _names(tuple(a.scopes)) if a.scopes else 'no scope'} ({a.refusal})"
                 for a in tried]
        advice = ("check --scope (or the profile's scopes) against the scopes the provider grants this client"
                  if scopes_given else "pass the scopes this client holds with --scope")
        return MASKER.mask(f"the token endpoint refused the token request for {' and for '.join(parts)}"
                           f": {advice}.")
    parts = [f"{a.how()} ({a.refusal})" for a in tried]
    return MASKER.mask(f"the token endpoint refused the client credentials {' and '.join(parts)}: check the client "
                       "id and secret (and that the client is enabled on the provider).")
