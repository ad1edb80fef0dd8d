"""The one HTTP client of a run: pooled, polite, time-bounded, secret-safe.

* one httpx.Client (connection reuse) shared by every check;
* a global rate limit and bounded concurrency (politeness.RateLimiter);
* a timeout on every request and an overall deadline while a body streams in;
* a cap on body size, so a hostile 2 GB body costs at most the cap;
* 429 (and 502/503 with Retry-After) honoured, capped, a bounded number of times;
* redirects followed only within the same origin; the bearer token never goes to another host;
* every exchange captured as masked evidence for the check that caused it;
* cookies a provider sets (a load balancer's ARRAffinity on the token response) stay in httpx's
  cookie jar and are resent on later requests, as the load balancer expects (tests/v1p1/test_auth).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote, urljoin, urlsplit

import httpx

from oneroster_conformance import __version__
from oneroster_conformance.client import evidence, tally
from oneroster_conformance.client.oauth import TokenManager
from oneroster_conformance.client.politeness import RateLimiter, retry_after_seconds
from oneroster_conformance.client.settings import ClientCredentials, Settings
from oneroster_conformance.exchange import Exchange
from oneroster_conformance.spec.operations import READ_SCOPES

MAX_RETRIES = 3
KEEP_PARSED_BYTES = 256 * 1024  # a reply keeps its parsed body up to this size
MAX_REDIRECTS = 3
_NOT_JSON = object()


@dataclass
class Reply:
    method: str
    url: str
    status: int | None
    headers: httpx.Headers
    content: bytes
    elapsed_ms: float
    exchange: Exchange
    error: str | None = None  # transport failure: no (complete) response
    redirected_to: str | None = None
    _json: object = field(default=None, repr=False)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").lower()

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def json(self) -> object:
        """The parsed body; raises ValueError when it is not JSON.

        Parsed once and kept, unless the body is large (a page of a large sweep): a kept reply
        then holds its bytes only, and each reader parses it again."""
        parsed = self._json
        if parsed is None:
            try:
                parsed = json.loads(self.content.decode("utf-8-sig")) if self.content else _NOT_JSON
            except (UnicodeDecodeError, json.JSONDecodeError):
                parsed = _NOT_JSON
            if len(self.content) <= KEEP_PARSED_BYTES:
                self._json = parsed
        if parsed is _NOT_JSON:
            raise ValueError("the body is not JSON")
        return parsed

    def json_or_none(self) -> object:
        try:
            return self.json()
        except ValueError:
            return None


def encode_query(params: dict[str, str] | list[tuple[str, str]] | None) -> str:
    """Percent-encode query parameters (spaces as %20, as the spec's examples do)."""
    if not params:
        return ""
    items = params.items() if isinstance(params, dict) else params
    return "&".join(f"{quote(str(k), safe='')}={quote(str(v), safe='')}" for k, v in items if v is not None)


class OneRosterClient:
    keep_log: bool = False  # record every request in request_log (set by benchmarks, before the run)

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        verify: object = True
        if settings.insecure:
            verify = False
        elif settings.ca_bundle:
            import ssl

            verify = ssl.create_default_context(cafile=settings.ca_bundle)
        self.http = httpx.Client(
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            verify=verify,
            transport=transport,
            headers={"User-Agent": f"oneroster-conformance/{__version__}", "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=max(4, settings.max_concurrency)),
        )
        self.limiter = RateLimiter(settings.rate_limit, settings.max_concurrency)
        self.tokens = TokenManager(self, settings.token_url or "", settings.auth_style)
        self.request_count = 0  # every request sent (retries and redirects included)
        # (method, url, headers, body) of every request when keep_log is on (benchmarks replay them;
        # off by default: a log that grows with the run, and it holds bearer tokens).
        self.request_log: list[tuple[str, str, dict[str, str], bytes]] = []
        self._answered: dict[tuple, Reply] = {}  # replies of once(), by request

    # ------------------------------------------------------------------ URLs
    def url(self, path: str, params=None) -> str:
        base = path if path.startswith(("http://", "https://")) else self.root_for(path) + path
        query = encode_query(params)
        if not query:
            return base
        return base + ("&" if "?" in base else "?") + query

    def root_for(self, path: str) -> str:
        """The service root a relative path belongs to: a Gradebook or Resources path goes to that
        service's root (no path template is shared between the services), anything else to the base URL."""
        service = service_of_path(path) if (self.settings.binding or "v1p2") == "v1p2" else None
        return self.settings.service_root(service) if service else (self.settings.base_url or "")

    # ------------------------------------------------------------------ resource requests
    def get(self, path: str, params=None, **kw) -> Reply:
        return self.request("GET", path, params, **kw)

    def once(self, method: str, path: str, params=None, **kw) -> Reply:
        """``request``, answered once per run: checks that judge the same probe (a refusal, an error
        answer) share one reply, and its evidence, instead of asking the server again."""
        creds, token = kw.get("creds"), kw.get("token")
        key = (method, self.url(path, params), (creds or self.settings.credentials()).client_id, kw.get("scopes"),
               token if isinstance(token, bool | str) else None, tuple(sorted((kw.get("headers") or {}).items())))
        reply = self._answered.get(key)
        if reply is None:
            reply = self._answered[key] = self.request(method, path, params, **kw)
        else:
            evidence.record(reply.exchange)  # the second check shows the exchange it judged too
        return reply

    def request(
        self,
        method: str,
        path: str,
        params=None,
        *,
        creds: ClientCredentials | None = None,
        scopes: tuple[str, ...] | None = None,
        token: str | bool | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Reply:
        """A resource request. ``token``: None = a managed token for ``creds``/``scopes``;
        False = no Authorization header; a string = that exact bearer value. ``body``: the bytes a write sends."""
        url = self.url(path, params)
        hdrs = {"Accept": "application/json", **(headers or {})}
        managed = None
        service = None if path.startswith(("http://", "https://")) else service_of_path(path)
        if scopes is None and creds is None and service is not None and not self.settings.scopes_given:
            scopes = READ_SCOPES[service]  # a Gradebook or Resources read: a token for that service's scopes
        if token is None and self.settings.auth == "oauth1":
            # OneRoster 1.1's OAuth 1.0a: each request signed with the consumer key and secret, no token.
            from oneroster_conformance.client.oauth1 import authorization

            signer = creds or self.settings.credentials()
            hdrs["Authorization"] = authorization(signer.client_id, signer.client_secret, method, url)
            return self.send_raw(method, url, headers=hdrs, data=body)
        if token is None:
            managed = self.tokens.token(creds or self.settings.credentials(), scopes)
            hdrs["Authorization"] = f"Bearer {managed.access_token}"
        elif isinstance(token, str):
            hdrs["Authorization"] = f"Bearer {token}"
        reply = self.send_raw(method, url, headers=hdrs, data=body)
        if reply.status == 401 and managed is not None:
            # The cached token may have been revoked or expired early: fetch a new one, once.
            self.tokens.invalidate(managed)
            fresh = self.tokens.token(creds or self.settings.credentials(), scopes)
            hdrs["Authorization"] = f"Bearer {fresh.access_token}"
            reply = self.send_raw(method, url, headers=hdrs, data=body)
        return reply

    # ------------------------------------------------------------------ the one place bytes move
    def send_raw(self, method: str, url: str, *, params=None, data=None, headers=None, polite=True) -> Reply:
        if params:
            url = self.url(url, params)
        headers = dict(headers or {})
        origin = _origin(url)
        for attempt in range(MAX_RETRIES + 1):
            reply = self._send_once(method, url, data, headers, polite)
            hops = 0
            while reply.status in (301, 302, 303, 307, 308) and hops < MAX_REDIRECTS:
                target = urljoin(url, reply.header("location") or "")
                if _origin(target) != origin:
                    # Never carry the bearer token (or anything else) to another host.
                    reply.redirected_to = target
                    break
                hops += 1
                method_next = "GET" if reply.status == 303 else method
                reply = self._send_once(method_next, target, data, headers, polite)
            retryable = reply.status == 429 or (reply.status in (502, 503) and reply.header("retry-after"))
            if not retryable or attempt == MAX_RETRIES:
                return reply
            time.sleep(retry_after_seconds(reply.header("retry-after"), self.settings.retry_after_cap))
        return reply  # pragma: no cover - loop always returns

    def _send_once(self, method, url, data, headers, polite) -> Reply:
        raw = isinstance(data, bytes)  # a write's JSON body goes as it is; a dict is a form (the token request)
        request = self.http.build_request(method, url, content=data if raw else None, data=None if raw else data,
                                          headers=headers)
        if polite:
            self.limiter.wait()
        self.request_count += 1
        tally.count()
        if self.keep_log:
            self.request_log.append((method, url, dict(request.headers), request.content))
        started = time.monotonic()
        deadline = started + self.settings.timeout * 2
        response = None
        body = bytearray()
        error = None
        with self.limiter.slots:
            try:
                response = self.http.send(request, stream=True)
                try:
                    for chunk in _raw_chunks(response):
                        body += chunk
                        if len(body) > self.settings.max_body_bytes:
                            error = f"body larger than {self.settings.max_body_bytes} bytes: reading stopped"
                            del body[self.settings.max_body_bytes:]
                            break
                        if time.monotonic() > deadline:
                            error = f"body still streaming after {self.settings.timeout * 2:.0f} s: reading stopped"
                            break
                finally:
                    response.close()
            except httpx.TimeoutException:
                error = f"no answer within {self.settings.timeout:.0f} s (timeout)"
            except httpx.TransportError as e:
                error = _describe_transport_error(e)
        if response is not None and not error:
            body = bytearray(_decode(response, bytes(body)))
        elapsed = (time.monotonic() - started) * 1000
        exchange = evidence.exchange_of(request, response, bytes(body), elapsed, error)
        evidence.record(exchange)
        return Reply(
            method=method,
            url=url,
            status=response.status_code if response is not None else None,
            headers=response.headers if response is not None else httpx.Headers(),
            content=bytes(body),
            elapsed_ms=elapsed,
            exchange=exchange,
            error=error,
        )

    def close(self) -> None:
        self.http.close()


@cache
def _service_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    from oneroster_conformance.spec.operations import service_operations

    out = []
    for service in ("gradebook", "resources"):
        templates = sorted({op.path for op in service_operations(service)})
        alternatives = "|".join(re.sub(r"\\{[^}]+\\}", "[^/?]+", re.escape(t)) for t in templates)
        out.append((service, re.compile(f"^(?:{alternatives})(?:[?#]|$)")))
    return tuple(out)


def service_of_path(path: str) -> str | None:
    """'gradebook' or 'resources' for a path of those services' OpenAPI files, else None (Rostering)."""
    for service, pattern in _service_patterns():
        if pattern.match(path):
            return service
    return None


def _raw_chunks(response: httpx.Response):
    """Raw body chunks; a response some transports (e.g. test mocks) already read comes whole."""
    try:
        yield from response.iter_raw()
    except httpx.StreamConsumed:
        yield response.content


def _origin(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}".lower()


def _decode(response: httpx.Response, raw: bytes) -> bytes:
    """Undo Content-Encoding (we read raw bytes to enforce the size cap on the wire)."""
    encoding = response.headers.get("content-encoding", "").lower()
    if not encoding or encoding == "identity":
        return raw
    try:
        import zlib

        if encoding == "gzip":
            return zlib.decompress(raw, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return zlib.decompress(raw)
    except zlib.error:
        return raw
    return raw


def _describe_transport_error(e: Exception) -> str:
    text = str(e) or type(e).__name__
    low = text.lower()
    if "connection refused" in low or "errno 111" in low:
        return "connection refused"
    if "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low:
        return "the host name does not resolve"
    if "certificate" in low:
        return f"TLS certificate problem: {text}"
    return text
