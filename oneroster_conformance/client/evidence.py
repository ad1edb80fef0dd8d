"""Evidence of HTTP exchanges, captured per check and masked before it is kept."""

from __future__ import annotations

import contextvars
import shlex

import httpx

from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.client.redaction import REDACTOR
from oneroster_conformance.report.model import Exchange

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


def exchange_of(
    request: httpx.Request,
    response: httpx.Response | None,
    body: bytes = b"",
    elapsed_ms: float | None = None,
    error: str | None = None,
) -> Exchange:
    req_body = request.content if request.method != "GET" else None
    excerpt = body[:BODY_EXCERPT].decode("utf-8", "replace")
    if len(body) > BODY_EXCERPT:
        excerpt += f"\n... ({len(body)} bytes in all)"
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
