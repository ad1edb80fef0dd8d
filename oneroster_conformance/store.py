"""The crawl's records on disk: an SQLite table the cross-record checks query, so the harness's
memory is bounded by a page of records, not by the district.

A full sweep of a large district reads millions of records (a 100,000-student district has two
million enrollments). Each top-level collection is streamed page by page into this store: one row
per record (its JSON text, its sourcedId, whether it is active) and one row per GUIDRef it holds
(type and target sourcedId). The checks that need more than one record at a time ask the store:
uniqueness and references are SQL (a GROUP BY, an anti-join), the relations of nested operations
read the records around a parent id (``neighbourhood``), and small collections are materialised
once and kept (a bounded cache), so the default run is as quick as an in-memory crawl.

The file lives in a private temporary folder and is deleted when the run closes the store.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator

SCHEMA = """
CREATE TABLE records (coll TEXT NOT NULL, seq INTEGER NOT NULL, sid, obj INTEGER NOT NULL,
                      active INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE refs (coll TEXT NOT NULL, seq INTEGER NOT NULL, ord INTEGER NOT NULL, type TEXT, target);
"""
# Built when the first query needs them (after the crawl), not during the bulk insert: a sort at
# the end is several times cheaper than keeping four B-trees ordered row by row.
INDEXES = """
CREATE INDEX IF NOT EXISTS records_seq ON records (coll, seq);
CREATE INDEX IF NOT EXISTS records_sid ON records (coll, sid);
CREATE INDEX IF NOT EXISTS refs_target ON refs (target);
CREATE INDEX IF NOT EXISTS refs_seq ON refs (coll, seq);
"""
CACHE_RECORDS = 50_000  # records kept materialised across collections (the default roster fits many times)
CHUNK = 900  # ids per IN (...) list, well below SQLite's variable limit


def links(record: object, guid_refs: list[tuple[str, dict]]) -> list[tuple[int, str | None, object]]:
    """Every object nested in a record that carries a sourcedId, as (ord, type, target sourcedId).

    ``ord`` is the position among the record's GUIDRefs (``guid_refs``: the (path, ref) pairs
    datamodel.guid_refs finds, which the references-resolve check judges) or -1 for any other object
    with a sourcedId:
    the relations read references without asking whether they are well-formed GUIDRefs."""
    order = {id(ref): i for i, (_, ref) in enumerate(guid_refs)}
    out: list[tuple[int, str | None, object]] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "sourcedId" in value and value is not record:
                kind = value.get("type")
                out.append((order.get(id(value), -1), kind if isinstance(kind, str) else None,
                            _target(value.get("sourcedId"))))
            for v in value.values():
                if isinstance(v, dict | list):
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, dict | list):
                    walk(v)

    walk(record)
    return out


def _target(value: object) -> object:
    return value if isinstance(value, str) or value is None else repr(value).encode()


def sid_value(record: object) -> object:
    """The sourcedId as stored: strings as they are, other JSON values (wrongly typed ids) as JSON
    text in a BLOB, which never equals a string id; None when the record has none."""
    if not isinstance(record, dict):
        return None
    value = record.get("sourcedId")
    if value is None or isinstance(value, str | int | float):
        return value  # bool is an int: True groups with 1, as a Python Counter groups them
    return json.dumps(value, sort_keys=True).encode()


class RecordStore:
    """Records of the crawled collections, keyed by collection (operation id) and position."""

    def __init__(self, folder: str | None = None, cache_records: int = CACHE_RECORDS) -> None:
        self.folder = tempfile.mkdtemp(prefix="oneroster-crawl-", dir=folder)
        self.path = os.path.join(self.folder, "records.sqlite")
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -32000", "temp_store = FILE"):
            self._conn.execute(f"PRAGMA {pragma}")  # scratch data: no journal, no fsync; 32 MB page cache
        self._conn.executescript(SCHEMA)
        self._lock = threading.RLock()
        self._indexed = False
        self._counts: dict[str, int] = {}
        self._cache: OrderedDict[str, list] = OrderedDict()
        self._cached = 0
        self.cache_records = cache_records

    # ------------------------------------------------------------------ writing
    def add(self, coll: str, start: int, records: list, refs: Iterable[tuple[int, int, str | None, object]]) -> None:
        """Append a page: ``records`` in order from position ``start``; ``refs`` as (seq, ord, type,
        target), see ``links``."""
        rows = [(coll, start + i, sid_value(r), isinstance(r, dict),
                 isinstance(r, dict) and r.get("status") == "active",
                 json.dumps(r, ensure_ascii=False, separators=(",", ":"))) for i, r in enumerate(records)]
        ref_rows = [(coll, seq, ord_, kind, target) for seq, ord_, kind, target in refs]
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", rows)
            self._conn.executemany("INSERT INTO refs VALUES (?, ?, ?, ?, ?)", ref_rows)
            self._conn.execute("COMMIT")
            self._counts[coll] = self._counts.get(coll, 0) + len(rows)

    def drop(self, coll: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM records WHERE coll = ?", (coll,))
            self._conn.execute("DELETE FROM refs WHERE coll = ?", (coll,))
            self._counts.pop(coll, None)
            if coll in self._cache:
                self._cached -= len(self._cache.pop(coll))

    # ------------------------------------------------------------------ reading
    def _query(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with self._lock:
            if not self._indexed:
                self._conn.executescript(INDEXES)
                self._indexed = True
            return self._conn.execute(sql, tuple(params)).fetchall()

    def count(self, coll: str) -> int:
        return self._counts.get(coll, 0)

    def records(self, coll: str) -> list:
        """Every record of a collection in crawl order; kept when the cache has room."""
        with self._lock:
            if coll in self._cache:
                self._cache.move_to_end(coll)
                return self._cache[coll]
        rows = [json.loads(body) for (body,) in self._query(
            "SELECT body FROM records WHERE coll = ? ORDER BY seq", (coll,))]
        if len(rows) <= self.cache_records:
            with self._lock:
                self._cache[coll] = rows
                self._cached += len(rows)
                while self._cached > self.cache_records and len(self._cache) > 1:
                    _, evicted = self._cache.popitem(last=False)
                    self._cached -= len(evicted)
        return rows

    def is_cached(self, coll: str) -> bool:
        return coll in self._cache or self.count(coll) <= self.cache_records

    def iter_records(self, coll: str, batch: int = 2000) -> Iterator:
        """Records in crawl order, read a batch at a time (memory bounded by the batch)."""
        if coll in self._cache:
            yield from self._cache[coll]
            return
        last = -1
        while True:
            rows = self._query("SELECT seq, body FROM records WHERE coll = ? AND seq > ? ORDER BY seq LIMIT ?",
                               (coll, last, batch))
            for _, body in rows:
                yield json.loads(body)
            if len(rows) < batch:
                return
            last = rows[-1][0]

    def ids(self, coll: str, limit: int | None = None) -> list[str]:
        """String sourcedIds in crawl order (repeats kept, as the crawl read them)."""
        sql = "SELECT sid FROM records WHERE coll = ? AND typeof(sid) = 'text' ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [sid for (sid,) in self._query(sql, (coll,))]

    def distinct_ids(self, coll: str) -> int:
        return self._query("SELECT count(DISTINCT sid) FROM records WHERE coll = ? AND typeof(sid) = 'text'",
                           (coll,))[0][0]

    def same_ids(self, a: str, b: str) -> bool:
        """Whether two collections hold the same set of string sourcedIds."""
        sql = ("SELECT count(*) FROM (SELECT sid FROM records WHERE coll = ? AND typeof(sid) = 'text' EXCEPT "
               "SELECT sid FROM records WHERE coll = ? AND typeof(sid) = 'text')")
        return self._query(sql, (a, b))[0][0] == 0 and self._query(sql, (b, a))[0][0] == 0

    def seen_all(self, coll: str, ids: list[str]) -> bool:
        """Whether every id is already stored under the collection (a page that only repeats records)."""
        wanted = set(ids)
        found: set[str] = set()
        items = list(wanted)
        for i in range(0, len(items), CHUNK):
            chunk = items[i:i + CHUNK]
            marks = ", ".join("?" * len(chunk))
            found.update(s for (s,) in self._query(
                f"SELECT DISTINCT sid FROM records WHERE coll = ? AND sid IN ({marks})", (coll, *chunk)))
        return found >= wanted

    def first_active_id(self, coll: str) -> str | None:
        rows = self._query("SELECT sid FROM records WHERE coll = ? AND typeof(sid) = 'text' AND active "
                           "ORDER BY seq LIMIT 1", (coll,))
        return rows[0][0] if rows else None

    def repeated_ids(self, coll: str) -> list[tuple[object, int]]:
        """(sourcedId, times) for every id held by more than one record, in order of first appearance.

        Only JSON objects count (as the uniqueness check reads them); a missing id groups as None."""
        rows = self._query("SELECT sid, count(*), min(seq) FROM records WHERE coll = ? AND obj GROUP BY sid "
                           "HAVING count(*) > 1 ORDER BY min(seq)", (coll,))
        return [(_shown(sid), n) for sid, n, _ in rows]

    def missing_ids(self, coll: str, among: str) -> list[object]:
        """sourcedIds of the objects of ``coll`` that no record of ``among`` carries, in order."""
        rows = self._query(
            "SELECT d.sid FROM records d WHERE d.coll = ? AND d.obj AND NOT EXISTS (SELECT 1 FROM records u "
            "WHERE u.coll = ? AND typeof(d.sid) = 'text' AND u.sid = d.sid) ORDER BY d.seq", (coll, among))
        return [_shown(sid) for (sid,) in rows]

    def unresolved_refs(self, coll: str, targets: dict[str, str], limit: int | None = None
                        ) -> tuple[int, list[str], list[tuple[int, int]]]:
        """GUIDRefs of ``coll`` whose target is not among the ids of its type's collection.

        ``targets``: GUIDRef type -> collection holding its objects (other types are not judged).
        Returns (how many, their types sorted, the first ``limit`` as (seq, ord) in record order)."""
        if not targets:
            return 0, [], []
        kinds = ", ".join("?" * len(targets))
        cases = " ".join("WHEN ? THEN ?" for _ in targets)
        case_params = [x for kv in targets.items() for x in kv]
        where = (f"r.coll = ? AND r.ord >= 0 AND r.type IN ({kinds}) AND NOT EXISTS (SELECT 1 FROM records x WHERE "
                 f"x.coll = (CASE r.type {cases} END) AND typeof(r.target) = 'text' AND x.sid = r.target)")
        params = [coll, *targets, *case_params]
        total, = self._query(f"SELECT count(*) FROM refs r WHERE {where}", params)[0]
        types = [t for (t,) in self._query(f"SELECT DISTINCT r.type FROM refs r WHERE {where} ORDER BY r.type",
                                           params)]
        sql = f"SELECT r.seq, r.ord FROM refs r WHERE {where} ORDER BY r.seq, r.ord"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return total, types, [(s, o) for s, o in self._query(sql, params)]

    def record_at(self, coll: str, seq: int) -> object:
        rows = self._query("SELECT body FROM records WHERE coll = ? AND seq = ?", (coll, seq))
        return json.loads(rows[0][0]) if rows else None

    def neighbourhood(self, colls: list[str], anchors: Iterable[str]) -> dict[str, list]:
        """The records of ``colls`` around some ids, in crawl order: those referencing an anchor,
        the anchors themselves, and every record that these reference (one hop out).

        The relations of nested operations (relations.py) only ever look at records linked to the
        parent ids this way, so computing them on the neighbourhood gives what the whole
        collections give, at the cost of an indexed lookup instead of a scan."""
        anchors = sorted({a for a in anchors if isinstance(a, str)})
        if not anchors or not colls:
            return {c: [] for c in colls}
        cm = ", ".join("?" * len(colls))
        am = ", ".join("?" * len(anchors))
        near = self._query(
            f"SELECT coll, seq FROM refs WHERE target IN ({am}) AND coll IN ({cm}) UNION "
            f"SELECT coll, seq FROM records WHERE sid IN ({am}) AND coll IN ({cm})",
            (*anchors, *colls, *anchors, *colls))
        linked = set(anchors)
        by_coll: dict[str, list[int]] = {}
        for coll, seq in near:
            by_coll.setdefault(coll, []).append(seq)
        for coll, seqs in by_coll.items():
            for i in range(0, len(seqs), CHUNK):
                chunk = seqs[i:i + CHUNK]
                marks = ", ".join("?" * len(chunk))
                linked.update(t for (t,) in self._query(
                    f"SELECT target FROM refs WHERE coll = ? AND seq IN ({marks})", (coll, *chunk))
                    if isinstance(t, str))
        wanted: dict[str, set[int]] = {c: set() for c in colls}
        for coll, seq in near:
            wanted[coll].add(seq)
        ids = sorted(linked)
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i:i + CHUNK]
            marks = ", ".join("?" * len(chunk))
            for coll, seq in self._query(f"SELECT coll, seq FROM records WHERE coll IN ({cm}) AND sid IN ({marks})",
                                         (*colls, *chunk)):
                wanted[coll].add(seq)
        out: dict[str, list] = {}
        for coll, seqs in wanted.items():
            rows: list[tuple[int, str]] = []
            ordered = sorted(seqs)
            for i in range(0, len(ordered), CHUNK):
                chunk = ordered[i:i + CHUNK]
                marks = ", ".join("?" * len(chunk))
                rows += self._query(f"SELECT seq, body FROM records WHERE coll = ? AND seq IN ({marks})",
                                    (coll, *chunk))
            out[coll] = [json.loads(body) for _, body in sorted(rows)]
        return out

    def close(self) -> None:
        with self._lock:
            self._cache.clear()
            self._conn.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _shown(sid: object) -> object:
    """A stored sourcedId back as the value the record held (for messages)."""
    if isinstance(sid, bytes):
        return json.loads(sid)
    return sid
