"""The first crawl: fetch each top-level collection once and share it with every check.

The walk itself trusts nothing it is meant to check: it pages with an explicit limit, keeps going
after a short page (a silent page-size cap must not truncate the ground truth), stops on an empty
page, and stops on a page that only repeats records already seen (a provider ignoring offset would
otherwise never end). Problems met on the way are kept as notes for the checks that own them.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from oneroster_conformance.client.redaction import REDACTOR
from oneroster_conformance.relations import RELATIONS, SINGLE_SOURCE
from oneroster_conformance.spec.operations import Operation

PAGE = 100


@dataclass
class CollectionData:
    operation_id: str
    records: list[dict] = field(default_factory=list)
    replies: list = field(default_factory=list)  # every page Reply, in order
    error: str | None = None  # why the collection could not be read (fully)
    truncated: bool = False  # stopped at the sweep bound, or records may be missing
    paging_problem: str | None = None  # offset paging misbehaved; the pagination checks own this
    ended_by_error: bool = False  # the walk ended on a 4xx past the last record (offset-past-end's business)

    @property
    def ids(self) -> list[str]:
        return [r["sourcedId"] for r in self.records if isinstance(r, dict) and isinstance(r.get("sourcedId"), str)]

    @property
    def first(self):
        return self.replies[0] if self.replies else None


class Crawl:
    def __init__(self, client, operations: tuple[Operation, ...], max_records: int | None = None,
                 workers: int = 4) -> None:
        self.client = client
        self.ops = {op.operation_id: op for op in operations}
        self.max_records = max_records
        self.workers = workers
        self._data: dict[str, CollectionData] = {}
        self._lock = threading.Lock()
        self._fetching: dict[str, threading.Event] = {}

    # -------------------------------------------------------------- collections
    def top_level(self) -> list[Operation]:
        return [op for op in self.ops.values() if op.is_collection and not op.path_params]

    def prefetch(self) -> None:
        """Fetch every top-level collection, a few at a time (the client's rate limit still holds)."""
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            list(pool.map(lambda op: self.collection(op.operation_id), self.top_level()))

    def collection(self, operation_id: str) -> CollectionData:
        with self._lock:
            if operation_id in self._data:
                return self._data[operation_id]
            event = self._fetching.get(operation_id)
            owner = event is None
            if owner:
                event = self._fetching[operation_id] = threading.Event()
        if not owner:
            event.wait()
            return self._data[operation_id]
        try:
            data = self._walk(self.ops[operation_id])
        except Exception as e:  # never let one collection break the run
            data = CollectionData(operation_id, error=f"could not be crawled: {e}")
        with self._lock:
            self._data[operation_id] = data
        event.set()
        return data

    def records(self, operation_id: str) -> list[dict]:
        return self.collection(operation_id).records

    def data(self) -> dict[str, list[dict]]:
        return {op.operation_id: self.records(op.operation_id) for op in self.top_level()}

    def _walk(self, op: Operation) -> CollectionData:
        data = self.walk(op.path, op.wrapper, op.operation_id)
        self._cross_check(op, data)
        return data

    def _cross_check(self, op: Operation, data: CollectionData) -> None:
        """When X-Total-Count disagrees with what offset paging collected, walk again with another
        page size: if both walks agree the records are right (the count is wrong, which the
        pagination checks judge); if not, paging loses or invents records and the ground truth
        cannot be trusted by the other checks."""
        if data.error or data.truncated or data.first is None:
            return
        raw = data.first.header("x-total-count")
        if raw is None or not raw.strip().isdigit() or int(raw) == len(set(data.ids)):
            return
        again = self.walk(op.path, op.wrapper, op.operation_id, page_size=37)
        if sorted(set(again.ids)) != sorted(set(data.ids)):
            data.paging_problem = (f"paging by 100 and by 37 read different records ({len(set(data.ids))} vs "
                                   f"{len(set(again.ids))}; X-Total-Count says {raw})")
            data.truncated = True

    def walk(self, path: str, wrapper: str, name: str = "", params: dict | None = None, page_size: int = PAGE,
             max_records: int | None = None) -> CollectionData:
        """Read every page of a collection at ``path`` (top-level or nested), with extra query params."""
        data = CollectionData(name or path)
        seen: set[str] = set()
        offset = 0
        max_records = self.max_records if max_records is None else max_records
        while True:
            reply = self.client.get(path, {**(params or {}), "limit": page_size, "offset": offset})
            data.replies.append(reply)
            if offset and data.records and not reply.error and 400 <= (reply.status or 0) < 500:
                # A refusal past the records already read: the end, reached impolitely (the
                # pagination checks judge that); the records read so far are the collection.
                data.paging_problem = f"{path}?offset={offset} answered {reply.status} instead of an empty page"
                data.ended_by_error = True
                return data
            if reply.error or reply.status != 200:
                data.error = f"{path}?offset={offset} answered {reply.error or reply.status}"
                return data
            body = reply.json_or_none()
            page = body.get(wrapper) if isinstance(body, dict) else None
            if page is None and isinstance(body, dict) and not body:
                page = []
            if not isinstance(page, list):
                data.error = f"{path} did not answer a JSON object with '{wrapper}'"
                return data
            new = [r for r in page if isinstance(r, dict) and r.get("sourcedId") not in seen]
            if page and not new:
                data.paging_problem = f"{path}?offset={offset} returned only records already seen"
                # Complete only if the first page already held everything (it was not full).
                first = len(data.records)
                data.truncated = first >= page_size or offset != first
                return data
            for r in page:
                REDACTOR.learn(r)
                if isinstance(r, dict) and isinstance(r.get("sourcedId"), str):
                    seen.add(r["sourcedId"])
            data.records.extend(page)
            if not page:
                return data
            offset += len(page)
            if max_records is not None and len(data.records) >= max_records:
                data.truncated = True
                return data

    # -------------------------------------------------------------- ids for single and nested operations
    def ids_for(self, op: Operation) -> dict[str, str] | None:
        """Real ids for the operation's path parameters, preferring parents that have children."""
        if not op.path_params:
            return {}
        if not op.is_collection:
            ids = self.collection(SINGLE_SOURCE[op.operation_id]).ids
            active = [r["sourcedId"] for r in self.records(SINGLE_SOURCE[op.operation_id])
                      if isinstance(r, dict) and r.get("status") == "active" and "sourcedId" in r]
            choice = (active or ids or [None])[0]
            return {op.path_params[0]: choice} if choice else None
        rel = RELATIONS[op.operation_id]
        candidates = self._parent_candidates(op, rel)
        data = self.data_for(rel)
        best = None
        for ids in candidates[:50]:
            must, _ = rel.expected(data, ids)
            if must:
                return ids
            best = best or ids
        return best

    def data_for(self, rel) -> dict[str, list[dict]]:
        needed = {rel.child, *rel.parent.values(), "getAllEnrollments", "getAllClasses", "getAllTerms",
                  "getAllGradingPeriods", "getAllCourses", "getAllStudents", "getAllTeachers"}
        return {k: self.records(k) for k in needed if k in self.ops}

    def _parent_candidates(self, op: Operation, rel) -> list[dict[str, str]]:
        if set(op.path_params) == {"schoolSourcedId", "classSourcedId"}:
            schools = set(self.collection("getAllSchools").ids)
            out = []
            for c in self.records("getAllClasses"):
                school = (c.get("school") or {}).get("sourcedId") if isinstance(c, dict) else None
                if school in schools:
                    out.append({"schoolSourcedId": school, "classSourcedId": c["sourcedId"]})
            return out
        (param, source), = rel.parent.items()
        return [{param: i} for i in self.collection(source).ids]
