"""The writes journal: one JSON line per write, appended and flushed to disk before the request is sent.

A run killed at any point leaves a journal naming every record it may have created, so
``--cleanup JOURNAL`` can delete exactly those and nothing else.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

JOURNAL = "writes-journal.jsonl"


def _utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass(frozen=True)
class Created:
    """A record the harness may have created: where it lives and how to delete it."""

    service_root: str
    collection: str  # e.g. "lineItems"
    sourced_id: str

    @property
    def path(self) -> str:
        return f"/{self.collection}/{self.sourced_id}"


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def note(self, event: str, **fields: object) -> None:
        """Append one line and force it to disk (the write it announces is sent only after this returns)."""
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(json.dumps({"event": event, "at": _utc(), **fields}, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read(path: Path) -> list[dict]:
    """The journal's entries; a line cut short by a kill is skipped."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            out.append(entry)
    return out


def leftovers(entries: list[dict]) -> list[Created]:
    """Records the journal says were (or may have been) created and not yet removed, newest first
    (results before their lineItem, lineItems before their category)."""
    made: dict[Created, None] = {}
    for e in entries:
        root, collection = e.get("service_root"), e.get("collection")
        if not isinstance(root, str) or not isinstance(collection, str):
            continue
        ids = [*(e.get("creates") or []), *(e.get("allocated") or [])]
        if e["event"] in ("send", "answer"):
            for sid in ids:
                if isinstance(sid, str):
                    made[Created(root, collection, sid)] = None
        elif e["event"] == "removed" and isinstance(e.get("id"), str):
            made.pop(Created(root, collection, e["id"]), None)
    return list(reversed(made))
