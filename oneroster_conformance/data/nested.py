"""Judging a nested operation's answer against its relation in bounded memory.

The children a relation expects and those the provider returns can both be most of a collection
(every class of a term in a district of a million students is ~400,000 ids). Held as Python sets
side by side (expected, walked, their differences) they would cost more than the rest of the run;
instead each is written to the record store as it is produced and the two differences are asked
of SQLite, which returns how many and the first few in order, as the check reports them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass, field
from typing import cast

from oneroster_conformance.client.redaction import REDACTOR
from oneroster_conformance.data.seen import StoredSeen
from oneroster_conformance.data.store import RecordStore
from oneroster_conformance.data.walk import CollectionData, Walk

_names = itertools.count()


@dataclass
class NestedAnswer:
    """How a nested collection compares with what its relation expects (must ⊆ answer ⊆ may)."""

    error: str | None = None  # the nested collection could not be read
    must: int = 0  # ids every reading expects
    may: int = 0  # ids some reading accepts
    same: bool = True  # must and may are the same set (the relation has one reading)
    got: int = 0  # distinct string ids returned
    missing: int = 0
    missing_first: list[str] = field(default_factory=list)  # the first few, sorted
    extra: int = 0
    extra_first: list[str] = field(default_factory=list)


class IdSink:
    """A nested walk's pages: their ids go to an id set of the store (the redactor still learns
    every record), the walk keeps none of them."""

    def __init__(self, store: RecordStore, key: str) -> None:
        self.store, self.key = store, key
        self.seen = StoredSeen(store, key, confirm=lambda ids: store.ids_known(key, ids))

    def add(self, data: CollectionData, page: list, body: object, reply: object) -> None:
        for r in page:
            REDACTOR.learn(r)
        self.store.put_ids(self.key, (r.get("sourcedId") for r in page if isinstance(r, dict)))


def judge(crawl, path: str, wrapper: str, expected: Callable[[], tuple[Iterable, Iterable]],
          shown: int = 5, answered: Iterable[str] | None = None) -> NestedAnswer:
    """Walk the nested collection at ``path`` and compare it with ``expected()``: (must, may) as sets,
    or one iterator given twice when the relation has one reading (Relation.streamed).

    ``answered``: the ids of a page already fetched that holds the whole collection (the plain call's
    only page). When they match, they are the answer and nothing is walked; any other answer is
    judged on the walk, so a first page never decides a failure alone.

    The walk reads the pages a verification walk reads (crawl.verification_paging), as an in-memory
    walk of the ids would; ``shown``: how many missing and extra ids to name."""
    store: RecordStore = crawl.store
    n = next(_names)
    must_key, may_key, got_key = (f"nested:{n}:{part}" for part in ("must", "may", "got"))
    answer = NestedAnswer()
    try:
        must, may = expected()
        if must is may:  # one reading: stored once, never held whole
            store.put_ids(must_key, must)
            may_key = must_key
            answer.must = answer.may = store.ids_count(must_key)
        else:
            answer.must, answer.may, answer.same = len(cast(Sized, must)), len(cast(Sized, may)), must == may
            store.put_ids(must_key, must)
            store.put_ids(may_key, may)
        del must, may  # from here on the sets live in the store only

        if answered is not None:
            store.put_ids(got_key, answered)
            if not store.ids_except(must_key, got_key, 0)[0] and not store.ids_except(got_key, may_key, 0)[0]:
                answer.got = store.ids_count(got_key)
                return answer
            store.drop_ids(got_key)

        limit, end_below = crawl.verification_paging()
        data = CollectionData(path)
        Walk(path, wrapper, data, lambda offset: crawl._page(path, None, limit, offset), limit, crawl.max_records,
             IdSink(store, got_key), end_below=end_below, closed=lambda: crawl._closed).run()
        if data.error:
            answer.error = data.error
            return answer
        answer.got = store.ids_count(got_key)
        answer.missing, answer.missing_first = store.ids_except(must_key, got_key, shown)
        answer.extra, answer.extra_first = store.ids_except(got_key, may_key, shown)
        return answer
    finally:
        store.drop_ids(must_key, may_key, got_key)
