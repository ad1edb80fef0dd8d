"""The requirement catalogue (schemas/requirements.yaml) as typed data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from jsonschema import Draft202012Validator

from oneroster_conformance.resources import load_yaml, schemas_dir


@dataclass(frozen=True)
class Area:
    """A spec area: the prefix of its requirements' ids, a title, and its place in every view."""

    id: str
    title: str
    order: int


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    area: str
    section: str
    summary: str
    bindings: tuple[str, ...]
    normative: bool = True
    reading: str | None = None
    consequence: str | None = None
    extra: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Catalogue:
    version: str
    requirements: dict[str, Requirement]
    areas: tuple[Area, ...] = ()

    def __getitem__(self, rid: str) -> Requirement:
        try:
            return self.requirements[rid]
        except KeyError:
            raise KeyError(f"requirement {rid!r} is not in schemas/requirements.yaml") from None

    def __contains__(self, rid: str) -> bool:
        return rid in self.requirements

    def __iter__(self):
        return iter(self.requirements.values())

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def for_binding(self, binding: str) -> list[Requirement]:
        return [r for r in self if binding in r.bindings]


def raw_catalogue() -> dict:
    return load_yaml(schemas_dir() / "requirements.yaml")


def catalogue_errors(doc: dict) -> list[str]:
    schema = json.loads((schemas_dir() / "requirements.schema.json").read_text(encoding="utf-8"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in
              Draft202012Validator(schema).iter_errors(doc)]
    ids = [r.get("id") for r in doc.get("requirements", [])]
    errors += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    areas = [a.get("id") for a in doc.get("areas", []) if isinstance(a, dict)]
    errors += [f"{i}: its prefix names no area of 'areas' ({', '.join(map(str, areas))})"
               for i in ids if isinstance(i, str) and i.split("/")[0] not in areas]
    return errors


@cache
def catalogue() -> Catalogue:
    doc = raw_catalogue()
    errors = catalogue_errors(doc)
    if errors:
        raise ValueError("schemas/requirements.yaml is invalid: " + "; ".join(errors[:5]))
    reqs = {}
    known = {"id", "level", "section", "summary", "bindings", "normative", "reading", "consequence"}
    for r in doc["requirements"]:
        reqs[r["id"]] = Requirement(
            id=r["id"], level=r["level"], area=r["id"].split("/")[0], section=r["section"], summary=r["summary"],
            bindings=tuple(r["bindings"]), normative=r.get("normative", True), reading=r.get("reading"),
            consequence=r.get("consequence"), extra={k: v for k, v in r.items() if k not in known},
        )
    areas = tuple(Area(a["id"], a["title"], n) for n, a in enumerate(doc["areas"]))
    return Catalogue(version=str(doc["version"]), requirements=reqs, areas=areas)
