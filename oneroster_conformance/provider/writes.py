"""Gradebook writes: the PUT, POST and DELETE operations of the published Gradebook OpenAPI.

Paths, scopes and body schemas come from the operation catalogue and the OpenAPI file (the
``required`` fields and enumerations of each DType are the published schema's, validated with
jsonschema). Each write is one SQLite transaction, and a written record is stored in the row shape
the read path serves (provider.gradebook), so every GET sees it at once. A refused write changes
nothing. The choices where the spec leaves room are in docs/reference-provider-writes.md.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from oneroster_conformance.provider import auth
from oneroster_conformance.provider.app import Endpoint, ProviderState, _internal_error, error_response
from oneroster_conformance.provider.catalogue import collection
from oneroster_conformance.provider.errors import ProviderError
from oneroster_conformance.provider.gradebook import GRADEBOOK, ROSTERING, ref
from oneroster_conformance.spec.operations import EVERY_READ_SCOPE, Operation, published
from oneroster_conformance.spec.schemas import issues

# A reference field -> (collection the record must exist in, href collection, service root, its type)
REFERENCES: dict[str, tuple[str, str, str, str]] = {
    "class": ("classes", "classes", ROSTERING, "class"),
    "school": ("schools", "orgs", ROSTERING, "org"),
    "course": ("courses", "courses", ROSTERING, "course"),
    "student": ("students", "users", ROSTERING, "user"),
    "academicSession": ("academicSessions", "academicSessions", ROSTERING, "academicSession"),
    "gradingPeriod": ("academicSessions", "academicSessions", ROSTERING, "academicSession"),
    "category": ("categories", "categories", GRADEBOOK, "category"),
    "scoreScale": ("scoreScales", "scoreScales", GRADEBOOK, "scoreScale"),
    "lineItem": ("lineItems", "lineItems", GRADEBOOK, "lineItem"),
    "assessmentLineItem": ("assessmentLineItems", "assessmentLineItems", GRADEBOOK, "assessmentLineItem"),
    "parentAssessmentLineItem": ("assessmentLineItems", "assessmentLineItems", GRADEBOOK, "assessmentLineItem"),
}
# A parent collection in a POST path -> the record field it sets (academicSessions only narrows: a
# result carries no session of its own).
PARENT_FIELDS = {"classes": "class", "schools": "school", "lineItems": "lineItem"}
# Deleting a line item deletes its results: they cannot outlive the column they belong to.
CASCADE = {"line_items": ("results", "line_item_sid"),
           "assessment_line_items": ("assessment_results", "line_item_sid")}
# The put-update-duplicates fault keeps the old copy under sid + DUPLICATE + n (its doc keeps the real sourcedId).
DUPLICATE = "\x1fduplicate-"


def now() -> str:
    """Server time for dateLastModified: UTC, milliseconds, the stored form."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@cache
def body_schema(service: str, path: str, method: str) -> tuple[str, str]:
    """(wrapper key, record DType) of an operation's request body, read from the OpenAPI file:
    PUT /lineItems/{id} -> ('lineItem', 'LineItemDType'), POST .../lineItems -> ('lineItems', 'LineItemDType')."""
    doc = published(service)
    spec = doc["paths"][path][method.lower()]
    name = spec["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    (key, prop), = doc["components"]["schemas"][name]["properties"].items()
    return key, prop.get("items", prop)["$ref"].rsplit("/", 1)[-1]


@cache
def required_fields(dtype: str, service: str) -> tuple[str, ...]:
    return tuple(published(service)["components"]["schemas"][dtype].get("required", ()))


def _ref_sid(value: Any) -> str | None:
    sid = value.get("sourcedId") if isinstance(value, dict) else None
    return sid if isinstance(sid, str) else None


def reference(field: str, sid: str, given: Any = None) -> dict[str, str]:
    """A reference as stored: href under this server's service root (made absolute when served)."""
    _, href_collection, root, ref_type = REFERENCES[field]
    if isinstance(given, dict) and isinstance(given.get("type"), str):
        ref_type = given["type"]
    return ref(root, href_collection, ref_type, sid)


def _not_json(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def refused(description: str) -> ProviderError:
    return ProviderError(422, description, "invaliddata")


class WriteEndpoint(Endpoint):
    """One write operation of the Gradebook service (PUT, POST or DELETE)."""

    def __init__(self, op: Operation, state: ProviderState) -> None:
        super().__init__(op, state)
        if op.method in ("PUT", "POST"):
            self.wrapper, self.dtype = body_schema(op.service, op.path, op.method)

    async def handle(self, request: Request) -> Response:
        config = self.state.config
        try:
            self._authorize(request)
            body = await request.body() if self.op.method != "DELETE" else b""
            return await run_in_threadpool(self._write, request, body)
        except ProviderError as err:
            return error_response(err, config)
        except Exception as exc:  # never a traceback to the client: an imsx_StatusInfo 500
            return _internal_error(exc, config)

    def _authorize(self, request: Request) -> None:
        op = self.op
        if self.state.config.has("write-without-scope"):
            op = dataclasses.replace(op, scopes=op.scopes | frozenset(EVERY_READ_SCOPE))
        auth.authorize(request, op, self.state.config, self.state.tokens)

    def _write(self, request: Request, body: bytes) -> Response:
        if self.op.method == "PUT":
            return self._put(request.path_params[self.chain[-1][1]], body)
        if self.op.method == "POST":
            return self._post(request.path_params, body)
        return self._delete(request.path_params[self.chain[-1][1]])

    # ---------------------------------------------------------------- bodies
    def _payload(self, body: bytes) -> Any:
        try:
            doc = json.loads(body, parse_constant=_not_json)  # NaN and Infinity are Python's, not JSON's
            json.dumps(doc, ensure_ascii=False).encode("utf-8")  # a lone surrogate ("\ud800") is no text
        except (UnicodeError, ValueError, RecursionError):
            raise ProviderError(400, "The request body is not JSON (UTF-8 text).", "invaliddata") from None
        if not isinstance(doc, dict) or set(doc) != {self.wrapper}:
            raise refused(f"The body must be an object with the single property {self.wrapper!r}.")
        return doc[self.wrapper]

    def _validate(self, rec: Any, where: str = "") -> None:
        """The published DType's rules: required fields, types, formats, enumerations. dateLastModified
        is the server's to set, so a body may leave it out."""
        if self.state.config.has("write-accepts-invalid") and isinstance(rec, dict):
            return
        candidate = {"dateLastModified": now(), **rec} if isinstance(rec, dict) else rec
        found = issues(self.dtype, candidate, limit=3)
        if found:
            raise refused(f"The {self.dtype[:-5]}{where} is not valid: " + "; ".join(map(str, found)))

    def _stored(self, rec: dict[str, Any], sid: str) -> dict[str, Any]:
        """The record as kept: the given fields, references under this server, dateLastModified now."""
        out: dict[str, Any] = {"sourcedId": sid}
        for field, value in rec.items():  # the body's order, dateLastModified (the server's) after status
            if field not in ("sourcedId", "dateLastModified"):
                out[field] = value
            if field == "status":
                out["dateLastModified"] = now()
        out.setdefault("dateLastModified", now())
        for field, value in rec.items():
            if field in REFERENCES and (target := _ref_sid(value)) is not None:
                out[field] = reference(field, target, value)
        if self.state.config.has("put-partial-store") and self.op.method == "PUT":
            keep = required_fields(self.dtype, self.op.service)
            out = {k: v for k, v in out.items() if k in keep}
        return out

    def _check_references(self, conn: sqlite3.Connection, rec: dict[str, Any], where: str = "") -> None:
        config = self.state.config
        lenient_students = config.has("result-unknown-student")
        for field, value in rec.items():
            if field not in REFERENCES or (sid := _ref_sid(value)) is None:
                continue
            if field == "student" and lenient_students:
                continue
            c = collection(REFERENCES[field][0], config)
            if conn.execute(f"SELECT 1 FROM {c.table} AS t WHERE {c.where} AND t.sid = ?", (sid,)).fetchone() is None:
                raise refused(f"The {field} {sid!r}{where} does not exist.")
        if self.table != "results" or (line_item := _ref_sid(rec.get("lineItem"))) is None:
            return
        row = conn.execute("SELECT class_sid FROM line_items WHERE sid = ?", (line_item,)).fetchone()
        item_class = row[0] if row else None
        own_class = _ref_sid(rec.get("class"))
        if own_class is not None and item_class is not None and own_class != item_class:
            raise refused(f"The result{where} names class {own_class!r} but its lineItem belongs to {item_class!r}.")
        student = _ref_sid(rec.get("student"))
        if student is None or item_class is None or lenient_students:
            return
        enrolled = conn.execute(
            "SELECT 1 FROM enrollments AS e WHERE e.class_sid = ? AND e.user_sid = ? AND e.role = 'student' "
            "AND json_extract(e.doc, '$.status') = 'active' LIMIT 1", (item_class, student)).fetchone()
        if enrolled is None:
            raise refused(f"The student {student!r}{where} is not enrolled in class {item_class!r}, "
                          "the class of the lineItem.")

    def _row(self, conn: sqlite3.Connection, rec: dict[str, Any]) -> tuple:
        def scalar(sql: str, value: str | None) -> Any:
            row = conn.execute(sql, (value,)).fetchone() if value is not None else None
            return row[0] if row else None

        sid = lambda field: _ref_sid(rec.get(field))  # noqa: E731
        table = self.table
        if table == "line_items":
            columns: tuple = (sid("class"), sid("school"))
        elif table == "results":
            own = sid("class") or scalar("SELECT class_sid FROM line_items WHERE sid = ?", sid("lineItem"))
            columns = (sid("lineItem"), own, sid("student"))
        elif table == "score_scales":
            columns = (sid("class"), scalar("SELECT school_sid FROM classes WHERE sid = ?", sid("class")))
        elif table == "assessment_line_items":
            columns = (sid("class"),)
        elif table == "assessment_results":
            columns = (sid("assessmentLineItem"), sid("student"))
        else:  # categories carry no class of their own
            columns = (None,)
        doc = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
        return (rec["sourcedId"], doc, rec["dateLastModified"], *columns)

    def _insert(self, conn: sqlite3.Connection, row: tuple) -> None:
        conn.execute(f"INSERT INTO {self.table} VALUES ({', '.join('?' * len(row))})", row)

    # ---------------------------------------------------------------- PUT
    def _put(self, sid: str, body: bytes) -> Response:
        config = self.state.config
        rec = self._payload(body)
        if isinstance(rec, dict) and rec.get("sourcedId", sid) != sid and not config.has("put-id-mismatch-accepted"):
            raise refused(f"The body's sourcedId {rec['sourcedId']!r} differs from the path's {sid!r}.")
        self._validate(rec)
        if not isinstance(rec, dict):
            raise refused(f"{self.wrapper!r} must be an object.")
        with self.state.store.transaction() as conn:
            self._check_references(conn, rec)
            stored = self._stored(rec, sid)
            exists = conn.execute(f"SELECT 1 FROM {self.table} WHERE sid = ?", (sid,)).fetchone() is not None
            if exists and config.has("put-update-duplicates"):
                copies = conn.execute(f"SELECT count(*) FROM {self.table} WHERE substr(sid, 1, ?) = ?",
                                      (len(sid) + len(DUPLICATE), sid + DUPLICATE)).fetchone()[0]
                conn.execute(f"UPDATE {self.table} SET sid = ? WHERE sid = ?", (f"{sid}{DUPLICATE}{copies + 1}", sid))
            elif exists:
                conn.execute(f"DELETE FROM {self.table} WHERE sid = ?", (sid,))
            self._insert(conn, self._row(conn, stored))
        return Response(status_code=config.put_update_status if exists else 201)

    # ---------------------------------------------------------------- POST
    def _post(self, path: dict[str, str], body: bytes) -> Response:
        config, store = self.state.config, self.state.store
        parents = [(name, path[param]) for name, param in self.chain[:-1]]
        for name, sid in parents:
            c = collection(name, config)
            if store.scalar(f"SELECT 1 FROM {c.table} AS t WHERE {c.where} AND t.sid = ?", (sid,)) is None:
                label = name[:-1] if name.endswith("s") else name
                raise ProviderError(404, f"No {label} with sourcedId {sid!r} is known here.", "unknownobject")
        items = self._payload(body)
        if not isinstance(items, list):
            raise refused(f"{self.wrapper!r} must be an array.")
        records: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            where = f" at {self.wrapper}[{i}]"
            if isinstance(item, dict) and not config.has("nested-post-wrong-parent"):
                # the path names the parent: it wins over whatever the body says
                fields = [(PARENT_FIELDS[name], sid) for name, sid in parents if name in PARENT_FIELDS]
                item = {**item, **{field: reference(field, sid, item.get(field)) for field, sid in fields}}
            self._validate(item, where)
            if not isinstance(item, dict):
                raise refused(f"{self.wrapper}[{i}] must be an object.")
            records.append(item)
        pairs: list[tuple[str, str]] = []
        with store.transaction() as conn:
            taken: set[str] = set()
            for i, item in enumerate(records):
                self._check_references(conn, item, f" at {self.wrapper}[{i}]")
                supplied = item.get("sourcedId")
                allocated = str(uuid.uuid4())
                if config.post_keeps_ids and isinstance(supplied, str) and supplied and supplied not in taken and \
                        conn.execute(f"SELECT 1 FROM {self.table} WHERE sid = ?", (supplied,)).fetchone() is None:
                    allocated = supplied
                taken.add(allocated)
                self._insert(conn, self._row(conn, self._stored(item, allocated)))
                pairs.append((supplied if isinstance(supplied, str) else "", allocated))
        if config.has("post-no-pairs"):
            return Response(status_code=201)
        return pairs_body(pairs)

    # ---------------------------------------------------------------- DELETE
    def _delete(self, sid: str) -> Response:
        config, table = self.state.config, self.table
        with self.state.store.transaction() as conn:
            row = conn.execute(f"SELECT json_extract(doc, '$.status') FROM {table} WHERE sid = ?", (sid,)).fetchone()
            gone = row is None or (config.delete_marks and row[0] == "tobedeleted")
            if gone:
                if config.has("delete-twice-204"):
                    return Response(status_code=204)
                label = self.target[:-1] if self.target.endswith("s") else self.target
                raise ProviderError(404, f"No {label} with sourcedId {sid!r} is known here.", "unknownobject")
            if config.has("delete-keeps-record"):
                return Response(status_code=204)
            if config.delete_marks:
                stamp = now()
                conn.execute(f"UPDATE {table} SET doc = json_set(doc, '$.status', 'tobedeleted', "
                             "'$.dateLastModified', ?), dlm = ? WHERE sid = ?", (stamp, stamp, sid))
                return Response(status_code=204)
            prefix = sid + DUPLICATE
            conn.execute(f"DELETE FROM {table} WHERE sid = ? OR substr(sid, 1, ?) = ?", (sid, len(prefix), prefix))
            if table in CASCADE:
                child, column = CASCADE[table]
                conn.execute(f"DELETE FROM {child} WHERE {column} = ?", (sid,))
        return Response(status_code=204)


def pairs_body(pairs: list[tuple[str, str]]) -> JSONResponse:
    return JSONResponse({"sourcedIdPairs": [{"suppliedSourcedId": s, "allocatedSourcedId": a} for s, a in pairs]},
                        status_code=201)
