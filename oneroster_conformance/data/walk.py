"""Reading every page of one collection: fetch a page, classify the answer, accept its records.

The walk trusts nothing it is meant to check: it pages with an explicit limit, keeps going after a
short page (a silent page-size cap must not truncate the ground truth) unless the page is shorter
than a size the provider is known to honour, stops on an empty page, and stops on a page that only
repeats records already seen (a provider ignoring offset would otherwise never end). Problems met on
the way are kept as notes for the checks that own them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field

from oneroster_conformance.client.redaction import REDACTOR
from oneroster_conformance.data import sweep
from oneroster_conformance.data.seen import Seen
from oneroster_conformance.data.sink import PageSink
from oneroster_conformance.data.store import RecordStore


@dataclass
class CollectionData:
    operation_id: str
    first: object | None = None  # the first page's Reply (later pages are not kept: memory is bounded by a page)
    error: str | None = None  # why the collection could not be read (fully)
    error_reply: object | None = None  # the page whose answer ended the walk early (its evidence)
    truncated: bool = False  # stopped at the sweep bound, or records may be missing
    paging_problem: str | None = None  # offset paging misbehaved; the pagination checks own this
    problem_reply: object | None = None  # the page whose answer showed the paging problem (its evidence)
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


Fetch = Callable[[int], object]  # offset -> Reply
FetchAhead = Callable[[int], Future]  # offset -> the Reply, being fetched in the background


@dataclass
class Walk:
    """One walk of ``path`` with ``page_size`` records a page from offset 0."""

    path: str
    wrapper: str
    data: CollectionData
    fetch: Fetch
    page_size: int
    max_records: int | None = None
    sink: PageSink | None = None  # a top-level crawl's pages go there (checked, spilled) instead of into memory
    fetch_ahead: FetchAhead | None = None  # with a sink: the next page is fetched while one is processed
    end_below: int = 0  # a page shorter than this is the last (the provider honours pages this large)
    closed: Callable[[], bool] = lambda: False
    offset: int = field(default=0, init=False)
    seen: Seen = field(init=False)
    _ahead: tuple[int, Future] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.seen = self.sink.seen if self.sink is not None else Seen()

    def run(self) -> CollectionData:
        while True:
            if self.closed():
                self.data.error = "the run ended before the walk did"
                return self.data
            reply = self._fetch()
            page, body = self._classify(reply)
            if page is None or not self._accept(page, body, reply):
                return self.data

    def _fetch(self):
        ahead, self._ahead = self._ahead, None
        reply = ahead[1].result() if ahead is not None and ahead[0] == self.offset else self.fetch(self.offset)
        if self.data.first is None:
            self.data.first = reply
        return reply

    def _classify(self, reply) -> tuple[list | None, object]:
        """The page's records, or None when the answer ends the walk (the reason noted in data)."""
        data = self.data
        if self.offset and data.count and not reply.error and 400 <= (reply.status or 0) < 500:
            # A refusal past the records already read: the end, reached impolitely (the
            # pagination checks judge that); the records read so far are the collection.
            data.paging_problem = f"{self.path}?offset={self.offset} answered {reply.status} instead of an empty page"
            data.problem_reply = reply
            data.ended_by_error = True
            return None, None
        if reply.error or reply.status != 200:
            data.error = f"{self.path}?offset={self.offset} answered {reply.error or reply.status}"
            data.error_reply = reply
            return None, None
        body = reply.json_or_none()
        page = body.get(self.wrapper) if isinstance(body, dict) else None
        if page is None and isinstance(body, dict) and not body:
            page = []
        if not isinstance(page, list):
            data.error = f"{self.path} did not answer a JSON object with '{self.wrapper}'"
            data.error_reply = reply
            return None, None
        return page, body

    def _accept(self, page: list, body: object, reply) -> bool:
        """Take the page's records; whether the walk goes on."""
        data = self.data
        more = self.max_records is None or data.count + len(page) < self.max_records
        if self.fetch_ahead is not None and page and more:
            # The next offset is known: fetch that page while this one is checked and stored.
            self._ahead = (self.offset + len(page), self.fetch_ahead(self.offset + len(page)))
        if page and self.seen.all_seen(page):
            data.paging_problem = f"{self.path}?offset={self.offset} returned only records already seen"
            data.problem_reply = reply
            # Complete only if the first page already held everything (it was not full).
            data.truncated = data.count >= self.page_size or self.offset != data.count
            return False
        self.seen.add(page)
        if self.sink is not None:
            self.sink.add(data, page, body, reply)  # the sink learns what the redactor needs
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
            return False
        self.offset += len(page)
        if self.max_records is not None and data.count >= self.max_records:
            data.truncated = True
            return False
        # A page shorter than one the provider was seen to fill is the last: no need to ask past it.
        return len(page) >= min(self.end_below, self.page_size) or not self.end_below
