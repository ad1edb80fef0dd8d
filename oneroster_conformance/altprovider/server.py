"""The independent provider's HTTP side: the standard library's ThreadingHTTPServer, no framework.

Routes are the GET operations of the spec's catalogue (``spec.operations``), matched by regular
expressions built from their paths. Every free choice is the other one from the reference provider:
- a method other than GET / HEAD is 405 with ``imsx_codeMajor`` ``unsupported`` (the codeMajor the
  imsx_CodeMajorEnum names as the default answer to an unsupported operation);
- a nested collection's parent must exist in its typed collection and belong to the parent before
  it (the classes of /schools/{s}/classes/{c}/... must be at that school), else 404 unknownobject;
  a known parent with no children is an empty 200 (the nested operations' tables list no 404, and
  unknownobject is for an identifier the provider does not know);
- Link URLs are relative references (RFC 8288 resolves them against the request URL);
- ``Content-Type: application/json; charset=utf-8``;
- every 10th request (the token endpoint included) is answered 429 with a ``Retry-After`` of now
  (as delta-seconds ``0`` and as an HTTP-date, by turns): a busy server, which a client must retry;
- an optional array the record has no values for is served as ``[]``, not left out;
- header names in lower case (``x-total-count``, ``link``: HTTP field names are case-insensitive),
  object keys in alphabetical order (JSON objects are unordered), gzip when the client accepts it;
- TLS 1.3 only (the binding requires "TLS 1.2 and/or TLS 1.3");
- discovery is served under the certification guide's file name, with the later published
  revision of the rostering OpenAPI, its server template filled in with this host.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import itertools
import json
import re
import socket
import ssl
import sys
import threading
from dataclasses import dataclass
from email.utils import formatdate
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from oneroster_conformance.altprovider import params
from oneroster_conformance.altprovider.roster import Roster
from oneroster_conformance.altprovider.tokens import TOKEN_PATH, Authority, OAuthProblem
from oneroster_conformance.resources import schemas_dir
from oneroster_conformance.spec.operations import SERVICE_ROOT, Operation, operations

DISCOVERY_NAME = "discovery/imsorv1p2_rostering_openapi3_v1p0.json"
PUBLISHED = "v1p2/published/onerosterv1p2rostersservice_openapi3_v1p0.json"
BUSY_EVERY = 10
JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class AltConfig:
    binding: str = "v1p2"  # "v1p1": OneRoster 1.1 at /ims/oneroster/v1p1, 1.1 data and scope URIs
    busy_every: int = BUSY_EVERY  # 0: never answer 429


@dataclass(frozen=True)
class Route:
    op: Operation
    pattern: re.Pattern[str]
    chain: tuple[tuple[str, str | None], ...]  # (collection path, path parameter or None)


class Failure(Exception):
    def __init__(self, status: int, code_minor: str, description: str, major: str = "failure",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status, self.code_minor, self.description, self.major = status, code_minor, description, major
        self.headers = headers or {}

    def body(self) -> dict:
        return {"imsx_codeMajor": self.major, "imsx_severity": "error", "imsx_description": self.description,
                "imsx_CodeMinor": {"imsx_codeMinorField": [
                    {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": self.code_minor}]}}


def _routes(binding: str) -> list[Route]:
    out = []
    for op in operations(binding):
        if op.method != "GET":
            continue
        parts = [p for p in op.path.split("/") if p]
        chain: list[tuple[str, str | None]] = []
        for i, part in enumerate(parts):
            if not part.startswith("{"):
                param = parts[i + 1][1:-1] if i + 1 < len(parts) and parts[i + 1].startswith("{") else None
                chain.append((part, param))
        regex = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(op.path))
        out.append(Route(op, re.compile(regex + "$"), tuple(chain)))
    return out


@cache
def _published_openapi() -> dict:
    return json.loads((schemas_dir() / PUBLISHED).read_text(encoding="utf-8"))


class Service:
    """What the handler threads share: the roster, the token authority and the request counter."""

    def __init__(self, config: AltConfig) -> None:
        self.config = config
        self.root = SERVICE_ROOT[config.binding]
        self.roster = Roster.load(config.binding)
        self.authority = Authority(config.binding)
        self.routes = _routes(config.binding)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def busy(self) -> str | None:
        """The Retry-After value when this request is one to refuse as busy, else None: now, in the
        two forms RFC 9110 allows by turns (delta-seconds, then an HTTP-date)."""
        every = self.config.busy_every
        with self._lock:
            n = next(self._counter)
        if not every or n % every:
            return None
        return "0" if (n // every) % 2 else formatdate(usegmt=True)

    def discovery(self, origin: str) -> dict:
        doc = copy.deepcopy(_published_openapi())
        for server in doc.get("servers", []):
            variables = server.get("variables", {})
            if "hostName" in variables:
                variables["hostName"]["default"] = origin.split("://", 1)[1]
        for scheme in doc.get("components", {}).get("securitySchemes", {}).values():
            flow = scheme.get("flows", {}).get("clientCredentials")
            if flow is not None:
                flow["tokenUrl"] = origin + TOKEN_PATH
        return doc


class Handler(BaseHTTPRequestHandler):
    server_version = "OneRosterIndependent/1.0"
    protocol_version = "HTTP/1.1"
    service: Service  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return  # quiet: the harness keeps its own evidence

    # ------------------------------------------------------------------ plumbing
    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", JSON)
        if len(data) > 1024 and "gzip" in (self.headers.get("Accept-Encoding") or "").lower():
            data = gzip.compress(data, compresslevel=5)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _body(self) -> bytes:
        """The request body (no request here needs more than a token form). One that is not read
        whole (chunked, or too long) would leave bytes in the connection: it is closed after the answer."""
        raw = self.headers.get("Content-Length") or "0"
        length = int(raw) if raw.isdigit() else -1
        if length < 0 or length > 1 << 16 or "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            return b""
        return self.rfile.read(length) if length else b""

    def _origin(self) -> str:
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        host, port = self.server.server_address[:2]  # type: ignore[index,misc,str-unpack]  # (host, port) on TCP
        return f"{scheme}://{self.headers.get('Host') or f'{host}:{port}'}"

    def _any(self) -> None:
        try:
            self._dispatch()
        except Failure as f:
            self._send(f.status, f.body(), f.headers)
        except Exception:  # never a traceback to the client
            self._send(500, Failure(500, "internal_server_error", "the server met an unexpected condition").body())

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _any

    # ------------------------------------------------------------------ routing
    def _dispatch(self) -> None:
        service = self.service
        url = urlsplit(self.path)
        body = self._body()
        retry_after = service.busy()
        if retry_after is not None:  # busy before anything else, as a load balancer in front would be
            raise Failure(429, "server_busy", "busy: try again", headers={"Retry-After": retry_after})
        if url.path == TOKEN_PATH:
            return self._token(url.query, body)
        if not url.path.startswith(service.root + "/"):
            raise Failure(404, "unknownobject", f"nothing is served at {url.path}")
        rest = url.path[len(service.root):]
        if rest == "/" + DISCOVERY_NAME and service.config.binding == "v1p2":
            self._read_only()
            return self._send(200, service.discovery(self._origin()))
        route, found = next(((r, m) for r in service.routes if (m := r.pattern.match(rest))), (None, None))
        if route is None or found is None:
            raise Failure(404, "unknownobject", f"nothing is served at {url.path}")
        self._read_only()
        refused = service.authority.check(self.headers.get("Authorization"), route.op.operation_id)
        if refused is not None:
            status, minor, text = refused
            challenge = 'Bearer realm="oneroster"' + (', error="insufficient_scope"' if status == 403 else "")
            raise Failure(status, minor, text, headers={"WWW-Authenticate": challenge})
        ids = {k: unquote(v) for k, v in found.groupdict().items()}
        query = parse_qs(url.query, keep_blank_values=True)
        try:
            if route.op.is_collection:
                return self._collection(route, ids, query, url.path)
            return self._single(route, ids, query)
        except params.QueryError as e:
            raise Failure(e.status, e.code_minor, e.description) from None

    def _read_only(self) -> None:
        if self.command not in ("GET", "HEAD"):
            raise Failure(405, "invaliddata", f"{self.command} is not supported: this service is read-only",
                          major="unsupported", headers={"Allow": "GET, HEAD"})

    def _token(self, query: str, body: bytes) -> None:
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        try:
            grant = self.service.authority.token(self.command, query, body, self.headers.get("Authorization"))
        except OAuthProblem as p:
            if p.status == 401:
                headers["WWW-Authenticate"] = 'Basic realm="oneroster token endpoint"'
            return self._send(p.status, {"error": p.error, "error_description": p.description}, headers)
        self._send(200, grant, headers)

    # ------------------------------------------------------------------ operations
    def _render(self, record: dict, fields: list[str] | None, collection: str) -> dict:
        root = self._origin() + self.service.root
        out = json.loads(json.dumps(record))
        for name in params.optional_arrays(collection, self.service.config.binding):
            out.setdefault(name, [])  # an empty list where the record has none ([0..*] allows it)

        def absolute(node: Any) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == "href" and isinstance(v, str) and v.startswith("/"):
                        node[k] = root + v
                    elif k != "metadata":
                        absolute(v)
            elif isinstance(node, list):
                for item in node:
                    absolute(item)

        absolute(out)
        return out if fields is None else {k: v for k, v in out.items() if k in fields}

    def _single(self, route: Route, ids: dict[str, str], query: dict[str, list[str]]) -> None:
        name, param = route.chain[-1]
        record = self.service.roster.find(name, ids[param or ""])
        if record is None:
            raise Failure(404, "unknownobject", f"no {name} object has sourcedId {ids[param or '']!r}")
        fields = params.select_fields(params.first(query, "fields"), name, self.service.config.binding)
        self._send(200, {route.op.wrapper: self._render(record, fields, name)})

    def _collection(self, route: Route, ids: dict[str, str], query: dict[str, list[str]], path: str) -> None:
        binding = self.service.config.binding
        roster = self.service.roster
        name = route.chain[-1][0]
        parents: list[tuple[str, str]] = []
        for parent, param in route.chain[:-1]:
            sid = ids[param or ""]
            if not roster.belongs(parents, parent, sid):
                raise Failure(404, "unknownobject", f"no {parent} object has sourcedId {sid!r} here")
            parents.append((parent, sid))
        rows = roster.children(parents, name) if parents else roster.typed(name)
        fields = params.select_fields(params.first(query, "fields"), name, binding)
        rows = [self._render(r, None, name) for r in rows]  # filters and sorts see the records as served
        text = params.first(query, "filter")
        if text is not None:
            rows = params.apply_filter(text, rows, name, binding)
        rows = params.sort_records(rows, params.first(query, "sort"), params.first(query, "orderBy"), name, binding)
        limit, offset = params.window(query)
        page = rows[offset:offset + limit]
        headers = {"x-total-count": str(len(rows)), "link": self._links(path, query, len(rows), limit, offset)}
        self._send(200, {route.op.wrapper: [r if fields is None else {k: v for k, v in r.items() if k in fields}
                                            for r in page]}, headers)

    @staticmethod
    def _links(path: str, query: dict[str, list[str]], total: int, limit: int, offset: int) -> str:
        kept = [(k, v) for k, vs in query.items() if k not in ("limit", "offset") for v in vs]
        last = max(0, (total - 1) // limit * limit)
        rels = {"first": 0, "last": last}
        if offset + limit < total:
            rels["next"] = offset + limit
        if offset > 0:
            rels["prev"] = max(0, offset - limit)
        name = path.rsplit("/", 1)[-1]
        return ", ".join(f'<{name}?{urlencode([*kept, ("limit", limit), ("offset", at)], quote_via=quote)}>; '
                         f'rel="{rel}"' for rel, at in rels.items())


class AltServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self) -> None:
        # accepted connections inherit TCP_NODELAY: without it every small answer waits ~40 ms for a
        # delayed ACK (headers and body leave in two writes)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a refused TLS version or a client that hangs up is the client's business, not a server error
        if not isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class RunningAltProvider:
    """The independent provider on a loopback port, in a thread; HTTPS when given a certificate."""

    def __init__(self, config: AltConfig, host: str = "127.0.0.1", port: int = 0, certfile: str | None = None,
                 keyfile: str | None = None) -> None:
        self.service = Service(config)
        handler = type("BoundHandler", (Handler,), {"service": self.service})
        self.httpd = AltServer((host, port), handler)
        if certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_3  # "TLS 1.2 and/or TLS 1.3": 1.3 alone
            try:
                context.load_cert_chain(certfile, keyfile)
            except (OSError, ssl.SSLError):
                self.httpd.server_close()
                raise
            # the handshake happens in the connection's own thread, not in the accepting one
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True,
                                                    do_handshake_on_connect=False)
        self.port = self.httpd.server_address[1]
        self.origin = f"{'https' if certfile else 'http'}://{host}:{self.port}"
        self.base_url = self.origin + SERVICE_ROOT[config.binding]
        self.token_url = self.origin + TOKEN_PATH
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"oneroster-alt-provider-{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningAltProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(config: AltConfig | None = None, **kwargs: Any) -> RunningAltProvider:
    return RunningAltProvider(config or AltConfig(), **kwargs)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="oneroster-alt-provider",
                                description="An independent OneRoster provider (standard library only).")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--binding", choices=("v1p2", "v1p1"), default="v1p2")
    p.add_argument("--certfile")
    p.add_argument("--keyfile")
    p.add_argument("--no-busy", action="store_true", help="never answer 429 Retry-After")
    a = p.parse_args(argv)
    if (a.certfile is None) != (a.keyfile is None):
        p.error("--certfile and --keyfile go together")
    try:
        provider = RunningAltProvider(AltConfig(a.binding, 0 if a.no_busy else BUSY_EVERY), port=a.port,
                                      certfile=a.certfile, keyfile=a.keyfile)
    except (OSError, ssl.SSLError) as e:  # a port in use, a certificate that cannot be read
        print(f"oneroster-alt-provider: cannot start: {e}", file=sys.stderr)
        return 4
    print(f"service root {provider.base_url}\ntoken URL    {provider.token_url}\n"
          f"clients      {', '.join(sorted(provider.service.authority.clients))} "
          "(fixtures/clients.yaml)", flush=True)
    try:
        provider._thread.join()
    except KeyboardInterrupt:
        provider.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
