"""The crawl's records on disk: SQLite tables the cross-record checks query, so the harness's
memory is bounded by a page of records, not by the district.

A full sweep of a large district reads millions of records (a 100,000-student district has two
million enrollments). Each top-level collection is streamed page by page into its own pair of
tables: one row per record (the record itself, its sourcedId, whether it is active) and one row per
object with a sourcedId that it holds (GUIDRef type and target). A collection's tables are indexed
when its walk ends (a sort at the end costs a fraction of keeping B-trees ordered row by row while
the others are still being written). The checks that need more than one record at a time ask the store:
uniqueness and references are SQL (a GROUP BY, an anti-join), the relations of nested operations
read the records around a parent id (``neighbourhood``), and small collections are materialised
once and kept (a bounded cache), so the default run is as quick as an in-memory crawl.

The file lives in a private temporary folder and is deleted when the run closes the store.
"""

from __future__ import annotations

import json
import marshal
import os
import re
import shutil
import sqlite3
import tempfile
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping

# Per collection n: rec_n keyed by position (the rowid: stored in crawl order), ref_n beside it.
TABLES = """
CREATE TABLE rec_{n} (seq INTEGER PRIMARY KEY, sid, obj INTEGER NOT NULL, active INTEGER NOT NULL,
                      body BLOB NOT NULL);
CREATE TABLE ref_{n} (seq INTEGER NOT NULL, ord INTEGER NOT NULL, type TEXT, target);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS rec_{n}_sid ON rec_{n} (sid);
CREATE INDEX IF NOT EXISTS ref_{n}_target ON ref_{n} (target);
CREATE INDEX IF NOT EXISTS ref_{n}_seq ON ref_{n} (seq);
"""
EMPTY = "(SELECT NULL AS seq, NULL AS sid, 0 AS obj, 0 AS active, NULL AS body, NULL AS ord, NULL AS type, " \
    "NULL AS target WHERE 0)"  # stands for the tables of a collection that never stored a page
CACHE_RECORDS = 50_000  # records kept materialised across collections (the default roster fits many times)
SMALL = 2_000  # a collection this small is read whole by the relations; a larger one around the parent ids
NEAR_CACHE = 1  # the last neighbourhood is kept: a nested check asks for the same one twice in a row
CHUNK = 900  # ids per IN (...) list, well below SQLite's variable limit
_NONZERO = re.compile(rb"[^\x00]")


def as_blob(record: object) -> bytes:
    """A record as stored: marshal, several times quicker than JSON both ways, and exact for every
    JSON value (a scratch file read back by the same interpreter, never shared)."""
    return marshal.dumps(record)


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
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -16000", "temp_store = FILE"):
            self._conn.execute(f"PRAGMA {pragma}")  # scratch data: no journal, no fsync; 16 MB page cache
        self._lock = threading.RLock()
        self._tables: dict[str, int] = {}  # collection -> n of its rec_n / ref_n tables
        self._next_table = 0  # table numbers are never reused (a dropped collection's included)
        self._indexed: set[str] = set()
        self._counts: dict[str, int] = {}
        self._cache: OrderedDict[str, list] = OrderedDict()
        self._cached = 0
        self.cache_records = cache_records
        self._near: OrderedDict[tuple, Neighbourhood] = OrderedDict()
        self._idsets: dict[str, str] = {}  # id set name -> its table

    # ------------------------------------------------------------------ tables
    def _rec(self, coll: str) -> str:
        n = self._tables.get(coll)
        return f"rec_{n}" if n is not None else EMPTY

    def _ref(self, coll: str) -> str:
        n = self._tables.get(coll)
        return f"ref_{n}" if n is not None else EMPTY

    def finish(self, coll: str) -> None:
        """The collection is complete: index it (sourcedId, reference target, position)."""
        with self._lock:
            n = self._tables.get(coll)
            if n is not None and coll not in self._indexed:
                self._conn.executescript(INDEXES.format(n=n))
                self._indexed.add(coll)

    # ------------------------------------------------------------------ writing
    def add(self, coll: str, start: int, records: list, refs: Iterable[tuple[int, int, str | None, object]],
            texts: list[bytes] | None = None) -> None:
        """Append a page: ``records`` in order from position ``start`` (``texts``: as_blob of each,
        when already made); ``refs`` as (seq, ord, type, target), see ``guidref.scan``."""
        texts = texts or [as_blob(r) for r in records]
        rows = [(start + i, sid_value(r), isinstance(r, dict), isinstance(r, dict) and r.get("status") == "active",
                 text) for i, (r, text) in enumerate(zip(records, texts, strict=True))]
        ref_rows = list(refs)
        with self._lock:
            if coll not in self._tables:
                self._tables[coll] = self._next_table
                self._next_table += 1
                self._conn.executescript(TABLES.format(n=self._tables[coll]))
            rec, ref = self._rec(coll), self._ref(coll)
            self._conn.execute("BEGIN")
            self._conn.executemany(f"INSERT INTO {rec} VALUES (?, ?, ?, ?, ?)", rows)
            self._conn.executemany(f"INSERT INTO {ref} VALUES (?, ?, ?, ?)", ref_rows)
            self._conn.execute("COMMIT")
            self._counts[coll] = self._counts.get(coll, 0) + len(rows)

    def drop(self, coll: str) -> None:
        with self._lock:
            n = self._tables.pop(coll, None)
            if n is not None:
                self._conn.executescript(f"DROP TABLE rec_{n}; DROP TABLE ref_{n};")
            self._indexed.discard(coll)
            self._counts.pop(coll, None)
            self._near.clear()
            if coll in self._cache:
                self._cached -= len(self._cache.pop(coll))

    # ------------------------------------------------------------------ id sets
    def put_ids(self, name: str, ids: Iterable[object]) -> None:
        """Store a set of string ids under ``name`` (a relation's expected children, a nested walk's
        answer), so two large sets are compared in SQL rather than held side by side in memory."""
        rows = ((i,) for i in ids if isinstance(i, str))
        with self._lock:
            table = self._idset(name)
            self._conn.execute("BEGIN")
            self._conn.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?)", rows)
            self._conn.execute("COMMIT")

    def _idset(self, name: str) -> str:
        table = self._idsets.get(name)
        if table is None:
            table = self._idsets[name] = f"ids_{self._next_table}"
            self._next_table += 1
            self._conn.execute(f"CREATE TABLE {table} (sid TEXT PRIMARY KEY) WITHOUT ROWID")
        return table

    def ids_known(self, name: str, ids: list[str]) -> bool:
        """Whether every one of ``ids`` is in the id set (the nested walk's "only repeats" question)."""
        with self._lock:
            table = self._idset(name)
        wanted = set(ids)
        found = 0
        items = list(wanted)
        for i in range(0, len(items), CHUNK):
            chunk = items[i:i + CHUNK]
            found += self._query(f"SELECT count(*) FROM {table} WHERE sid IN ({', '.join('?' * len(chunk))})",
                                 chunk)[0][0]
        return found == len(wanted)

    def ids_count(self, name: str) -> int:
        with self._lock:
            table = self._idset(name)
        return self._query(f"SELECT count(*) FROM {table}")[0][0]

    def ids_except(self, name: str, other: str, limit: int) -> tuple[int, list[str]]:
        """Ids of set ``name`` that set ``other`` lacks: how many, and the first ``limit`` in order."""
        with self._lock:
            a, b = self._idset(name), self._idset(other)
        where = f"FROM {a} x WHERE NOT EXISTS (SELECT 1 FROM {b} y WHERE y.sid = x.sid)"
        total = self._query(f"SELECT count(*) {where}")[0][0]
        first = [sid for (sid,) in self._query(f"SELECT x.sid {where} ORDER BY x.sid LIMIT {int(limit)}")]
        return total, first

    def drop_ids(self, *names: str) -> None:
        with self._lock:
            for name in names:
                table = self._idsets.pop(name, None)
                if table is not None:
                    self._conn.execute(f"DROP TABLE {table}")

    def present(self, coll: str, ids: Iterable[object]) -> set[str]:
        """Which of ``ids`` some record of the collection carries (looked up a chunk at a time)."""
        items = sorted({i for i in ids if isinstance(i, str)})
        found: set[str] = set()
        for i in range(0, len(items), CHUNK):
            chunk = items[i:i + CHUNK]
            found.update(s for (s,) in self._query(
                f"SELECT DISTINCT sid FROM {self._rec(coll)} WHERE sid IN ({', '.join('?' * len(chunk))})", chunk,
                coll))
        return found

    # ------------------------------------------------------------------ reading
    def _query(self, sql: str, params: Iterable = (), *colls: str) -> list[tuple]:
        """Run a query; ``colls``: the collections it reads, indexed first if their walk is over."""
        with self._lock:
            for coll in colls:
                self.finish(coll)
            return self._conn.execute(sql, tuple(params)).fetchall()

    def count(self, coll: str) -> int:
        return self._counts.get(coll, 0)

    def records(self, coll: str) -> list:
        """Every record of a collection in crawl order; kept when the cache has room."""
        with self._lock:
            if coll in self._cache:
                self._cache.move_to_end(coll)
                return self._cache[coll]
        rows = [marshal.loads(body) for (body,) in self._query(f"SELECT body FROM {self._rec(coll)} ORDER BY seq")]
        if len(rows) <= self.cache_records:
            with self._lock:
                self._cache[coll] = rows
                self._cached += len(rows)
                while self._cached > self.cache_records and len(self._cache) > 1:
                    _, evicted = self._cache.popitem(last=False)
                    self._cached -= len(evicted)
        return rows

    def is_small(self, coll: str) -> bool:
        """Small enough for the relations to read whole (cached): otherwise they read neighbourhoods."""
        return self.count(coll) <= min(SMALL, self.cache_records)

    def iter_records(self, coll: str, batch: int = 2000) -> Iterator:
        """Records in crawl order, read a batch at a time (memory bounded by the batch)."""
        if coll in self._cache:
            yield from self._cache[coll]
            return
        last = -1
        while True:
            rows = self._query(f"SELECT seq, body FROM {self._rec(coll)} WHERE seq > ? ORDER BY seq LIMIT ?",
                               (last, batch))
            for _, body in rows:
                yield marshal.loads(body)
            if len(rows) < batch:
                return
            last = rows[-1][0]

    def ids(self, coll: str, limit: int | None = None) -> list[str]:
        """String sourcedIds in crawl order (repeats kept, as the crawl read them)."""
        sql = f"SELECT sid FROM {self._rec(coll)} WHERE typeof(sid) = 'text' ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [sid for (sid,) in self._query(sql)]

    def distinct_ids(self, coll: str) -> int:
        return self._query(f"SELECT count(DISTINCT sid) FROM {self._rec(coll)} WHERE typeof(sid) = 'text'",
                           (), coll)[0][0]

    def same_ids(self, a: str, b: str) -> bool:
        """Whether two collections hold the same set of string sourcedIds."""
        def sql(x: str, y: str) -> str:
            return (f"SELECT count(*) FROM (SELECT sid FROM {self._rec(x)} WHERE typeof(sid) = 'text' EXCEPT "
                    f"SELECT sid FROM {self._rec(y)} WHERE typeof(sid) = 'text')")
        return self._query(sql(a, b), (), a, b)[0][0] == 0 and self._query(sql(b, a))[0][0] == 0

    def seen_all(self, coll: str, ids: list[str]) -> bool:
        """Whether every id is already stored under the collection (a page that only repeats records).

        Asked during the collection's own walk, so it is not indexed yet: a scan, for the rare page
        whose ids the walk's Bloom filter could not tell apart."""
        wanted = set(ids)
        found: set[str] = set()
        items = list(wanted)
        for i in range(0, len(items), CHUNK):
            chunk = items[i:i + CHUNK]
            marks = ", ".join("?" * len(chunk))
            found.update(s for (s,) in self._query(
                f"SELECT DISTINCT sid FROM {self._rec(coll)} WHERE sid IN ({marks})", chunk))
        return found >= wanted

    def repeated_ids(self, coll: str) -> list[tuple[object, int]]:
        """(sourcedId, times) for every id held by more than one record, in order of first appearance.

        Only JSON objects count (as the uniqueness check reads them); a missing id groups as None."""
        rows = self._query(f"SELECT sid, count(*), min(seq) FROM {self._rec(coll)} WHERE obj GROUP BY sid "
                           "HAVING count(*) > 1 ORDER BY min(seq)", (), coll)
        return [(_shown(sid), n) for sid, n, _ in rows]

    def missing_ids(self, coll: str, among: str) -> list[object]:
        """sourcedIds of the objects of ``coll`` that no record of ``among`` carries, in order."""
        rows = self._query(
            f"SELECT d.sid FROM {self._rec(coll)} d WHERE d.obj AND NOT EXISTS (SELECT 1 FROM {self._rec(among)} u "
            "WHERE typeof(d.sid) = 'text' AND u.sid = d.sid) ORDER BY d.seq", (), coll, among)
        return [_shown(sid) for (sid,) in rows]

    def unresolved_refs(self, coll: str, targets: dict[str, str], limit: int | None = None
                        ) -> tuple[int, list[str], list[tuple[int, int]]]:
        """GUIDRefs of ``coll`` whose target is not among the ids of its type's collection.

        ``targets``: GUIDRef type -> collection holding its objects (other types are not judged).
        Returns (how many, their types sorted, the first ``limit`` as (seq, ord) in record order)."""
        if not targets:
            return 0, [], []
        resolved = " OR ".join(f"(r.type = ? AND EXISTS (SELECT 1 FROM {self._rec(target)} x WHERE x.sid = r.target))"
                               for target in targets.values())
        where = (f"r.ord >= 0 AND r.type IN ({', '.join('?' * len(targets))}) AND NOT (typeof(r.target) = 'text' "
                 f"AND ({resolved}))")
        params = [*targets, *targets]
        ref = self._ref(coll)
        colls = (coll, *targets.values())
        total, = self._query(f"SELECT count(*) FROM {ref} r WHERE {where}", params, *colls)[0]
        types = [t for (t,) in self._query(f"SELECT DISTINCT r.type FROM {ref} r WHERE {where} ORDER BY r.type",
                                           params)]
        sql = f"SELECT r.seq, r.ord FROM {ref} r WHERE {where} ORDER BY r.seq, r.ord"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return total, types, [(s, o) for s, o in self._query(sql, params)]

    def read(self, coll: str, seqs: list[int]) -> list:
        """The records at these positions (sorted), in order."""
        rows: list[tuple[int, bytes]] = []
        for i in range(0, len(seqs), CHUNK):
            chunk = seqs[i:i + CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows += self._query(f"SELECT seq, body FROM {self._rec(coll)} WHERE seq IN ({marks})", chunk)
        return [marshal.loads(body) for _, body in sorted(rows)]

    def record_at(self, coll: str, seq: int) -> object:
        rows = self._query(f"SELECT body FROM {self._rec(coll)} WHERE seq = ?", (seq,))
        return marshal.loads(rows[0][0]) if rows else None

    def neighbourhood(self, colls: list[str], anchors: Iterable[str]) -> Mapping[str, Iterable]:
        """The records of ``colls`` around some ids, in crawl order: those referencing an anchor,
        the anchors themselves, and every record that these reference (one hop out).

        The relations of nested operations (relations.py) only ever look at records linked to the
        parent ids this way, so computing them on the neighbourhood gives what the whole
        collections give, at the cost of an indexed lookup instead of a scan. Which records belong
        is worked out in SQL; a collection's records are read when the relation asks for them
        (a term's neighbourhood holds every class of the term, which the grading periods of that
        term never need), a batch at a time."""
        anchors = sorted({a for a in anchors if isinstance(a, str)})
        if not anchors or not colls:
            return Neighbourhood(self, {c: array("q") for c in colls})
        key = (tuple(colls), tuple(anchors))
        with self._lock:
            if key in self._near:
                self._near.move_to_end(key)
                return self._near[key]
        out = self._neighbourhood(colls, anchors)
        with self._lock:
            self._near[key] = out
            while len(self._near) > NEAR_CACHE:
                self._near.popitem(last=False)
        return out

    def _neighbourhood(self, colls: list[str], anchors: list[str]) -> Neighbourhood:
        # Positions are gathered in a bitmap of the collection's positions and kept as a sorted array
        # of 8-byte integers, never as a list of rows or a SQL ORDER BY: a term's neighbourhood in the
        # largest district is most of a million classes, and SQLite's sorter would take as much
        # memory as its page cache for them.
        am = ", ".join("?" * len(anchors))
        marks_of: dict[str, Positions] = {}
        linked = set(anchors)
        for coll in colls:
            near = marks_of[coll] = Positions(self.count(coll))
            self._mark(near, f"SELECT seq FROM {self._ref(coll)} WHERE target IN ({am})", anchors, coll)
            self._mark(near, f"SELECT seq FROM {self._rec(coll)} WHERE sid IN ({am})", anchors, coll)
            for chunk in near.chunks(CHUNK):
                marks = ", ".join("?" * len(chunk))
                linked.update(t for (t,) in self._query(
                    f"SELECT DISTINCT target FROM {self._ref(coll)} WHERE seq IN ({marks})", chunk)
                    if isinstance(t, str))
        ids = sorted(linked)
        wanted: dict[str, array] = {}
        for coll in colls:
            near = marks_of[coll]
            for i in range(0, len(ids), CHUNK):
                chunk = ids[i:i + CHUNK]
                self._mark(near, f"SELECT seq FROM {self._rec(coll)} WHERE sid IN ({', '.join('?' * len(chunk))})",
                           chunk, coll)
            wanted[coll] = near.sorted()
        return Neighbourhood(self, wanted)

    def _mark(self, positions: Positions, sql: str, params: Iterable, coll: str) -> None:
        """Mark the positions a query's one integer column gives, read from the cursor a batch at a time."""
        with self._lock:
            self.finish(coll)
            cursor = self._conn.execute(sql, tuple(params))
            while rows := cursor.fetchmany(10_000):
                positions.mark(seq for (seq,) in rows)

    def close(self) -> None:
        with self._lock:
            self._cache.clear()
            self._near.clear()
            self._conn.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class Positions:
    """A set of record positions (0 .. n-1) as a bitmap: n/8 bytes whatever how many are marked, and
    read back in order without a sort."""

    _BITS = [tuple(b for b in range(8) if byte >> b & 1) for byte in range(256)]

    def __init__(self, n: int) -> None:
        self.bits = bytearray((n >> 3) + 1)

    def mark(self, seqs: Iterable[int]) -> None:
        bits = self.bits
        for seq in seqs:
            if seq >> 3 >= len(bits):  # a position past the count the store was told (never expected)
                bits.extend(bytes((seq >> 3) - len(bits) + 1))
            bits[seq >> 3] |= 1 << (seq & 7)

    def __iter__(self) -> Iterator[int]:
        bits, table = self.bits, self._BITS
        for m in _NONZERO.finditer(bits):
            at = m.start()
            for b in table[bits[at]]:
                yield (at << 3) + b

    def chunks(self, size: int) -> Iterator[list[int]]:
        chunk: list[int] = []
        for seq in self:
            chunk.append(seq)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def sorted(self) -> array:
        return array("q", self)


class StoredRecords:
    """Records at known positions, read from the store a batch at a time each time they are
    iterated: a relation may hold every class of a term, never all of them at once in memory."""

    def __init__(self, store: RecordStore, coll: str, seqs: list[int] | array) -> None:
        self._store, self._coll, self._seqs = store, coll, seqs

    def __iter__(self) -> Iterator:
        for i in range(0, len(self._seqs), CHUNK):
            yield from self._store.read(self._coll, list(self._seqs[i:i + CHUNK]))

    def __len__(self) -> int:
        return len(self._seqs)

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, StoredRecords | list) else NotImplemented


class Neighbourhood(Mapping):
    """Records around some ids, per collection: positions known, records read on first access."""

    def __init__(self, store: RecordStore, wanted: dict[str, array | set[int]]) -> None:
        self._store, self._wanted, self._read = store, wanted, {}

    def __getitem__(self, coll: str) -> Iterable:
        if coll not in self._wanted:
            raise KeyError(coll)
        if coll not in self._read:
            seqs = self._wanted[coll]
            self._read[coll] = StoredRecords(self._store, coll, seqs if isinstance(seqs, array) else sorted(seqs))
        return self._read[coll]

    def __iter__(self) -> Iterator[str]:
        return iter(self._wanted)

    def __len__(self) -> int:
        return len(self._wanted)


def _shown(sid: object) -> object:
    """A stored sourcedId back as the value the record held (for messages)."""
    if isinstance(sid, bytes):
        return json.loads(sid)
    return sid
