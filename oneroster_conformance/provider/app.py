"""The reference provider as a Starlette application.

Routes are derived from the spec's operation catalogue: every operation is served at its service
root plus its OpenAPI path. Rostering and Resources are read-only: any other method answers 405 and
changes nothing. The Gradebook service also takes its PUT, POST and DELETE operations
(provider.writes); a method a path has no operation for answers 405. Every resource error is an
imsx_StatusInfo body.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oneroster_conformance.provider import aeries, auth, query
from oneroster_conformance.provider.catalogue import NESTED_TWICE, collection, nested_where, segments
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.errors import InjectedFault, ProviderError, status_info
from oneroster_conformance.provider.serialize import Render, fault_targets, record
from oneroster_conformance.provider.store import Store
from oneroster_conformance.spec.discovery import DISCOVERY_FILES
from oneroster_conformance.spec.operations import DISCOVERY_FILES as SERVICE_DISCOVERY_FILES
from oneroster_conformance.spec.operations import (
    ROSTERING,
    SERVICE_ROOT,
    SERVICE_ROOTS,
    Operation,
    operations,
    service_operations,
)

log = logging.getLogger("oneroster_conformance.provider")

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
WRONG_ROOT = "/ims/oneroster/v1p2"  # the wrong-base-path fault: 1.2 served without "/rostering"
TYPED_WRAPPERS = {"getStudent": "student", "getTeacher": "teacher", "getSchool": "school", "getTerm": "term",
                  "getGradingPeriod": "gradingPeriod"}
MIXUP_OPERATIONS = {"getUser", "getStudent", "getClass"}
OVERCLAIMED = {"getAllDemographics", "getDemographics"}


@dataclass
class ProviderState:
    config: ProviderConfig
    store: Store
    tokens: auth.TokenStore
    root_path: str  # the service root path, e.g. /ims/oneroster/rostering/v1p2
    extra: dict[str, Any] = field(default_factory=dict)


def service_root_path(config: ProviderConfig) -> str:
    if config.has("wrong-base-path"):
        return WRONG_ROOT
    prefix = aeries.PREFIX if config.flavour == "aeries" else ""  # Aeries serves under <host>/admin
    return prefix + SERVICE_ROOT[config.binding]


def token_path(config: ProviderConfig) -> str:
    return aeries.TOKEN_PATH if config.flavour == "aeries" else "/token"


def open_store(config: ProviderConfig) -> Store:
    """The configured database, built from the sample roster or the generator when needed."""
    source = "sample" if config.students is None else f"generated:{config.students}:{config.seed}"
    store = Store(config.db_path) if config.db_path else Store.temporary()
    if config.binding == "v1p1":
        from oneroster_conformance.provider.v1p1 import DATA_FAULTS

        data_faults = frozenset(config.faults & set(DATA_FAULTS))
        source = "sample-v1p1" + ("-aeries" if config.flavour == "aeries" else "") + "".join(
            f"+{f}" for f in sorted(data_faults))
    if not store.is_built(source):
        if config.binding == "v1p1":
            from oneroster_conformance.provider.v1p1 import roster as roster_v1p1

            tables = roster_v1p1(aeries=config.flavour == "aeries", faults=data_faults)
        elif config.students is None:
            from oneroster_conformance.provider.gradebook import derive
            from oneroster_conformance.provider.sample import records, roster

            tables = {**roster(), **derive(records("classes"), records("enrollments"))}
        else:
            from oneroster_conformance.provider.generator import District

            tables = District(config.students, config.seed).tables()
        store.build(source, tables)
    return store


def origin(request: Request, config: ProviderConfig) -> str:
    """scheme://host[:port][/prefix] under which this server is reached."""
    if config.public_url:
        url = config.public_url.rstrip("/")
        for root in (service_root_path(config), SERVICE_ROOT["v1p2"], WRONG_ROOT):
            if url.endswith(root):
                url = url[: -len(root)]
        return url
    return f"{request.url.scheme}://{request.url.netloc}"


# ------------------------------------------------------------------------------------- errors
def error_response(err: ProviderError, config: ProviderConfig) -> Response:
    status, code_minor = err.status, err.code_minor
    if status == 404 and config.has("bad-404-body"):
        return JSONResponse({"error": "Not found"}, status_code=404, headers=err.headers)
    if status in (400, 401, 403, 405) and config.has("plain-error-bodies"):
        return JSONResponse({"message": err.description}, status_code=status, headers=err.headers)
    if config.has("wrong-code-minor"):
        code_minor = {401: "forbidden", 403: "unauthorisedrequest"}.get(status, code_minor)
    if config.binding == "v1p1":  # the 1.1 status table's spellings ('unknown object', ...)
        from oneroster_conformance.spec.v1p1 import code_minor_spellings

        code_minor = next(iter(sorted(code_minor_spellings("v1p1").get(code_minor, ()))), code_minor)
    # Variety: the imsx_CodeMajorEnum's 'unsupported', "the required default response for an unsupported operation".
    major = "unsupported" if status in (405, 501) and config.unsupported_code_major else "failure"
    return JSONResponse(status_info(err.description, code_minor, major), status_code=status, headers=err.headers)


def _internal_error(exc: BaseException, config: ProviderConfig) -> Response:
    if isinstance(exc, InjectedFault):
        log.debug("injected fault: %s", exc)
    else:
        log.exception("unexpected error")
    return error_response(ProviderError(500, "The server met an unexpected condition."), config)


def _params(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    return out


def _json(body: Any, config: ProviderConfig, headers: dict[str, str] | None = None) -> JSONResponse:
    media = "text/html; charset=utf-8" if config.has("wrong-content-type") else "application/json"
    return JSONResponse(body, headers=headers, media_type=media)


# ------------------------------------------------------------------------------------- operations
class Endpoint:
    """One spec operation bound to the provider's state: the path's chain of collections, the table of
    the collection it answers for."""

    def __init__(self, op: Operation, state: ProviderState) -> None:
        self.op = op
        self.state = state
        self.chain = segments(op.path)
        self.target = self.chain[-1][0]
        self.table = collection(self.target, state.config).table


class OperationEndpoint(Endpoint):
    """One spec read operation: authorisation, parameters, parent checks, SQL, serialisation."""

    def handle(self, request: Request) -> Response:
        config = self.state.config
        try:
            if request.method not in ("GET", "HEAD"):
                if config.has("writes-accepted"):
                    return JSONResponse({"imsx_codeMajor": "success", "imsx_severity": "status"})
                raise ProviderError(405, f"{request.method} is not allowed: this service is read-only.",
                                    headers={"Allow": "GET, HEAD"})
            token = auth.authorize(request, self.op, config, self.state.tokens)
            if self.op.operation_id == "getAllCourses" and config.has("endpoint-500"):
                raise InjectedFault("getAllCourses")
            if self.op.is_collection:
                return self._collection(request, token)
            return self._single(request)
        except ProviderError as err:
            return error_response(err, config)
        except Exception as exc:  # never a traceback to the client: an imsx_StatusInfo 500
            return _internal_error(exc, config)

    # ---------------------------------------------------------------- helpers
    def _render(self, request: Request, fields: tuple[str, ...] | None) -> Render:
        config = self.state.config
        root = self.href_root(request)
        return Render(config, self.state.store, root, self.table, fields)

    def href_root(self, request: Request) -> str:
        if self.op.service != ROSTERING:
            return origin(request, self.state.config)  # Gradebook and Resources store hrefs with their service root
        if self.state.config.has("relative-href"):
            return "~" + self.state.root_path
        return origin(request, self.state.config) + self.state.root_path

    def _exists(self, name: str, sid: str, extra: str = "1", extra_params: tuple = ()) -> bool:
        c = collection(name, self.state.config)
        sql = f"SELECT 1 FROM {c.table} AS t WHERE {c.where} AND {extra} AND t.sid = ? LIMIT 1"
        return self.state.store.scalar(sql, (*extra_params, sid)) is not None

    def _parents(self, request: Request) -> tuple[str, list[Any]]:
        """Check every parent in the path; return the WHERE narrowing the child to the last one."""
        path = request.path_params
        previous: tuple[str, str] | None = None
        parents = self.chain[:-1]
        for name, param in parents:
            sid = path[param]
            extra, extra_params = "1", ()
            if previous is not None:
                extra, extra_params = nested_where(previous[0], name, self.state.config)[0], (previous[1],)
            if not self._exists(name, sid, extra, extra_params):
                raise ProviderError(404, f"No {name[:-1] if name.endswith('s') else name} with sourcedId "
                                         f"{sid!r} is known here.", "unknownobject")
            previous = (name, sid)
        if previous is None:
            return collection(self.target, self.state.config).where, []
        where, typed = nested_where(previous[0], self.target, self.state.config)
        params = [previous[1]]
        if len(parents) == 2 and (twice := NESTED_TWICE.get((parents[0][0], previous[0], self.target))):
            where = f"{where} AND {twice}"
            params.append(path[parents[0][1]])
        return f"{typed} AND {where}", params

    # ---------------------------------------------------------------- collections
    def _collection(self, request: Request, token: str | None) -> Response:
        config, store = self.state.config, self.state.store
        params = _params(request)
        limit, offset = query.paging(params, config)
        sort = query.single_param(params, "sort")
        order_by = query.single_param(params, "orderBy")
        filter_text = query.single_param(params, "filter", "invalid_filter_field")
        fields = query.selected_fields(query.single_param(params, "fields", "invalid_selection_field"),
                                       self.table, config)
        href_root = self.href_root(request)
        flt = query.filter_sql(filter_text, self.table, config, href_root) if filter_text is not None else None
        order = query.order_sql(sort, order_by, self.table, config, href_root)
        try:
            where, where_params = self._parents(request)
        except ProviderError:
            if config.has("unknown-parent-empty"):
                return _json({self.op.wrapper: []}, config, {"X-Total-Count": "0"})
            raise
        source, source_params = self.table, []
        if self.op.operation_id == "getAllUsers" and config.has("duplicate-ids"):
            source = "(SELECT * FROM users UNION ALL SELECT * FROM users WHERE sid = ?)"
            source_params = [fault_targets(store)["user"]]
        if flt is not None:
            where = f"({where}) AND {flt.text}"
            where_params = [*where_params, *flt.params]
        count_sql = f"SELECT count(*) FROM {source} AS t WHERE {where}"
        memo = (store.generation, count_sql, *source_params, *where_params)
        total = store.remembered(memo)
        if total is None:
            total = store.scalar(count_sql, [*source_params, *where_params])
            store.remember(memo, total)
        if config.has("deep-page-500") and self.op.operation_id == "getAllEnrollments" and offset >= 200:
            raise InjectedFault("a deep page of getAllEnrollments")
        if config.has("offset-past-end-error") and offset > total:  # beyond the end, not at it: walks still end
            raise ProviderError(404, "No records at that offset.", "unknownobject")
        skip = offset
        if config.has("ignores-offset"):
            skip = 0
        elif config.has("offset-off-by-one") and offset > 0:
            skip = offset + 1
        # In the default order, a page that starts where an earlier page ended is found by key.
        by_key = skip == offset and order.text == "t.sid ASC" and not source_params
        after = store.remembered((*memo, "ends", offset)) if by_key and offset else None
        if after is not None:
            rows = store.query(
                f"SELECT t.sid, t.doc FROM {source} AS t WHERE ({where}) AND t.sid > ? ORDER BY t.sid LIMIT ?",
                [*where_params, after, limit],
            )
        else:
            rows = store.query(
                f"SELECT t.sid, t.doc FROM {source} AS t WHERE {where} ORDER BY {order.text} LIMIT ? OFFSET ?",
                [*source_params, *where_params, *order.params, limit, skip],
            )
        if by_key and rows:
            store.remember((*memo, "ends", offset + len(rows)), rows[-1][0])
        ctx = self._render(request, fields)
        body = {self.op.wrapper: [record(doc, ctx) for (_, doc) in rows]}
        headers: dict[str, str] = {}
        if not config.has("silent-limit-cap"):
            if not config.has("no-total-count"):
                headers["X-Total-Count"] = str(len(rows) if config.has("total-count-page") else total)
            if not config.has("no-link-header"):
                headers["Link"] = self._links(request, total, limit, offset, token)
        return _json(body, config, headers)

    def _links(self, request: Request, total: int, limit: int, offset: int, token: str | None) -> str:
        config = self.state.config
        base = origin(request, config) + request.url.path
        kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]
        rels = query.collection_window(total, limit, offset)
        if config.has("bad-link-next") and "next" in rels:
            rels["next"] = (limit, offset)
        parts = []
        for rel in ("next", "prev", "first", "last"):
            if rel not in rels:
                continue
            lim, off = rels[rel]
            items = [*kept, ("limit", str(lim)), ("offset", str(off))]
            if config.has("token-in-link") and token:
                items.append(("access_token", token))
            parts.append(f'<{base}?{urlencode(items, quote_via=quote)}>; rel="{rel}"')
        return ", ".join(parts)

    # ---------------------------------------------------------------- single objects
    def _single(self, request: Request) -> Response:
        config, store = self.state.config, self.state.store
        params = _params(request)
        fields = query.selected_fields(query.single_param(params, "fields", "invalid_selection_field"),
                                       self.table, config)
        name, param = self.chain[-1]
        sid = request.path_params[param]
        if name == "demographics" and config.has("demographics-own-ids") and sid.startswith("demo-"):
            sid = sid[len("demo-"):]
        c = collection(name, config)
        doc = store.scalar(f"SELECT t.doc FROM {c.table} AS t WHERE {c.where} AND t.sid = ?", (sid,))
        if doc is None:
            label = name[:-1] if name.endswith("s") else name
            raise ProviderError(404, f"No {label} with sourcedId {sid!r} is known here.", "unknownobject")
        if self.op.operation_id in MIXUP_OPERATIONS and config.has("single-object-mixup"):
            doc = store.scalar(
                f"SELECT t.doc FROM {c.table} AS t WHERE {c.where} AND t.sid > ? ORDER BY t.sid LIMIT 1", (sid,)
            ) or store.scalar(f"SELECT t.doc FROM {c.table} AS t WHERE {c.where} ORDER BY t.sid LIMIT 1")
        wrapper = self.op.wrapper
        if config.has("typed-wrapper"):
            wrapper = TYPED_WRAPPERS.get(self.op.operation_id, wrapper)
        return _json({wrapper: record(doc, self._render(request, fields))}, config)


def _dispatch(state: ProviderState, handlers: dict[str, Any]):
    """One path of a service: its GET operation (sync, as the Rostering routes) and its write operations
    (async: they read the body); any other method answers 405 naming the methods the path serves."""
    read = handlers.get("GET")
    allowed = ", ".join((["GET", "HEAD"] if read else []) + sorted(m for m in handlers if m != "GET"))

    async def endpoint(request: Request) -> Response:
        method = request.method
        if method in handlers and method != "GET":
            return await handlers[method](request)
        if read is not None and (method in ("GET", "HEAD") or state.config.has("writes-accepted")):
            return await run_in_threadpool(read, request)
        return error_response(ProviderError(405, f"{method} is not allowed on this path.",
                                            headers={"Allow": allowed}), state.config)

    return endpoint


def create_app(config: ProviderConfig) -> Starlette:
    from oneroster_conformance.provider import discovery  # it builds on this module's helpers

    state = ProviderState(config, open_store(config), auth.TokenStore(config.token_lifetime),
                          service_root_path(config))
    if config.faults:  # fix the data faults' targets before any write could add a record that sorts first
        fault_targets(state.store)
    routes: list[Route] = [
        Route("/", discovery.index_endpoint(state), methods=["GET", "HEAD"]),
        Route(token_path(config), auth.token_endpoint, methods=ALL_METHODS),
    ]
    if config.auth == "oauth1":
        from oneroster_conformance.provider.oauth1 import Verifier

        state.extra["oauth1"] = Verifier({cid: c.client_secret for cid, c in auth.clients_for(config).items()})
    if not config.has("no-discovery") and config.binding == "v1p2":
        discovery_file = DISCOVERY_FILES[config.discovery_name]
        routes.append(Route(f"{state.root_path}/{discovery_file}", discovery.endpoint(state), methods=ALL_METHODS))
    for op in operations(config.binding):
        if op.method != "GET" or (op.operation_id in OVERCLAIMED and config.has("discovery-overclaims")):
            continue
        if op.operation_id in config.omit_operations:
            continue
        routes.append(Route(state.root_path + op.path, OperationEndpoint(op, state).handle, methods=ALL_METHODS,
                            name=op.operation_id))
    if config.binding == "v1p2":
        routes.extend(_service_routes(state))

    def not_found(request: Request, exc: Exception) -> Response:
        return error_response(ProviderError(404, f"Nothing is served at {request.url.path}.", "unknownobject"),
                              config)

    def not_allowed(request: Request, exc: Exception) -> Response:
        return error_response(ProviderError(405, f"{request.method} is not allowed here.",
                                            headers={"Allow": "GET, HEAD"}), config)

    def server_error(request: Request, exc: Exception) -> Response:
        return _internal_error(exc, config)

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed, Exception: server_error})
    app.state.provider = state
    if config.request_log:
        app.add_middleware(RequestLog, path=config.request_log)
    if config.latency:
        app.add_middleware(_Latency, seconds=config.latency)
    return app


def _service_routes(state: ProviderState) -> list[Route]:
    """The Gradebook and Resources services on the same origin, each at its own root, every operation of
    their catalogues (Gradebook's writes included) dispatched by method per path."""
    from oneroster_conformance.provider import discovery
    from oneroster_conformance.provider.writes import WriteEndpoint

    config = state.config
    routes: list[Route] = []
    for service in config.services - {ROSTERING}:
        root = SERVICE_ROOTS[service]
        if not config.has("no-discovery"):
            routes.append(Route(f"{root}/{SERVICE_DISCOVERY_FILES[service]}", discovery.endpoint(state, service),
                                methods=ALL_METHODS))
        paths: dict[str, dict[str, Any]] = {}
        names: dict[str, str] = {}
        for op in service_operations(service):
            handlers = paths.setdefault(op.path, {})
            if op.operation_id in config.omit_operations:
                continue
            endpoint = OperationEndpoint(op, state) if op.method == "GET" else WriteEndpoint(op, state)
            handlers[op.method] = endpoint.handle
            if op.method == "GET" or op.path not in names:
                names[op.path] = op.operation_id
        for path, handlers in sorted(paths.items()):
            routes.append(Route(root + path, _dispatch(state, handlers), methods=ALL_METHODS, name=names.get(path)))
    return routes


class RequestLog:
    """One line per request, "METHOD path status", appended to a file: enough to prove which methods
    reached the server. No query string, no body, no header is written."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app, self.path = app, path
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                line = f"{scope['method']} {scope['path']} {message['status']}\n"
                with self._lock, open(self.path, "a", encoding="utf-8") as log_file:
                    log_file.write(line)
            await send(message)

        await self.app(scope, receive, logged)


class _Latency:
    """Every HTTP response waits ``seconds`` first (without holding the event loop): the reference
    provider as a server across a network, for the benchmarks."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)
