"""The SQLite store: every record kept as JSON (queried with JSON1's json_extract) plus the few
indexed columns the typed and nested endpoints select on.

Each table has ``sid`` (the sourcedId), ``doc`` (the record, hrefs relative to the service
root) and ``dlm`` (its dateLastModified, indexed: delta syncs are the query consumers run most).
Relations the nested endpoints need live in plain columns or side tables (class_terms, user_roles)
so "classes of a term" or "students of a school" are index lookups, not JSON scans.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from oneroster_conformance.provider import collation
from oneroster_conformance.provider.gradebook import COLUMNS as GRADEBOOK_COLUMNS

SCHEMA_VERSION = "3"
_MEMO_ENTRIES = 4096  # page ends and counts of recent walks; a few hundred bytes each

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE orgs (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, type TEXT, parent_sid TEXT);
CREATE TABLE academic_sessions (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, type TEXT, parent_sid TEXT);
CREATE TABLE courses (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, org_sid TEXT);
CREATE TABLE classes (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, school_sid TEXT, course_sid TEXT);
CREATE TABLE class_terms (class_sid TEXT NOT NULL, term_sid TEXT NOT NULL);
CREATE TABLE users (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, is_student INTEGER NOT NULL,
                    is_teacher INTEGER NOT NULL);
CREATE TABLE user_roles (user_sid TEXT NOT NULL, org_sid TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE enrollments (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, class_sid TEXT, school_sid TEXT,
                          user_sid TEXT, role TEXT);
CREATE TABLE demographics (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT);
CREATE TABLE categories (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, class_sid TEXT);
CREATE TABLE line_items (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, class_sid TEXT, school_sid TEXT);
CREATE TABLE results (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, line_item_sid TEXT, class_sid TEXT,
                      student_sid TEXT);
CREATE TABLE score_scales (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, class_sid TEXT, school_sid TEXT);
CREATE TABLE assessment_line_items (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, class_sid TEXT);
CREATE TABLE assessment_results (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT, line_item_sid TEXT,
                                 student_sid TEXT);
CREATE TABLE resources (sid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, dlm TEXT);
CREATE TABLE resource_links (resource_sid TEXT NOT NULL, kind TEXT NOT NULL, owner_sid TEXT NOT NULL);
"""

# Built after the bulk insert: cheaper than maintaining them row by row.
INDEXES = """
CREATE INDEX orgs_type ON orgs (type, sid);
CREATE INDEX orgs_dlm ON orgs (dlm);
CREATE INDEX sessions_dlm ON academic_sessions (dlm);
CREATE INDEX courses_dlm ON courses (dlm);
CREATE INDEX classes_dlm ON classes (dlm);
CREATE INDEX users_dlm ON users (dlm);
CREATE INDEX enrollments_dlm ON enrollments (dlm);
CREATE INDEX demographics_dlm ON demographics (dlm);
CREATE INDEX sessions_type ON academic_sessions (type, sid);
CREATE INDEX sessions_parent ON academic_sessions (parent_sid);
CREATE INDEX courses_org ON courses (org_sid);
CREATE INDEX classes_school ON classes (school_sid, sid);
CREATE INDEX classes_course ON classes (course_sid);
CREATE INDEX class_terms_term ON class_terms (term_sid, class_sid);
CREATE INDEX class_terms_class ON class_terms (class_sid);
CREATE INDEX users_students ON users (sid) WHERE is_student = 1;
CREATE INDEX users_teachers ON users (sid) WHERE is_teacher = 1;
CREATE INDEX user_roles_org ON user_roles (org_sid, role, user_sid);
CREATE INDEX enrollments_class ON enrollments (class_sid, role, user_sid);
CREATE INDEX enrollments_school ON enrollments (school_sid, sid);
CREATE INDEX enrollments_user ON enrollments (user_sid, role, class_sid);
CREATE INDEX categories_class ON categories (class_sid);
CREATE INDEX line_items_class ON line_items (class_sid);
CREATE INDEX results_line_item ON results (line_item_sid);
CREATE INDEX results_class ON results (class_sid, student_sid);
CREATE INDEX score_scales_class ON score_scales (class_sid);
CREATE INDEX score_scales_school ON score_scales (school_sid);
CREATE INDEX resource_links_owner ON resource_links (kind, owner_sid);
"""

TABLES = ("orgs", "academic_sessions", "courses", "classes", "users", "enrollments", "demographics",
          "categories", "line_items", "results", "score_scales", "assessment_line_items", "assessment_results",
          "resources", "resource_links")


def _sid(ref: Any) -> str | None:
    return ref.get("sourcedId") if isinstance(ref, dict) else None


def _role_orgs(user: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(org sourcedId, role) pairs of a user: 1.2 'roles', or 1.1 'role' at each of 'orgs'."""
    if "roles" in user:
        return [(role["org"]["sourcedId"], role["role"]) for role in user.get("roles", ())]
    return [(org["sourcedId"], user.get("role")) for org in user.get("orgs", ()) if isinstance(org, dict)]


def _dump(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _width(k: int) -> Callable[[Mapping[str, Any]], tuple]:
    return lambda r: (None,) * k


# table -> record -> the column values after (sid, doc)
_COLUMNS: dict[str, Callable[[Mapping[str, Any]], tuple]] = {
    "orgs": lambda r: (r.get("type"), _sid(r.get("parent"))),
    "academic_sessions": lambda r: (r.get("type"), _sid(r.get("parent"))),
    "courses": lambda r: (_sid(r.get("org")),),
    "classes": lambda r: (_sid(r.get("school")), _sid(r.get("course"))),
    "users": lambda r: (
        int(any(role == "student" for _, role in _role_orgs(r)) or r.get("role") == "student"),
        int(any(role == "teacher" for _, role in _role_orgs(r)) or r.get("role") == "teacher"),
    ),
    "enrollments": lambda r: (_sid(r.get("class")), _sid(r.get("school")), _sid(r.get("user")), r.get("role")),
    "demographics": lambda r: (),
    # Gradebook and Resources tables arrive as ready rows (provider.gradebook): only their width matters.
    **{table: _width(k) for table, k in GRADEBOOK_COLUMNS.items()},
}


class Store:
    """One SQLite database file; a read-only connection per thread once built, and one writable
    connection (behind a lock) for the Gradebook writes, each a short transaction."""

    def __init__(self, path: str, cleanup_dir: str | None = None) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._cache: dict[tuple, Any] = {}
        # Answers that stay true until the next write: a query's count, and where each served page
        # ended, so that the next page of a walk is found by key instead of skipping `offset` rows
        # (OFFSET and count(*) are linear in the rows before and under them: a walk of 25 million
        # records would be quadratic).
        self._memo: OrderedDict[tuple, Any] = OrderedDict()
        self._generation = 0
        self._write_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        if cleanup_dir:
            weakref.finalize(self, shutil.rmtree, cleanup_dir, True)

    # ------------------------------------------------------------------ building
    @classmethod
    def temporary(cls) -> Store:
        folder = tempfile.mkdtemp(prefix="oneroster-provider-")
        return cls(os.path.join(folder, "roster.sqlite"), cleanup_dir=folder)

    def is_built(self, source: str) -> bool:
        if not os.path.exists(self.path):
            return False
        try:
            with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as conn:
                rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error:
            return False
        return rows.get("schema") == SCHEMA_VERSION and rows.get("source") == source and rows.get("complete") == "1"

    def build(self, source: str, tables: Mapping[str, Iterable[Mapping[str, Any] | tuple]]) -> None:
        """Write every table in one transaction into a fresh file, then move it into place."""
        tmp = self.path + ".building"
        for leftover in (tmp, tmp + "-journal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-200000;")
            conn.executescript(DDL)
            conn.execute("BEGIN")
            for table in TABLES:
                self._insert(conn, table, tables.get(table, ()))
            conn.execute("COMMIT")
            for statement in filter(str.strip, INDEXES.split(";")):
                conn.execute(statement)
            conn.execute("PRAGMA analysis_limit = 1000")  # approximate statistics are enough
            conn.execute("ANALYZE")
            conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [("schema", SCHEMA_VERSION), ("source", source), ("complete", "1")],
            )
        finally:
            conn.close()
        os.replace(tmp, self.path)

    @staticmethod
    def _insert(conn: sqlite3.Connection, table: str, records: Iterable[Mapping[str, Any] | tuple]) -> None:
        columns = _COLUMNS[table]
        side: list[tuple] = []

        def rows():
            for r in records:
                if isinstance(r, tuple):  # a ready row (sid, doc, dlm, ...) from the generator's fast path
                    yield r
                    continue
                sid = r["sourcedId"]
                if table == "classes":
                    side.extend((sid, t["sourcedId"]) for t in r.get("terms", ()))
                elif table == "users":
                    side.extend((sid, org, role) for org, role in _role_orgs(r))
                yield (sid, _dump(r), r.get("dateLastModified"), *columns(r))

        width = 3 + len(columns({}))
        conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})", rows())
        if table == "classes":
            conn.executemany("INSERT INTO class_terms VALUES (?, ?)", side)
        elif table == "users":
            conn.executemany("INSERT INTO user_roles VALUES (?, ?, ?)", side)

    # ------------------------------------------------------------------ reading
    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            conn.execute("PRAGMA query_only = 1")
            conn.execute("PRAGMA busy_timeout = 10000")  # a write commits in milliseconds: wait, do not fail
            conn.execute("PRAGMA cache_size = -16000")
            collation.register(conn)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return self.connection().execute(sql, tuple(params)).fetchall()

    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = self.connection().execute(sql, tuple(params)).fetchone()
        return None if row is None else row[0]

    def cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """Memoise facts about the data as built, e.g. which record a fault targets (writes do not move them)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def generation(self) -> int:
        """Bumped by every write: a memo key that holds it cannot outlive the data it describes."""
        return self._generation

    def remembered(self, key: tuple) -> Any:
        """What `remember` kept under `key` (which should hold `generation`), or None."""
        with self._lock:
            value = self._memo.get(key)
            if value is not None:
                self._memo.move_to_end(key)
            return value

    def remember(self, key: tuple, value: Any) -> None:
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > _MEMO_ENTRIES:
                self._memo.popitem(last=False)

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        Readers use their own connections and see the commit as soon as it is made."""
        with self._write_lock:
            if self._writer is None:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA busy_timeout = 10000")
                collation.register(conn)
                self._writer = conn
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            with self._lock:
                self._generation += 1
                self._memo.clear()

    def close(self) -> None:
        with self._write_lock:
            if self._writer is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._writer.close()
                self._writer = None
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()
