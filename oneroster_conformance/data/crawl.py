"""The first crawl: fetch each top-level collection once and share it with every check.

Scale: a top-level collection streams through the crawl a page at a time. Each page is checked
against the response schema, fed to the per-record checks (sweep.py) and spilled to the on-disk
record store (store.py) by the sink (sink.py), and the next page is already being fetched
meanwhile; the harness keeps a page, the first reply and the findings, never the collection. Walks
made by checks (filtered, sorted, nested) keep their records in memory: they are bounded by what the
check asks, and each distinct one is read once per run and shared.
"""

from __future__ import annotations

import contextvars
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

from oneroster_conformance.client import evidence
from oneroster_conformance.data import sweep
from oneroster_conformance.data.ids import IdChoice
from oneroster_conformance.data.sink import Sink
from oneroster_conformance.data.store import RecordStore
from oneroster_conformance.data.walk import CollectionData, Walk
from oneroster_conformance.spec.operations import Operation

PAGE = 100
# Walks that verify a query read pages up to this size (the first asks whether the provider fills it):
# ten times fewer requests than the default page, and a page's memory stays small beside the crawl's.
VERIFY_PAGE = 1_000
WALK_CACHE_RECORDS = 50_000  # records of shared query walks kept (the oldest walks are dropped first)

__all__ = ["PAGE", "CollectionData", "Crawl"]


class Crawl(IdChoice):
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
        self._verify_paging: tuple[int, int] | None = None

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
            data = self._crawl(self.ops[operation_id])
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

    def _sink(self, op: Operation, key: str, checks: bool = True) -> Sink:
        return Sink(self.store, op, key, self.binding, checks)

    def _crawl(self, op: Operation) -> CollectionData:
        data = self.walk(op.path, op.wrapper, op.operation_id, sink=self._sink(op, op.operation_id))
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
                          sink=self._sink(op, f"{op.operation_id}#37", checks=False))
        same, other = self.store.same_ids(data.key, again.key), self.store.distinct_ids(again.key)
        self.store.drop(again.key)
        if not same:
            data.paging_problem = (f"paging by {self.page_size} and by 37 read different records ({distinct} vs "
                                   f"{other}; X-Total-Count says {raw})")
            data.truncated = True

    # -------------------------------------------------------------- walks
    def walk(self, path: str, wrapper: str, name: str = "", params: dict | None = None, page_size: int = PAGE,
             max_records: int | None = None, sink: Sink | None = None, ids_only: bool = False) -> CollectionData:
        """Read every page of a collection at ``path`` (top-level or nested), with extra query params.

        ``sink``: a top-level crawl's pages go there (checked, spilled) instead of into memory, and
        the next page is fetched while one is processed. A filtered or sorted walk is read once per
        run: several checks ask for the same query, and the answer is shared (its first page is
        recorded as evidence of each)."""
        end_below = 0
        if sink is None and (params or ids_only) and page_size == PAGE:
            page_size, end_below = self.verification_paging()
        if sink is not None or not params or ids_only:
            return self._walk_pages(path, wrapper, name, params, page_size, max_records, sink, ids_only, end_below)
        key = repr((path, wrapper, sorted(params.items(), key=str), page_size, max_records))
        with self._lock:
            hit = self._walks.get(key)
            if hit is not None:
                self._walks.move_to_end(key)
        if hit is not None:
            if hit.first is not None:
                evidence.record(hit.first.exchange)
            return hit
        data = self._walk_pages(path, wrapper, name, params, page_size, max_records, sink, end_below=end_below)
        with self._lock:
            self._walks[key] = data
            self._walked += data.count
            while self._walked > WALK_CACHE_RECORDS and len(self._walks) > 1:
                _, old = self._walks.popitem(last=False)
                self._walked -= old.count
        return data

    def verification_paging(self) -> tuple[int, int]:
        """(limit, end_below) for the walks that verify a query (filtered, sorted, nested): the largest
        page the provider honours up to ``VERIFY_PAGE``, learnt once by asking the largest crawled
        collection for that many records, and the page length below which a page is the last.

        The pagination rules are judged on walks at the default size (the crawl's, the pagination
        checks'); a walk that verifies a filter reads the same records in fewer requests at the size
        the provider fills. A provider that filled a page of k records caps pages at k or more, so a
        shorter page is the end and needs no request past it. When the probe does not answer a page
        (an error, a refusal of large limits), walks keep the default size and ask past every page."""
        with self._lock:
            if self._verify_paging is not None:
                return self._verify_paging
        found = (PAGE, 0)
        sizes = [(self.collection(op.operation_id), op) for op in self.top_level()]
        usable = [(d.count, op.operation_id, op) for d, op in sizes
                  if not (d.error or d.truncated or d.paging_problem) and d.count]
        if usable:
            count, _, op = max(usable, key=lambda u: (u[0], u[1]))
            reply = self.client.get(op.path, {"limit": VERIFY_PAGE})
            body = reply.json_or_none() if reply.status == 200 and not reply.error else None
            page = body.get(op.wrapper) if isinstance(body, dict) else None
            if isinstance(page, list) and page:
                # A complete page: pages this large are honoured; a shorter one: the provider's cap.
                found = (VERIFY_PAGE, len(page)) if len(page) >= min(VERIFY_PAGE, count) else (len(page), len(page))
        with self._lock:
            self._verify_paging = self._verify_paging or found
            return self._verify_paging

    def _walk_pages(self, path: str, wrapper: str, name: str, params: dict | None, page_size: int,
                    max_records: int | None, sink: Sink | None, ids_only: bool = False,
                    end_below: int = 0) -> CollectionData:
        data = CollectionData(name or path)
        if ids_only:
            data.kept_ids = []  # a nested walk of a large district: the ids are all its check needs
        ahead = None
        if sink is not None:
            page_size = self.page_size if page_size == PAGE else page_size
            data.store, data.key = self.store, sink.key
            ahead = lambda offset: self._fetch_ahead(path, params, page_size, offset)  # noqa: E731
        return Walk(path, wrapper, data, lambda offset: self._page(path, params, page_size, offset), page_size,
                    self.max_records if max_records is None else max_records, sink, ahead,
                    end_below=end_below, closed=lambda: self._closed).run()

    def _page(self, path: str, params: dict | None, page_size: int, offset: int):
        return self.client.get(path, {**(params or {}), "limit": page_size, "offset": offset})

    def _fetch_ahead(self, path: str, params: dict | None, page_size: int, offset: int) -> Future:
        with self._lock:
            if self._ahead is None:
                self._ahead = ThreadPoolExecutor(max_workers=max(1, self.workers), thread_name_prefix="crawl-ahead")
        # The copied context carries the running check's evidence bucket: the page is its evidence too.
        return self._ahead.submit(contextvars.copy_context().run, self._page, path, params, page_size, offset)
