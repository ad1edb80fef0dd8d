"""The first crawl: fetch each top-level collection once and share it with every check.

The walk itself trusts nothing it is meant to check: it pages with an explicit limit, keeps going
after a short page (a silent page-size cap must not truncate the ground truth), stops on an empty
page, and stops on a page that only repeats records already seen (a provider ignoring offset would
otherwise never end). Problems met on the way are kept as notes for the checks that own them.

Scale: a top-level collection streams through the crawl a page at a time. Each page is checked
against the response schema, fed to the per-record checks (sweep.py) and spilled to the on-disk
record store (store.py), and the next page is already being fetched meanwhile; the harness keeps a
page, the first reply and the findings, never the collection. Walks made by checks (filtered,
sorted, nested) keep their records in memory as before: they are bounded by what the check asks.
"""

from __future__ import annotations

import contextvars
import re
import threading
from collections import ChainMap, OrderedDict
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from oneroster_conformance import sweep
from oneroster_conformance.client import evidence
from oneroster_conformance.client.redaction import REDACTOR, personal_fields
from oneroster_conformance.relations import RELATIONS, SINGLE_SOURCE
from oneroster_conformance.spec import schemas
from oneroster_conformance.spec.operations import Operation
from oneroster_conformance.store import RecordStore, as_blob, scan, scanned

PAGE = 100
WALK_CACHE_RECORDS = 50_000  # records of shared query walks kept (the oldest walks are dropped first)
CANDIDATES = 50  # parent ids tried when looking for one that has children


@dataclass
class CollectionData:
    operation_id: str
    first: object | None = None  # the first page's Reply (later pages are not kept: memory is bounded by a page)
    error: str | None = None  # why the collection could not be read (fully)
    truncated: bool = False  # stopped at the sweep bound, or records may be missing
    paging_problem: str | None = None  # offset paging misbehaved; the pagination checks own this
    ended_by_error: bool = False  # the walk ended on a 4xx past the last record (offset-past-end's business)
    count: int = 0  # records read (repeats included)
    invalid_page: object | None = None  # the first page Reply its response schema refuses (top-level crawl)
    findings: dict[str, sweep.Finding] = field(default_factory=dict)  # per-record checks (top-level crawl)
    store: RecordStore | None = field(default=None, repr=False)  # where the records are; None: in memory
    key: str = ""  # the collection's key in the store
    kept: list = field(default_factory=list, repr=False)  # the records, when not in a store
    kept_ids: list[str] | None = field(default=None, repr=False)  # a walk that kept only the ids

    @property
    def records(self) -> list:
        """Every record read, in order (from the store for a top-level collection: small ones are cached)."""
        return self.store.records(self.key) if self.store is not None else self.kept

    def iter_records(self) -> Iterator:
        """The records one batch at a time: what a check that streams should read on a large collection."""
        return self.store.iter_records(self.key) if self.store is not None else iter(self.kept)

    @property
    def ids(self) -> list[str]:
        if self.store is not None:
            return self.store.ids(self.key)
        if self.kept_ids is not None:
            return self.kept_ids
        return [r["sourcedId"] for r in self.kept if isinstance(r, dict) and isinstance(r.get("sourcedId"), str)]


class Crawl:
    def __init__(self, client, operations: tuple[Operation, ...], max_records: int | None = None,
                 workers: int = 4, store: RecordStore | None = None, page_size: int = PAGE,
                 binding: str = "v1p2") -> None:
        self.client = client
        self.ops = {op.operation_id: op for op in operations}
        self.max_records = max_records
        self.workers = workers
        self._own_store = store is None
        self.store = store if store is not None else RecordStore()  # top-level records are spilled here
        self.page_size = page_size
        self.binding = binding
        self._data: dict[str, CollectionData] = {}
        self._lock = threading.Lock()
        self._fetching: dict[str, threading.Event] = {}
        self._ahead: ThreadPoolExecutor | None = None
        self._walks: OrderedDict[str, CollectionData] = OrderedDict()  # filtered / sorted walks, shared
        self._ids_for: dict[str, dict[str, str] | None] = {}
        self._closed = False
        self._walked = 0

    # -------------------------------------------------------------- collections
    def top_level(self) -> list[Operation]:
        return [op for op in self.ops.values() if op.is_collection and not op.path_params]

    def prefetch(self) -> None:
        """Fetch every top-level collection, a few at a time (the client's rate limit still holds)."""
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            list(pool.map(lambda op: self.collection(op.operation_id), self.top_level()))

    def start(self) -> None:
        """Prefetch in the background: the crawl runs while the first checks (which need one
        collection, or none) run; a check needing a collection waits for that one only."""
        threading.Thread(target=self.prefetch, name="crawl", daemon=True).start()

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

    def findings(self, operation_id: str, name: str) -> sweep.Finding:
        """What the per-record check ``name`` found in a top-level collection (computed during the
        crawl; on demand from the stored records when the check was registered later)."""
        data = self.collection(operation_id)
        with self._lock:
            found = data.findings.get(name)
        if found is None:
            late = sweep.Sweep(self.ops[operation_id], self.binding, [name])
            late.feed(data.iter_records())
            found = late.findings[name]
            with self._lock:
                found = data.findings.setdefault(name, found)
        return found

    def close(self) -> None:
        self._closed = True  # a background crawl still running stops at its next page
        if self._ahead is not None:
            self._ahead.shutdown(wait=True, cancel_futures=True)
        if self._own_store:
            self.store.close()

    def _walk(self, op: Operation) -> CollectionData:
        data = self.walk(op.path, op.wrapper, op.operation_id, sink=_Sink(self, op, op.operation_id))
        self.store.finish(data.key)  # indexed once complete, while the other collections are still read
        if self.page_size > PAGE and data.first is not None and not data.error:
            # With large pages (--page-size) the first page is not what the run keeps as the
            # collection's sample: a page of the default size is (one request more per collection,
            # instead of thousands of records held to the end of the run).
            data.first = self._page(op.path, None, PAGE, 0)
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
        distinct = self.store.distinct_ids(data.key)
        if raw is None or not raw.strip().isdigit() or int(raw) == distinct:
            return
        # The second walk is spilled too: a broken provider's large collection must not fill memory.
        again = self.walk(op.path, op.wrapper, op.operation_id, page_size=37,
                          sink=_Sink(self, op, f"{op.operation_id}#37", checks=False))
        same, other = self.store.same_ids(data.key, again.key), self.store.distinct_ids(again.key)
        self.store.drop(again.key)
        if not same:
            data.paging_problem = (f"paging by {self.page_size} and by 37 read different records ({distinct} vs "
                                   f"{other}; X-Total-Count says {raw})")
            data.truncated = True

    def walk(self, path: str, wrapper: str, name: str = "", params: dict | None = None, page_size: int = PAGE,
             max_records: int | None = None, sink: _Sink | None = None, ids_only: bool = False) -> CollectionData:
        """Read every page of a collection at ``path`` (top-level or nested), with extra query params.

        ``sink``: a top-level crawl's pages go there (checked, spilled) instead of into memory, and
        the next page is fetched while one is processed. A filtered or sorted walk is read once per
        run: several checks ask for the same query, and the answer is shared (its first page is
        recorded as evidence of each)."""
        if sink is not None or not params or ids_only:
            return self._walk_pages(path, wrapper, name, params, page_size, max_records, sink, ids_only)
        key = repr((path, wrapper, sorted(params.items(), key=str), page_size, max_records))
        with self._lock:
            hit = self._walks.get(key)
            if hit is not None:
                self._walks.move_to_end(key)
        if hit is not None:
            if hit.first is not None:
                evidence.record(hit.first.exchange)
            return hit
        data = self._walk_pages(path, wrapper, name, params, page_size, max_records, sink)
        with self._lock:
            self._walks[key] = data
            self._walked += data.count
            while self._walked > WALK_CACHE_RECORDS and len(self._walks) > 1:
                _, old = self._walks.popitem(last=False)
                self._walked -= old.count
        return data

    def _walk_pages(self, path: str, wrapper: str, name: str, params: dict | None, page_size: int,
                    max_records: int | None, sink: _Sink | None, ids_only: bool = False) -> CollectionData:
        data = CollectionData(name or path)
        if ids_only:
            data.kept_ids = []  # a nested walk of a large district: the ids are all its check needs
        if sink is not None:
            page_size = self.page_size if page_size == PAGE else page_size
            data.store, data.key = self.store, sink.key
        seen = sink.seen if sink is not None else _Seen()
        offset = 0
        max_records = self.max_records if max_records is None else max_records
        ahead: tuple[int, Future] | None = None
        while True:
            if self._closed:
                data.error = "the run ended before the walk did"
                return data
            if ahead is not None and ahead[0] == offset:
                reply = ahead[1].result()
            else:
                reply = self._page(path, params, page_size, offset)
            ahead = None
            if data.first is None:
                data.first = reply
            if offset and data.count and not reply.error and 400 <= (reply.status or 0) < 500:
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
            if sink is not None and page and (max_records is None or data.count + len(page) < max_records):
                # The next offset is known: fetch that page while this one is checked and stored.
                ahead = (offset + len(page), self._fetch_ahead(path, params, page_size, offset + len(page)))
            if page and seen.all_seen(page):
                data.paging_problem = f"{path}?offset={offset} returned only records already seen"
                # Complete only if the first page already held everything (it was not full).
                first = data.count
                data.truncated = first >= page_size or offset != first
                return data
            seen.add(page)
            if sink is not None:
                sink.add(data, page, body, reply)  # the sink learns what the redactor needs
            else:
                for r in page:
                    REDACTOR.learn(r)
                if data.kept_ids is not None:
                    data.kept_ids.extend(r["sourcedId"] for r in page
                                         if isinstance(r, dict) and isinstance(r.get("sourcedId"), str))
                else:
                    data.kept.extend(page)
            data.count += len(page)
            if not page:
                return data
            offset += len(page)
            if max_records is not None and data.count >= max_records:
                data.truncated = True
                return data

    def _page(self, path: str, params: dict | None, page_size: int, offset: int):
        return self.client.get(path, {**(params or {}), "limit": page_size, "offset": offset})

    def _fetch_ahead(self, path: str, params: dict | None, page_size: int, offset: int) -> Future:
        with self._lock:
            if self._ahead is None:
                self._ahead = ThreadPoolExecutor(max_workers=max(1, self.workers), thread_name_prefix="crawl-ahead")
        # The copied context carries the running check's evidence bucket: the page is its evidence too.
        return self._ahead.submit(contextvars.copy_context().run, self._page, path, params, page_size, offset)

    # -------------------------------------------------------------- ids for single and nested operations
    def ids_for(self, op: Operation) -> dict[str, str] | None:
        """Real ids for the operation's path parameters, preferring parents that have children.

        Chosen once per operation: the sample, the scope cells and the nested check all use them."""
        if not op.path_params:
            return {}
        with self._lock:
            if op.operation_id in self._ids_for:
                return self._ids_for[op.operation_id]
        ids = self._choose_ids(op)
        with self._lock:
            return self._ids_for.setdefault(op.operation_id, ids)

    def _choose_ids(self, op: Operation) -> dict[str, str] | None:
        if not op.is_collection:
            source = self.collection(SINGLE_SOURCE[op.operation_id])
            # The first active record, else the first id: read in order, stopping at the first hit.
            choice = next((r["sourcedId"] for r in source.iter_records()
                           if isinstance(r, dict) and r.get("status") == "active" and "sourcedId" in r), _NONE)
            if choice is _NONE:
                choice = next(iter(source.store.ids(source.key, 1) if source.store is not None else source.ids), None)
            return {op.path_params[0]: choice} if choice else None
        rel = RELATIONS[op.operation_id]
        best = None
        for ids in self._parent_candidates(op, rel, CANDIDATES):
            must, _ = rel.expected(self.data_for(rel, ids), ids)
            if must:
                return ids
            best = best or ids
        return best

    def data_for(self, rel, ids: dict[str, str] | None = None) -> Mapping[str, list[dict]]:
        """The collections a relation reads. Small ones whole (cached); a large one, given the parent
        ids, only as the records around them (store.neighbourhood): the relations only ever read
        records linked to the parent, so the answer is the same without holding the collection."""
        needed = [k for k in sorted({rel.child, *rel.parent.values(), *rel.reads, "getAllEnrollments", "getAllClasses",
                                     "getAllTerms", "getAllGradingPeriods", "getAllCourses", "getAllStudents",
                                     "getAllTeachers"}) if k in self.ops]
        out: dict[str, list[dict]] = {}
        near = []
        for k in needed:
            data = self.collection(k)
            if ids is None or data.store is None or data.store.is_small(data.key):
                out[k] = data.records
            else:
                near.append(k)
        if near:  # read lazily: a relation reads only some of the collections it is given
            return ChainMap(out, self.store.neighbourhood(near, ids.values()))
        return out

    def _parent_candidates(self, op: Operation, rel, limit: int) -> list[dict[str, str]]:
        if set(op.path_params) == {"schoolSourcedId", "classSourcedId"}:
            schools = set(self.collection("getAllSchools").ids)
            out = []
            for c in self.collection("getAllClasses").iter_records():
                school = (c.get("school") or {}).get("sourcedId") if isinstance(c, dict) else None
                if school in schools:
                    out.append({"schoolSourcedId": school, "classSourcedId": c["sourcedId"]})
                    if len(out) >= limit:
                        break
            return out
        pair = _PAIRS.get(frozenset(op.path_params))
        if pair is not None:
            return pair(self, limit)
        (param, source), = rel.parent.items()
        data = self.collection(source)
        ids = data.store.ids(data.key, limit) if data.store is not None else data.ids[:limit]
        return [{param: i} for i in ids]


def _line_item_pairs(crawl: Crawl, limit: int) -> list[dict[str, str]]:
    """(class, lineItem) pairs from the lineItems themselves: each names its class."""
    out = []
    for li in crawl.collection("getAllLineItems").iter_records():
        cls = (li.get("class") or {}).get("sourcedId") if isinstance(li, dict) else None
        if cls and li.get("sourcedId"):
            out.append({"classSourcedId": cls, "lineItemSourcedId": li["sourcedId"]})
            if len(out) >= limit:
                break
    return out


def _student_pairs(crawl: Crawl, limit: int) -> list[dict[str, str]]:
    """(class, student) pairs from the student enrollments."""
    out = []
    for e in crawl.collection("getAllEnrollments").iter_records():
        if not isinstance(e, dict) or e.get("role") != "student":
            continue
        cls, user = (e.get("class") or {}).get("sourcedId"), (e.get("user") or {}).get("sourcedId")
        if cls and user:
            out.append({"classSourcedId": cls, "studentSourcedId": user})
            if len(out) >= limit:
                break
    return out


_PAIRS = {frozenset({"classSourcedId", "lineItemSourcedId"}): _line_item_pairs,
          frozenset({"classSourcedId", "studentSourcedId"}): _student_pairs}
_NONE = object()
# A personal field name as marshal writes a short ASCII string (type byte, length byte, the name):
# only a key (or a value equal to such a name) matches, never a name inside some other text.
_PERSONAL = re.compile(b"|".join(b"[Zz\xda\xfa]" + re.escape(bytes([len(name)]) + name.encode())
                                 for name in sorted(personal_fields())))


class _Seen:
    """sourcedIds read so far in a walk (in memory: walks made by checks are bounded)."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def all_seen(self, page: list) -> bool:
        # As the walk has always read it: objects whose sourcedId was read before, nothing new.
        return not any(isinstance(r, dict) and r.get("sourcedId") not in self.ids for r in page)

    def add(self, page: list) -> None:
        self.ids.update(r["sourcedId"] for r in page if isinstance(r, dict) and isinstance(r.get("sourcedId"), str))


class _StoredSeen(_Seen):
    """The same question for a spilled walk, without a set of every id: a Bloom filter says "new"
    for certain, and the store confirms the rare "maybe all seen" (a provider ignoring offset)."""

    BITS = 1 << 24  # 2 MB; two probes: under 5 % false positives per id even at two million ids

    def __init__(self, store: RecordStore, key: str) -> None:
        self.store, self.key = store, key
        self.bits = bytearray(self.BITS >> 3)

    def _probes(self, sid: str) -> tuple[int, int]:
        h = hash(sid) & 0xFFFFFFFFFFFFFFFF
        return h % self.BITS, (h >> 32) % self.BITS

    def all_seen(self, page: list) -> bool:
        ids = []
        for r in page:
            if not isinstance(r, dict):
                continue
            sid = r.get("sourcedId")
            if not isinstance(sid, str):
                return False  # a missing or non-string id was never "seen"
            a, b = self._probes(sid)
            if not (self.bits[a >> 3] >> (a & 7)) & 1 or not (self.bits[b >> 3] >> (b & 7)) & 1:
                return False
            ids.append(sid)
        return self.store.seen_all(self.key, ids)

    def add(self, page: list) -> None:
        for r in page:
            sid = r.get("sourcedId") if isinstance(r, dict) else None
            if isinstance(sid, str):
                for p in self._probes(sid):
                    self.bits[p >> 3] |= 1 << (p & 7)


class _Sink:
    """Where a top-level crawl's pages go: checked against the response schema, fed to the
    per-record checks, spilled to the record store."""

    def __init__(self, crawl: Crawl, op: Operation, key: str, checks: bool = True) -> None:
        self.crawl, self.op, self.key, self.checks = crawl, op, key, checks
        self.sweep = sweep.Sweep(op, crawl.binding) if checks else None
        self.seen = _StoredSeen(crawl.store, key)

    def add(self, data: CollectionData, page: list, body: object, reply) -> None:
        scans = [scan(r) for r in page]  # one walk per record: GUIDRefs for the checks, links for the store
        if self.checks:
            # Every record is checked against the schema (operations/response-schema reports it).
            if data.invalid_page is None and not schemas.is_valid(self.op.response_schema, body, self.crawl.binding):
                data.invalid_page = reply
            with scanned(page, scans):
                self.sweep.feed(page)
            data.findings = self.sweep.findings
        blobs = [as_blob(r) for r in page]
        if REDACTOR.enabled:
            # Only records that hold a personal field have anything to learn, and a record's stored
            # form spells every key it holds (marshal writes a string in full the first time).
            for r, blob in zip(page, blobs, strict=True):
                if _PERSONAL.search(blob):
                    REDACTOR.learn(r)
        refs = [(data.count + i, order, kind, target) for i, (_, rows) in enumerate(scans)
                for order, kind, target in rows]
        self.crawl.store.add(self.key, data.count, page, refs, blobs)
