"""Load the consumer profiles and the SIS permission map (fixtures/consumers/*.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from oneroster_conformance.resources import fixtures_dir, load_yaml

CONFIDENCE = ("documented", "inferred", "assumed")
SIS_FILE = "aeries.yaml"


@dataclass(frozen=True)
class Permission:
    """The SIS permission behind the operations returning one collection."""

    name: str  # e.g. "School Information → Terms"
    confidence: str
    source: str


@dataclass(frozen=True)
class Read:
    """One operation a consumer reads, and what it needs from the answer."""

    operation: str
    basis: str  # why we believe the consumer reads it (a vendor guide or consumer-needs, docs/sources.md)
    confidence: str
    records: str = "optional"  # "required": an empty collection is a gap
    all_fields: tuple[str, ...] = ()  # present and non-null on every record
    some_fields: tuple[str, ...] = ()  # present and non-null on at least one record

    @property
    def needs_data(self) -> bool:
        return self.records == "required" or bool(self.all_fields or self.some_fields)


@dataclass(frozen=True)
class Consumer:
    name: str
    title: str
    record: str  # the name of its API record in the SIS
    api: str  # "oneroster", or "aeries-certificate" (reads the SIS through another API)
    source: str
    permissions: tuple[str, ...]
    reads: tuple[Read, ...]
    api_note: str = ""
    not_visible: tuple[str, ...] = field(default=())

    @property
    def uses_oneroster(self) -> bool:
        return self.api == "oneroster"

    def case_fields(self) -> dict[str, str]:
        return {"consumer": self.name}


@dataclass(frozen=True)
class ReadCase:
    """One parametrized readiness check: a consumer and one operation it reads."""

    consumer: Consumer
    read: Read

    def case_fields(self) -> dict[str, str]:
        return {"operation": self.read.operation, "consumer": self.consumer.name}

    @property
    def case_id(self) -> str:
        return f"{self.consumer.name}-{self.read.operation}"


def consumers_dir() -> Path:
    return fixtures_dir() / "consumers"


def _read(raw: dict) -> Read:
    fields = raw.get("fields") or {}
    return Read(operation=raw["operation"], basis=raw["basis"], confidence=raw["confidence"],
                records=raw.get("records", "optional"), all_fields=tuple(fields.get("all") or ()),
                some_fields=tuple(fields.get("some") or ()))


@cache
def consumers() -> dict[str, Consumer]:
    out = {}
    for path in sorted(consumers_dir().glob("*.yaml")):
        if path.name == SIS_FILE:
            continue
        d = load_yaml(path)
        out[d["name"]] = Consumer(
            name=d["name"], title=d["title"], record=d["record"], api=d["api"], source=d["source"],
            permissions=tuple(d.get("permissions") or ()), reads=tuple(_read(r) for r in d["reads"]),
            api_note=" ".join(str(d.get("api_note") or "").split()),
            not_visible=tuple(d.get("not_visible_through_oneroster") or ()),
        )
    return out


FLOWS = ("grade-passback",)  # readiness profiles that run a flow (writes), not a consumer's reads


def consumer_names() -> list[str]:
    return sorted(consumers())


def selected(choice: str | None) -> list[Consumer]:
    if not choice:
        return []
    every = consumers()
    if choice == "all":
        return [every[n] for n in sorted(every)]
    return [every[choice]] if choice in every else []  # a flow profile (grade-passback) reads as no consumer


@cache
def sis_map() -> dict:
    return load_yaml(consumers_dir() / SIS_FILE)


def permission_for(collection: str) -> Permission | None:
    """The SIS permission gating the operations that return ``collection`` (e.g. 'terms')."""
    entry = (sis_map().get("collections") or {}).get(collection)
    if entry is None:
        return None
    return Permission(entry["permission"], entry["confidence"], entry["source"])


def path_collections(path: str) -> list[str]:
    """'/schools/{a}/classes/{b}/students' -> ['schools', 'classes', 'students'] (parents first)."""
    return [s for s in path.split("/") if s and not s.startswith("{")]
