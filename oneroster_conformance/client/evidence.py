"""Evidence of HTTP exchanges, captured per check and masked before it is kept."""

from __future__ import annotations

import contextvars
import shlex

import httpx

from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.client.redaction import REDACTOR
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
    bucket = _current.get()
    if bucket is not None and exchange not in bucket:
        bucket.append(exchange)


def curl_line(request: httpx.Request, body: bytes | None = None) -> str:
    """A curl command that reproduces the request; credentials become shell variables."""
    parts = ["curl", "-sS", "-i", "-X", request.method]
    for k, v in request.headers.items():
        kl = k.lower()
        if kl in {"host", "content-length", "accept-encoding", "connection", "user-agent"}:
            continue
        if kl == "authorization":
            scheme = v.split(" ", 1)[0]
            if scheme.lower() == "basic":
                parts += ["-u", '"$ONEROSTER_CLIENT_ID:$ONEROSTER_CLIENT_SECRET"']
            else:
                parts += ["-H", f'"Authorization: {scheme} $ONEROSTER_TOKEN"']
            continue
        parts += ["-H", shlex.quote(f"{k}: {MASKER.mask(v)}")]
    if body:
        parts += ["--data", shlex.quote(MASKER.mask(body.decode("utf-8", "replace")))]
    parts.append(shlex.quote(MASKER.mask(str(request.url))))
    return " ".join(parts)


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
        url=REDACTOR.text(MASKER.mask(str(request.url))),
        status=response.status_code if response is not None else None,
        request_headers=MASKER.headers(request.headers),
        response_headers=_redacted(MASKER.headers(response.headers)) if response is not None else {},
        body_excerpt=MASKER.mask(excerpt),
        elapsed_ms=elapsed_ms,
        curl=REDACTOR.text(curl_line(request, req_body)),
        error=MASKER.mask(error) if error else None,
    )
