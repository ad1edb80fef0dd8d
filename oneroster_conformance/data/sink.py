"""Where a top-level crawl's pages go: checked against the response schema, fed to the per-record
checks (sweep), spilled to the record store; the redactor learns the personal values on the way."""

from __future__ import annotations

import re
from typing import Any, Protocol

from oneroster_conformance.client.redaction import REDACTOR, personal_fields
from oneroster_conformance.data import sweep
from oneroster_conformance.data.guidref import scan, scanned
from oneroster_conformance.data.seen import Seen, StoredSeen
from oneroster_conformance.data.store import RecordStore, as_blob
from oneroster_conformance.spec import schemas
from oneroster_conformance.spec.operations import Operation

# A personal field name as marshal writes a short ASCII string (type byte, length byte, the name):
# only a key (or a value equal to such a name) matches, never a name inside some other text.
_PERSONAL = re.compile(b"|".join(b"[Zz\xda\xfa]" + re.escape(bytes([len(name)]) + name.encode())
                                 for name in sorted(personal_fields())))


class PageSink(Protocol):
    """Where a walk hands each page it accepts (the top-level crawl's Sink, a nested walk's id set)."""

    @property
    def seen(self) -> Seen: ...

    def add(self, data: Any, page: list, body: object, reply: Any) -> None: ...


class Sink:
    """One top-level collection's pages on their way to the store (``checks``: run the schema and
    per-record checks; a second walk made only to compare ids runs none)."""

    def __init__(self, store: RecordStore, op: Operation, key: str, binding: str, checks: bool = True) -> None:
        self.store, self.op, self.key, self.binding, self.checks = store, op, key, binding, checks
        self.sweep = sweep.Sweep(op, binding) if checks else None
        self.seen = StoredSeen(store, key)

    def add(self, data, page: list, body: object, reply) -> None:
        scans = [scan(r) for r in page]  # one walk per record: GUIDRefs for the checks, links for the store
        if self.checks:
            # Every record is checked against the schema (operations/response-schema reports it).
            if data.invalid_page is None and not schemas.is_valid(self.op.response_schema, body, self.binding):
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
        self.store.add(self.key, data.count, page, refs, blobs)
