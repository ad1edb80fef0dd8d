"""The run's writer: every PUT, POST and DELETE the harness sends goes through here.

It journals before it sends, uses a token holding the operation's own write scope, keeps the list of
writes made for the report, and deletes what the run created when the run ends (``finish``: called by
the run engine, and again at interpreter exit and on SIGTERM as a backstop). With ``--plan-writes``
nothing is sent: each write is listed and answered by a small in-memory stand-in, so the checks can
walk their whole flow and the plan shows every write of it.
"""

from __future__ import annotations

import atexit
import json
import secrets
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from oneroster_conformance.client.http import OneRosterClient, Reply
from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.client.oauth import TokenError
from oneroster_conformance.client.redaction import REDACTOR
from oneroster_conformance.exchange import Exchange
from oneroster_conformance.spec.operations import GRADEBOOK, short_scope
from oneroster_conformance.writes import journal
from oneroster_conformance.writes.records import WRAPPER, Roots, write_operation

PREFIX = "orc-test-"
GONE = (404, 410)


class WriteUnavailable(Exception):
    """The writes cannot be checked on this run (a sentence saying why, and how to change it)."""


def collection_of(path: str) -> str:
    """'/classes/c1/lineItems' -> 'lineItems'; '/lineItems/x' -> 'lineItems'."""
    parts = [p for p in path.split("?")[0].split("/") if p]
    return parts[-1] if len(parts) % 2 == 1 else parts[-2]


class Writes:
    def __init__(self, harness: Any, report_dir: Path) -> None:
        s = harness.settings
        self.harness = harness
        self.settings = s
        self.client: OneRosterClient = harness.client
        self.on, self.plan = s.writes_on, s.plan_writes
        self.run_id = time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(2)
        self.prefix = f"{PREFIX}{self.run_id}-"
        self.journal = journal.Journal(Path(report_dir) / journal.JOURNAL)
        self.made: list[dict[str, object]] = []  # every write sent (or planned), for the report
        self.planned: list[str] = []
        self.cleanup: list[dict[str, object]] | None = None  # set by finish()
        self.kept_journal: str | None = None  # an older journal with leftovers, kept under another name
        self._sim: dict[str, dict] = {}
        self._allocated: set[str] = set()  # ids the provider allocated in answer to the run's own POSTs
        self._unpaired: set[str] = set()  # collections a POST created records in without naming all their ids
        self.recovered: list[str] = []  # ids of such records found by their references at the end
        self._count = 0
        self._started = False
        self._sigterm = False  # our SIGTERM handler is installed (and is removed by finish)
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ state
    @property
    def off_reason(self) -> str | None:
        if self.on:
            return None
        return ("writes are off against a provider other than the embedded one: --allow-writes (ONEROSTER_ALLOW_WRITES"
                "=true) checks the Gradebook PUT / POST / DELETE operations on records the harness creates and "
                "deletes; --plan-writes lists them without sending")

    @property
    def roots(self) -> Roots:
        return Roots(self.settings.service_root("rostering"), self.settings.service_root(GRADEBOOK))

    def new_id(self, kind: str) -> str:
        with self._lock:
            self._count += 1
            return f"{self.prefix}{kind}-{self._count}"

    def owns(self, sourced_id: str) -> bool:
        """A record of the run's own: its prefix, or allocated in answer to one of its POSTs."""
        return sourced_id.startswith(self.prefix) or sourced_id in self._allocated

    def _begin(self) -> None:
        """First write of the run: a fresh journal (an older one that still names records is kept), and the
        backstops that delete what was created when the run ends some other way than through the engine."""
        if self._started:
            return
        self._started = True
        if self.plan:
            return  # nothing is sent: nothing to journal or clean up
        path = self.journal.path
        if path.exists():
            if journal.leftovers(journal.read(path)):
                kept = path.with_name(f"writes-journal-{time.strftime('%Y%m%d%H%M%S', time.gmtime())}.jsonl")
                path.rename(kept)
                self.kept_journal = str(kept)
            else:
                path.unlink()
        self.journal.note("start", run=self.run_id, prefix=self.prefix, plan=self.plan,
                          service_root=self.roots.gradebook)
        atexit.register(self.finish)
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) in (
                signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _interrupt)  # a timeout's SIGTERM unwinds like Ctrl-C: clean-up runs
            self._sigterm = True

    # ------------------------------------------------------------------ writes
    def put(self, collection: str, record: dict, **kw: Any) -> Reply:
        sid = str(record.get("sourcedId"))
        return self.send("PUT", f"/{collection}/{sid}", {WRAPPER[collection]: record}, creates=[sid], **kw)

    def put_at(self, path: str, collection: str, record: dict, **kw: Any) -> Reply:
        """A PUT whose path id differs from the body's (the mismatch probe): both ids are journalled."""
        ids = [path.rsplit("/", 1)[-1], str(record.get("sourcedId"))]
        return self.send("PUT", path, {WRAPPER[collection]: record}, creates=ids, **kw)

    def post(self, path: str, records: list[dict], **kw: Any) -> Reply:
        return self.send("POST", path, {collection_of(path): records},
                         creates=[str(r.get("sourcedId")) for r in records], **kw)

    def delete(self, collection: str, sid: str, **kw: Any) -> Reply:
        return self.send("DELETE", f"/{collection}/{sid}", None, **kw)

    def send(self, method: str, path: str, body: object, *, creates: list[str] = (),  # type: ignore[assignment]
             scope_of: str | None = None, creds: Any = None, scopes: tuple[str, ...] | None = None) -> Reply:
        """Journal the write, then send it with a token for the operation's own scope (``scopes`` to
        send it with another token, e.g. a read-only one: the scope checks)."""
        if not self.on:
            raise WriteUnavailable(self.off_reason or "writes are off")
        if creates and not all(self.owns(c) for c in creates):
            raise ValueError(f"the harness writes only {self.prefix}* records (or ids its POSTs were given), "
                             f"not {creates}")
        if method == "DELETE" and not self.owns(path.rsplit("/", 1)[-1]):
            raise ValueError(f"the harness deletes only records it created, not {path}")
        op = write_operation(method, path)
        if op is None:
            raise ValueError(f"{method} {path} is no write operation of the Gradebook service")
        wanted = scopes if scopes is not None else tuple(sorted(op.scopes))
        if not self.plan:
            try:  # the token first: a write that cannot be sent is never journalled
                self.client.tokens.token(creds or self.settings.credentials(), wanted)
            except TokenError as e:
                raise WriteUnavailable(f"the provider issued no token for {', '.join(map(short_scope, wanted))} "
                                       f"({e}): the client needs that scope for the write checks") from None
        self._begin()
        collection = collection_of(path)
        root = self.roots.gradebook
        content = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        if not self.plan:
            self.journal.note("send", method=method, path=path, operation=op.operation_id, service_root=root,
                              collection=collection, creates=list(creates))
        if self.plan:
            self.planned.append(f"{method} {path}" + (f" {_shown(content)}" if content else ""))
            reply = self._simulate(method, path, body)
        else:
            headers = {"Content-Type": "application/json"} if content is not None else {}
            reply = self.client.request(method, path, creds=creds, scopes=wanted, headers=headers, body=content)
        allocated = pairs(reply)[1] if method == "POST" else []
        with self._lock:
            self._allocated.update(a for a in allocated if a)
            sent = (body or {}).get(collection) if isinstance(body, dict) else None
            if method == "POST" and ok(reply) and isinstance(sent, list) and len(allocated) < len(sent):
                self._unpaired.add(collection)
        if not self.plan:
            self.journal.note("answer", method=method, path=path, status=reply.status, service_root=root,
                              collection=collection, allocated=allocated)
            if method == "DELETE" and reply.status in GONE:  # known gone: the clean-up need not ask again
                self.journal.note("removed", service_root=root, collection=collection, id=path.rsplit("/", 1)[-1],
                                  status=reply.status)
        with self._lock:
            self.made.append({"method": method, "path": path, "operation": op.operation_id, "status": reply.status,
                              "creates": list(creates), "allocated": allocated, "sent": not self.plan})
        return reply

    def get(self, path: str, params: dict | None = None) -> Reply:
        """A read-back (plan mode: from the stand-in)."""
        if self.plan:
            return self._simulate("GET", path, None, params)
        return self.client.get(path, params)

    # ------------------------------------------------------------------ the end of the run
    def finish(self) -> dict[str, object]:
        """Delete every record this run created and has not seen removed; the summary for the report."""
        with self._lock:
            if self.cleanup is not None:
                return self.summary()
            self.cleanup = []
        atexit.unregister(self.finish)
        if self._sigterm and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if self._started and not self.plan:
            if self._unpaired:
                self._recover()
            self.cleanup = remove(journal.leftovers(journal.read(self.journal.path)), self.client, self.journal,
                                  self.settings)
        self.journal.close()
        return self.summary()

    def _recover(self, page: int = 1000, pages: int = 100) -> None:
        """Find the records a POST created without answering their allocated sourcedIds: in the collection's
        top-level listing, those referring (lineItem, category, ...) to a record this run created. They are
        journalled like allocated ids, so the clean-up and ``--cleanup`` delete them too."""
        root = self.roots.gradebook
        for collection in sorted(self._unpaired):
            found: list[str] = []
            for n in range(pages):
                try:
                    reply = self.client.get(f"/{collection}", {"limit": str(page), "offset": str(n * page)})
                except Exception:  # noqa: BLE001 - a broken listing ends the search, the clean-up goes on
                    break
                rows = wrapped(reply, collection)
                if not isinstance(rows, list):
                    break
                for row in rows:
                    sid = row.get("sourcedId") if isinstance(row, dict) else None
                    if isinstance(sid, str) and not self.owns(sid) and any(
                            isinstance(v, dict) and isinstance(v.get("sourcedId"), str) and self.owns(v["sourcedId"])
                            for v in row.values()):
                        found.append(sid)
                if len(rows) < page:
                    break
            if found:
                with self._lock:
                    self._allocated.update(found)
                    self.recovered.extend(found)
                self.journal.note("answer", method="GET", path=f"/{collection}", status=200, service_root=root,
                                  collection=collection, allocated=found, recovered=True)

    def lines(self) -> list[str]:
        """What the terminal says about the writes at the end of the run."""
        if self.plan:
            return [f"Gradebook writes planned (--plan-writes), none sent: {len(self.planned)}",
                    *(f"  {line}" for line in self.planned)]
        if not self.made:
            return []
        done = self.cleanup or []
        left = [c for c in done if not c["removed"]]
        deleted = sum(1 for c in done if c["removed"] and c["status"] not in GONE)
        state = (f"{len(left)} of {len(done)} journalled records could NOT be removed: oneroster-conformance "
                 f"--cleanup {self.journal.path}" if left else
                 f"{deleted} records deleted, {len(done) - deleted} journalled ids already gone (refused writes, "
                 "supplied ids a POST replaced, records deleted by the checks): nothing left")
        found = (f" {len(self.recovered)} records a POST created without answering their sourcedIds were found by "
                 "their references and are included." if self.recovered else "")
        return [f"Gradebook writes: {len(self.made)} sent (sourcedIds {self.prefix}*); clean-up: {state}.{found}"]

    def summary(self) -> dict[str, object]:
        done = self.cleanup or []
        return {"allowed": self.on, "planned_only": self.plan,
                "journal": str(self.journal.path) if self._started and not self.plan else None,
                "prefix": self.prefix, "writes": list(self.made), "cleanup": list(done),
                "cleanup_ok": all(c["removed"] for c in done), "kept_journal": self.kept_journal,
                "recovered": list(self.recovered)}

    # ------------------------------------------------------------------ plan mode's stand-in
    def _simulate(self, method: str, path: str, body: object, params: dict | None = None) -> Reply:
        collection = collection_of(path)
        status: int = 200
        answer: dict[str, object] | None = None
        if method == "PUT":
            record = (body or {}).get(WRAPPER.get(collection, ""), {}) if isinstance(body, dict) else {}
            status = 200 if path in self._sim else 201
            self._sim[path] = record
        elif method == "POST":
            records = body.get(collection, []) if isinstance(body, dict) else []
            for r in records:
                self._sim[f"/{collection}/{r.get('sourcedId')}"] = r
            status = 201
            answer = {"sourcedIdPairs": [{"suppliedSourcedId": r.get("sourcedId"),
                                          "allocatedSourcedId": r.get("sourcedId")} for r in records]}
        elif method == "DELETE":
            status = 204 if self._sim.pop(path, None) is not None else 404
        elif path in self._sim:
            answer = {WRAPPER[collection]: self._sim[path]}
        elif path.strip("/").count("/") == 0:  # a collection read
            answer = {collection: [r for p, r in self._sim.items() if collection_of(p) == collection]}
        else:
            status = 404
        content = json.dumps(answer).encode() if answer is not None else b""
        url = self.client.url(path, params)
        shown = Exchange(method, url, status, body_excerpt="(--plan-writes: not sent; the stand-in's answer) "
                         + content.decode()[:500], curl=f"# planned, not sent: {method} {url}")
        return Reply(method, url, status, httpx.Headers({"content-type": "application/json"}), content, 0.0, shown)


def wrapped(reply: Reply, key: str) -> object:
    """What a 200 answer holds under ``key`` (a record's wrapper, a collection's list); None otherwise."""
    body = reply.json_or_none() if reply.status == 200 else None
    return body.get(key) if isinstance(body, dict) else None


def ok(reply: Reply) -> bool:
    """A 2xx answer."""
    return reply.status is not None and 200 <= reply.status < 300


def pairs(reply: Reply) -> tuple[dict[str, str], list[str]]:
    """(supplied -> allocated sourcedId, allocated ids) from a POST's GUIDPairSet answer (empty when absent)."""
    body = reply.json_or_none() if reply.status is not None and 200 <= reply.status < 300 else None
    found = body.get("sourcedIdPairs") if isinstance(body, dict) else None
    mapping: dict[str, str] = {}
    for p in found if isinstance(found, list) else []:
        if isinstance(p, dict) and isinstance(p.get("suppliedSourcedId"), str) \
                and isinstance(p.get("allocatedSourcedId"), str):
            mapping[p["suppliedSourcedId"]] = p["allocatedSourcedId"]
    return mapping, list(mapping.values())


def remove(records: list[journal.Created], client: OneRosterClient, book: journal.Journal | None,
           settings: Any) -> list[dict[str, object]]:
    """DELETE each record (newest first) with a token for the delete scope; a 404 or 410 counts as removed."""
    out: list[dict[str, object]] = []
    for rec in records:
        op = write_operation("DELETE", rec.path)
        if op is None:
            continue
        url = rec.service_root.rstrip("/") + rec.path
        try:
            reply = client.request("DELETE", url, scopes=tuple(sorted(op.scopes)))
            status, error = reply.status, reply.error
        except (TokenError, RuntimeError) as e:  # no token for the delete scope, or the client is closed
            status, error = None, str(e)
        removed = status == 204 or status in GONE or (status is not None and 200 <= status < 300)
        entry: dict[str, object] = {"collection": rec.collection, "id": rec.sourced_id, "status": status,
                                    "removed": removed,
                 "error": MASKER.mask(error) if error else None}
        out.append(entry)
        if removed and book is not None:
            book.note("removed", service_root=rec.service_root, collection=rec.collection, id=rec.sourced_id,
                      status=status)
    return out


def _shown(content: bytes) -> str:
    return MASKER.mask(REDACTOR.body(content.decode("utf-8", "replace")))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
