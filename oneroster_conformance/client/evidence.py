"""Evidence of HTTP exchanges, captured per check and masked before it is kept."""

from __future__ import annotations

import contextvars
import re
import shlex
from urllib.parse import unquote, unquote_plus

import httpx

from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.client.redaction import CLAUSE, REDACTOR, is_personal_field
from oneroster_conformance.exchange import Exchange

BODY_EXCERPT = 4000
_current: contextvars.ContextVar[list[Exchange] | None] = contextvars.ContextVar("evidence", default=None)


def start_capture() -> list[Exchange]:
    bucket: list[Exchange] = []
    _current.set(bucket)
    return bucket


def stop_capture() -> list[Exchange]:
    bucket = _current.get() or []
    _current.set(None)
    return bucket


def record(exchange: Exchange) -> None:
    """Keep an exchange as evidence of the running check; one shown again moves to the end, so the
    last exchanges kept are those the check judged last (a shrunk hypothesis example replays last)."""
    bucket = _current.get()
    if bucket is None:
        return
    for i, kept in enumerate(bucket):
        if kept is exchange:
            del bucket[i]
            break
    bucket.append(exchange)


def curl_line(request: httpx.Request, body: bytes | None = None) -> str:
    """A curl command that reproduces the request, always valid shell.

    Credentials become shell variables ($ONEROSTER_TOKEN, $ONEROSTER_CLIENT_ID, $ONEROSTER_CLIENT_SECRET);
    a token the harness made up on purpose (an invalid-token probe) stays as sent. In redacted evidence a
    filter with a personal value is sent through ``-G --data-urlencode`` with a named variable
    (``$VALUE_1``) where the value was: the command refuses to run until it is set, and says which."""
    parts = ["curl", "-sS", "-i", "-X", request.method]
    for k, v in request.headers.items():
        kl = k.lower()
        if kl in {"host", "content-length", "accept-encoding", "connection", "user-agent"}:
            continue
        if kl == "authorization":
            scheme, _, credential = v.partition(" ")
            if scheme.lower() == "basic":
                parts += ["-u", '"$ONEROSTER_CLIENT_ID:$ONEROSTER_CLIENT_SECRET"']
            elif MASKER.contains_secret(credential) or not credential:
                parts += ["-H", f'"Authorization: {_dq(scheme)} $ONEROSTER_TOKEN"']
            else:
                parts += ["-H", shlex.quote(f"{k}: {v}")]
            continue
        parts += ["-H", shlex.quote(f"{k}: {MASKER.mask(v)}")]
    if body:
        text = body.decode("utf-8", "replace")
        if REDACTOR.enabled and text.lstrip().startswith(("{", "[")):  # a write's JSON body: redacted as answers are
            text = REDACTOR.body(text)
        parts += ["--data", shlex.quote(MASKER.mask(text))]
    url, filters = _split_personal_filters(MASKER.mask(str(request.url)))
    if filters:
        parts.append("-G")
        names: dict[str, str] = {}
        for text in filters:
            parts += ["--data-urlencode", f'"filter={_placeholders(text, names)}"']
    parts.append(shlex.quote(url))
    return " ".join(parts)


def _split_personal_filters(url: str) -> tuple[str, list[str]]:
    """The URL without its filter parameters that hold a personal value, and those filters (decoded)."""
    if not REDACTOR.enabled or "?" not in url:
        return url, []
    head, _, query = url.partition("?")
    kept, filters = [], []
    for pair in query.split("&"):
        name, eq, raw = pair.partition("=")
        if eq and unquote(name) == "filter" and REDACTOR.personal_clauses(unquote_plus(raw)):
            filters.append(unquote_plus(raw))
        else:
            kept.append(pair)
    return (head + "?" + "&".join(kept) if kept else head), filters


def _placeholders(text: str, names: dict[str, str]) -> str:
    """The filter for a double-quoted shell word, each personal value a ${VALUE_n:?...} variable."""
    out, pos = [], 0
    for m in CLAUSE.finditer(text):
        if not is_personal_field(m.group("field")):
            continue
        marker = REDACTOR.pseudonym(m.group("value").replace("''", "'"))
        var = names.setdefault(marker, f"VALUE_{len(names) + 1}")
        field = re.sub(r"[^\w.:-]", "", m.group("field"))
        out.append(_dq(text[pos:m.start("value")]))
        out.append(f"${{{var}:?set {var} to the {field} value shown as {marker}}}")
        pos = m.end("value")
    out.append(_dq(text[pos:]))
    return "".join(out)


def _dq(text: str) -> str:
    """Text safe inside a double-quoted shell word."""
    return re.sub(r'([\\"$`])', r"\\\1", text)


def _redacted(headers: dict[str, str]) -> dict[str, str]:
    return {k: REDACTOR.text(v) or "" for k, v in headers.items()} if REDACTOR.enabled else headers


class LazyExchange:
    """An exchange as it happened, masked and redacted only when something reads it.

    Most exchanges belong to checks that pass, whose evidence is never kept: building the masked
    headers, the curl line and the (redacted) body excerpt of every request cost more than the
    request itself on a large sweep. Reading any attribute builds the Exchange once; it is built
    with what the masker and redactor know then, which is never less than they knew before."""

    __slots__ = ("_parts", "_built")

    def __init__(self, request: httpx.Request, response: httpx.Response | None, body: bytes,
                 elapsed_ms: float | None, error: str | None) -> None:
        # Only what the excerpt can use is kept (64 KB), never a whole page of a large sweep.
        self._parts = (request, response, body[:64_000], len(body), elapsed_ms, error)
        self._built: Exchange | None = None

    def materialize(self) -> Exchange:
        if self._built is None:
            self._built = _build(*self._parts)
            self._parts = None
        return self._built

    def __getattr__(self, name: str):
        return getattr(self.materialize(), name)

    def __repr__(self) -> str:
        return repr(self.materialize())


def materialize(exchanges: list) -> list[Exchange]:
    """The evidence a result keeps, as masked Exchange records."""
    return [e.materialize() if isinstance(e, LazyExchange) else e for e in exchanges]


def exchange_of(
    request: httpx.Request,
    response: httpx.Response | None,
    body: bytes = b"",
    elapsed_ms: float | None = None,
    error: str | None = None,
) -> LazyExchange:
    return LazyExchange(request, response, body, elapsed_ms, error)


def _build(request: httpx.Request, response: httpx.Response | None, body: bytes, size: int,
           elapsed_ms: float | None, error: str | None) -> Exchange:
    req_body = request.content if request.method != "GET" else None
    excerpt = body[:BODY_EXCERPT].decode("utf-8", "replace")
    if size > BODY_EXCERPT:
        excerpt += f"\n... ({size} bytes in all)"
    if REDACTOR.enabled:
        excerpt = REDACTOR.body(body[:64_000].decode("utf-8", "replace"))[:BODY_EXCERPT] if body else ""
    return Exchange(
        method=request.method,
        url=REDACTOR.url(MASKER.mask(str(request.url))) or "",
        status=response.status_code if response is not None else None,
        request_headers=MASKER.headers(request.headers),
        response_headers=_redacted(MASKER.headers(response.headers)) if response is not None else {},
        body_excerpt=MASKER.mask(excerpt),
        elapsed_ms=elapsed_ms,
        curl=curl_line(request, req_body),
        error=MASKER.mask(error) if error else None,
    )
