"""Derive the OneRoster 1.1 artefacts (schemas/v1p1/) from the 1.2 ones (schemas/v1p2/).

The 1.1 specification text is not among the project's seeds, so the 1.1 binding is not extracted:
it is the 1.2 OpenAPI and JSON Schemas transformed by the differences listed, each with its public
source and confidence, in ONE reviewable file: schemas/v1p1/differences.yaml. This script only
applies those transformations; it knows no 1.1 fact of its own. Re-running it must reproduce the
committed files exactly (tests/v1p1/test_derive.py).

Usage: python scripts/derive_v1p1.py [--check]
  --check: write nothing; exit 1 and list the files that differ from what would be written.

Transformations (``op`` in differences.yaml). A "def" is a named definition: an entry of the
OpenAPI's components.schemas, or of a JSON Schema file's $defs; "*" means every definition.
  set-servers {url}                   the OpenAPI servers list
  set-info {version, title}           the OpenAPI info block
  drop-security                       no per-operation security (so no scopes), no scope table
  rename-scopes {from, to}            every scope URI (operation security and the scope table) with the
                                      prefix 'from' gets the prefix 'to' instead
  remove-properties {def, names}      delete properties (and their 'required' entries)
  add-property {def, name, schema, required}
                                      add a property; "{ref:Name}" in a $ref becomes the file's own
                                      reference syntax (#/components/schemas/Name or #/$defs/Name)
  make-required / make-optional {def, names}
  close-enums                         every oneOf/anyOf of [enum, 'ext:' pattern] becomes the enum alone
  set-enum / extend-enum {def, property, values}
  guidref-types {values}              the 'type' enum of every *GUIDRef definition
  drop-unreferenced                   $defs / components.schemas nothing refers to any more
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "schemas" / "v1p2"
TARGET = ROOT / "schemas" / "v1p1"
DIFFERENCES = TARGET / "differences.yaml"


class Doc:
    """One artefact being transformed: its definitions table and its $ref syntax."""

    def __init__(self, name: str, value: dict) -> None:
        self.name = name
        self.value = value
        self.is_openapi = name == "openapi.json"

    @property
    def defs(self) -> dict:
        if self.is_openapi:
            return self.value.setdefault("components", {}).setdefault("schemas", {})
        return self.value.get("$defs", {})

    def ref(self, name: str) -> str:
        return f"#/components/schemas/{name}" if self.is_openapi else f"#/$defs/{name}"

    def definitions(self, which: str) -> Iterator[dict]:
        """The named definition(s); a JSON Schema file whose root is the definition counts too."""
        if which == "*":
            yield from self.defs.values()
            if not self.is_openapi and "properties" in self.value:
                yield self.value
            return
        if which in self.defs:
            yield self.defs[which]
        elif not self.is_openapi and self.value.get("$id") == which:
            yield self.value


def _resolve_refs(node: object, doc: Doc) -> object:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("{ref:"):
                out[k] = doc.ref(v[len("{ref:"):-1])
            else:
                out[k] = _resolve_refs(v, doc)
        return out
    if isinstance(node, list):
        return [_resolve_refs(v, doc) for v in node]
    return node


def _enum_node(prop: dict) -> dict | None:
    """The node holding a property's enum list (directly, or its enum branch of oneOf/anyOf)."""
    if "enum" in prop:
        return prop
    for key in ("oneOf", "anyOf"):
        for branch in prop.get(key) or []:
            if "enum" in branch:
                return branch
    return None


# ------------------------------------------------------------------------------------ operations
def op_set_servers(doc: Doc, t: dict) -> None:
    if doc.is_openapi:
        doc.value["servers"] = [{"url": t["url"], "description": "The above Server URL should be changed to the "
                                 "actual server location."}]


def op_set_info(doc: Doc, t: dict) -> None:
    if doc.is_openapi:
        doc.value["info"]["version"] = t["version"]
        doc.value["info"]["title"] = t["title"]


def op_drop_security(doc: Doc, t: dict) -> None:
    if not doc.is_openapi:
        return
    for item in doc.value["paths"].values():
        for spec in item.values():
            if isinstance(spec, dict):
                spec.pop("security", None)
    doc.value.get("components", {}).pop("securitySchemes", None)


def op_rename_scopes(doc: Doc, t: dict) -> None:
    if not doc.is_openapi:
        return
    old, new = t["from"], t["to"]

    def renamed(scope: str) -> str:
        return new + scope[len(old):] if scope.startswith(old) else scope

    for item in doc.value["paths"].values():
        for spec in item.values():
            if isinstance(spec, dict):
                for requirement in spec.get("security", []):
                    for name, scopes in requirement.items():
                        requirement[name] = [renamed(s) for s in scopes]
    for scheme in doc.value.get("components", {}).get("securitySchemes", {}).values():
        for flow in (scheme.get("flows") or {}).values():
            if "scopes" in flow:
                flow["scopes"] = {renamed(k): v for k, v in flow["scopes"].items()}


def op_remove_properties(doc: Doc, t: dict) -> None:
    for d in doc.definitions(t["def"]):
        for name in t["names"]:
            d.get("properties", {}).pop(name, None)
            if name in d.get("required", []):
                d["required"].remove(name)


def op_add_property(doc: Doc, t: dict) -> None:
    for d in doc.definitions(t["def"]):
        d.setdefault("properties", {})[t["name"]] = _resolve_refs(copy.deepcopy(t["schema"]), doc)
        if t.get("required") and t["name"] not in d.setdefault("required", []):
            d["required"].append(t["name"])


def op_make_required(doc: Doc, t: dict) -> None:
    for d in doc.definitions(t["def"]):
        for name in t["names"]:
            if name in d.get("properties", {}) and name not in d.setdefault("required", []):
                d["required"].append(name)


def op_make_optional(doc: Doc, t: dict) -> None:
    for d in doc.definitions(t["def"]):
        for name in t["names"]:
            if name in d.get("required", []):
                d["required"].remove(name)


def op_close_enums(doc: Doc, t: dict) -> None:
    for d in doc.definitions("*"):
        for name, prop in list(d.get("properties", {}).items()):
            for key in ("oneOf", "anyOf"):
                branches = prop.get(key)
                if not branches:
                    continue
                enum = next((b for b in branches if "enum" in b), None)
                if enum is not None and any("pattern" in b for b in branches):
                    closed = {k: v for k, v in prop.items() if k != key}
                    closed.update({"type": "string", "enum": list(enum["enum"])})
                    d["properties"][name] = closed


def op_set_enum(doc: Doc, t: dict) -> None:
    for d in doc.definitions(t["def"]):
        prop = d.get("properties", {}).get(t["property"])
        node = _enum_node(prop) if prop else None
        if node is not None:
            node["enum"] = list(t["values"])


def op_extend_enum(doc: Doc, t: dict) -> None:
    for d in doc.definitions(t["def"]):
        prop = d.get("properties", {}).get(t["property"])
        node = _enum_node(prop) if prop else None
        if node is not None:
            node["enum"] += [v for v in t["values"] if v not in node["enum"]]


def op_guidref_types(doc: Doc, t: dict) -> None:
    for name, d in doc.defs.items():
        if name.endswith("GUIDRef") and "type" in d.get("properties", {}):
            d["properties"]["type"]["enum"] = list(t["values"])


def _refs_in(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v.rsplit("/", 1)[-1]
            else:
                yield from _refs_in(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs_in(v)


def op_drop_unreferenced(doc: Doc, t: dict) -> None:
    defs = doc.defs
    while True:  # a dropped definition may have been the last user of another
        roots = {k: v for k, v in doc.value.items() if k not in ("components", "$defs")}
        used = set(_refs_in(roots)) | {r for name, d in defs.items() for r in _refs_in(d) if r != name}
        if doc.is_openapi:
            used |= set(_refs_in({k: v for k, v in doc.value.get("components", {}).items() if k != "schemas"}))
        unused = [name for name in defs if name not in used]
        if not unused:
            return
        for name in unused:
            del defs[name]


OPS: dict[str, Callable[[Doc, dict], None]] = {
    "set-servers": op_set_servers, "set-info": op_set_info, "drop-security": op_drop_security,
    "rename-scopes": op_rename_scopes,
    "remove-properties": op_remove_properties, "add-property": op_add_property,
    "make-required": op_make_required, "make-optional": op_make_optional, "close-enums": op_close_enums,
    "set-enum": op_set_enum, "extend-enum": op_extend_enum, "guidref-types": op_guidref_types,
    "drop-unreferenced": op_drop_unreferenced,
}


# ------------------------------------------------------------------------------------ driver
def load_differences(path: Path = DIFFERENCES) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def derive(source: Path = SOURCE, differences: dict | None = None) -> dict[str, str]:
    """{file name: rendered text} of every 1.1 artefact."""
    differences = differences or load_differences()
    docs = [Doc(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(source.glob("*.json"))]
    for diff in differences["differences"]:
        for t in diff.get("transform") or []:
            if t["op"] not in OPS:
                raise ValueError(f"difference {diff['id']}: unknown op {t['op']!r}")
            for doc in docs:
                OPS[t["op"]](doc, t)
    return {doc.name: json.dumps(doc.value, indent=2, ensure_ascii=False) + "\n" for doc in docs}


def main(argv: list[str]) -> int:
    files = derive()
    if "--check" in argv:
        stale = [name for name, text in files.items()
                 if not (TARGET / name).exists() or (TARGET / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"schemas/v1p1/{name} differs from what scripts/derive_v1p1.py writes")
        return 1 if stale else 0
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (TARGET / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
