"""Per-record checks run while the crawl streams each page: one pass over the data feeds them all.

A data check that looks at one record at a time (a date format, a vocabulary, an href) registers a
factory here, from the suite that owns it::

    @per_record("data/datetime-utc")
    def _utc(op, binding):            # None when the check does not apply to this collection
        return lambda record: [] if ok(record) else ["<sourcedId>: <what is wrong>"]

The crawl calls every registered check on every record of a top-level collection as the page
arrives, and keeps a Finding per (check, collection): how many problems and the first few, never
the records. The check itself then reads ``crawl.findings(operation_id, name)``. A check that was
not registered when the crawl ran (or a collection read before it was) is computed on demand from
the record store, so a finding never depends on import order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

EXAMPLES = 20  # problems kept verbatim per finding (messages show five)

RecordCheck = Callable[[dict], Iterable[str]]
Factory = Callable[[object, str], RecordCheck | None]  # (Operation, binding) -> check, or None: n/a here

REGISTRY: dict[str, Factory] = {}


def per_record(name: str) -> Callable[[Factory], Factory]:
    def register(factory: Factory) -> Factory:
        REGISTRY[name] = factory
        return factory
    return register


@dataclass
class Finding:
    """Problems one per-record check found in one collection."""

    count: int = 0
    examples: list[str] = field(default_factory=list)
    error: BaseException | None = None  # the check itself raised: the check is reported as errored

    def add(self, problems: Iterable[str]) -> None:
        for p in problems:
            self.count += 1
            if len(self.examples) < EXAMPLES:
                self.examples.append(p)

    def __bool__(self) -> bool:
        return self.count > 0


class Sweep:
    """The registered checks bound to one collection, applied record by record."""

    def __init__(self, op, binding: str, names: Iterable[str] | None = None) -> None:
        self.findings: dict[str, Finding] = {}
        self._checks: list[tuple[str, RecordCheck]] = []
        for name in (REGISTRY if names is None else names):
            finding = self.findings[name] = Finding()
            try:
                check = REGISTRY[name](op, binding)
            except Exception as e:  # noqa: BLE001 - reported by the check that owns it
                finding.error = e
                continue
            if check is not None:
                self._checks.append((name, check))

    def feed(self, records: Iterable[object]) -> None:
        for r in records:
            if not isinstance(r, dict):
                continue  # the data checks judge JSON objects; the schema check judges the rest
            for name, check in self._checks:
                finding = self.findings[name]
                if finding.error is not None:
                    continue
                try:
                    finding.add(check(r))
                except Exception as e:  # noqa: BLE001 - kept, and raised again by the check
                    finding.error = e
