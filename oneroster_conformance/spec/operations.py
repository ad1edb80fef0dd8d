"""The operation catalogue, built from the spec's OpenAPI files at import time.

Nothing here is typed in by hand: paths, parameters, response schemas and scopes all come from
``schemas/<binding>/openapi.json`` (Rostering) and the published OpenAPI files of the Gradebook and
Resources services (``schemas/v1p2/published/``). Suites iterate this catalogue, so a new operation
in an OpenAPI file needs no new test code. Every Operation names its service; its path is relative
to that service's root.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

from oneroster_conformance.resources import schemas_dir

SCOPE_PREFIX = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
ROSTER = SCOPE_PREFIX + "roster.readonly"
ROSTER_CORE = SCOPE_PREFIX + "roster-core.readonly"
ROSTER_DEMOGRAPHICS = SCOPE_PREFIX + "roster-demographics.readonly"
ALL_SCOPES = (ROSTER, ROSTER_CORE, ROSTER_DEMOGRAPHICS)
# 1.1's endpoint tables name the same rostering scopes under their own prefix (schemas/v1p1/differences.yaml;
# the derived 1.1 OpenAPI carries them per operation).
SCOPE_PREFIXES = {"v1p2": SCOPE_PREFIX, "v1p1": "https://purl.imsglobal.org/spec/or/v1p1/scope/"}
GRADEBOOK_CORE = SCOPE_PREFIX + "gradebook-core.readonly"
GRADEBOOK_READ = SCOPE_PREFIX + "gradebook.readonly"
ASSESSMENT_READ = SCOPE_PREFIX + "assessment.readonly"
RESOURCE_CORE = SCOPE_PREFIX + "resource-core.readonly"
RESOURCE_READ = SCOPE_PREFIX + "resource.readonly"
WRITE_SCOPES = tuple(SCOPE_PREFIX + s for s in ("gradebook.createput", "gradebook.createpost", "gradebook.delete",
                                                "assessment.createput", "assessment.delete"))
# The read scopes of each service (the write scopes are the next step: they grant no GET).
READ_SCOPES = {"rostering": ALL_SCOPES, "gradebook": (GRADEBOOK_READ, GRADEBOOK_CORE, ASSESSMENT_READ),
               "resources": (RESOURCE_READ, RESOURCE_CORE)}
EVERY_READ_SCOPE = tuple(s for scopes in READ_SCOPES.values() for s in scopes)


def scopes_of(services: tuple[str, ...]) -> tuple[str, ...]:
    """The read scopes of the chosen services, Rostering's first."""
    return tuple(s for name, scopes in READ_SCOPES.items() if name in services or name == "rostering" for s in scopes)


SERVICE_ROOT = {"v1p2": "/ims/oneroster/rostering/v1p2", "v1p1": "/ims/oneroster/v1p1"}
DISCOVERY_FILE = "discovery/onerosterv1p2rostersservice_openapi3_v1p0.json"

# The three REST services of OneRoster 1.2: root path and the published OpenAPI file of each.
ROSTERING, GRADEBOOK, RESOURCES = "rostering", "gradebook", "resources"
SERVICES = (ROSTERING, GRADEBOOK, RESOURCES)
SERVICE_ROOTS = {ROSTERING: SERVICE_ROOT["v1p2"], GRADEBOOK: "/ims/oneroster/gradebook/v1p2",
                 RESOURCES: "/ims/oneroster/resources/v1p2"}
PUBLISHED_FILES = {ROSTERING: "onerosterv1p2rostersservice_openapi3_v1p0.json",
                   GRADEBOOK: "onerosterv1p2gradebookservice_openapi3_v1p0.json",
                   RESOURCES: "onerosterv1p2resourcesservice_openapi3_v1p0.json"}
DISCOVERY_FILES = {name: f"discovery/{file}" for name, file in PUBLISHED_FILES.items()}

_PARAM = re.compile(r"{([^}]+)}")


def rostering_scopes(binding: str = "v1p2") -> tuple[str, ...]:
    """roster.readonly, roster-core.readonly and roster-demographics.readonly under the binding's prefix."""
    return tuple(SCOPE_PREFIXES[binding] + short_scope(s) for s in ALL_SCOPES)


def roster_core(binding: str = "v1p2") -> str:
    return SCOPE_PREFIXES[binding] + short_scope(ROSTER_CORE)


def short_scope(scope: str) -> str:
    """'https://.../roster-core.readonly' -> 'roster-core.readonly'."""
    return scope.rsplit("/", 1)[-1]


class Scope(str):
    """A scope URI as a check's parameter: the result records its short name."""

    __slots__ = ()

    def case_fields(self) -> dict[str, str]:
        return {"scope": short_scope(self)}


class OperationId(str):
    """An operation id as a check's parameter: the result records it as its operation."""

    __slots__ = ()

    def case_fields(self) -> dict[str, str]:
        return {"operation": str(self)}


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str  # relative to the service root, e.g. "/schools/{schoolSourcedId}/classes"
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    responses: dict[str, str | None] = field(hash=False, compare=False)  # status -> schema name
    scopes: frozenset[str] = frozenset()
    tag: str = ""
    binding: str = "v1p2"
    service: str = ROSTERING

    @property
    def is_collection(self) -> bool:
        return "limit" in self.query_params

    def case_fields(self) -> dict[str, str]:
        """What this operation contributes to the result of a check parametrized by it."""
        return {"operation": self.operation_id}

    @property
    def is_nested(self) -> bool:
        return self.is_collection and bool(self.path_params)

    @property
    def response_schema(self) -> str:
        schema = self.responses.get("200")
        if schema is None:
            raise LookupError(f"{self.operation_id} lists no 200 schema")
        return schema

    @property
    def wrapper(self) -> str:
        """The top-level key the 200 body must carry, read from the response schema."""
        return wrapper_of(self.response_schema, self.binding)

    @property
    def collection_path(self) -> str:
        """The last static segment: '/schools/{id}/classes' -> 'classes'."""
        return [s for s in self.path.split("/") if s and not s.startswith("{")][-1]

    def url_path(self, **ids: str) -> str:
        missing = [p for p in self.path_params if p not in ids]
        if missing:
            raise KeyError(f"{self.operation_id} needs {missing}")
        return _PARAM.sub(lambda m: _quote(ids[m.group(1)]), self.path)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


@cache
def openapi(binding: str = "v1p2") -> dict:
    return json.loads((schemas_dir() / binding / "openapi.json").read_text(encoding="utf-8"))


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


@cache
def published(service: str) -> dict:
    """A service's published OpenAPI document (schemas/v1p2/published/, byte for byte)."""
    path = schemas_dir() / "v1p2" / "published" / PUBLISHED_FILES[service]
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def operations(binding: str = "v1p2") -> tuple[Operation, ...]:
    """The Rostering service's operations (the binding's own listing)."""
    return _catalogue(openapi(binding), binding, ROSTERING)


@cache
def service_operations(service: str) -> tuple[Operation, ...]:
    """Every operation of one 1.2 service, read and write; Rostering is the binding's own listing."""
    if service == ROSTERING:
        return operations("v1p2")
    return _catalogue(published(service), "v1p2", service)


def read_operations(binding: str = "v1p2", services: tuple[str, ...] = SERVICES) -> tuple[Operation, ...]:
    """The GET operations the read suites iterate: Rostering's, then those of the other services chosen."""
    ops = list(operations(binding))
    if binding == "v1p2":
        for service in services:
            if service != ROSTERING:
                ops.extend(op for op in service_operations(service) if op.method == "GET")
    return tuple(ops)


def _catalogue(doc: dict, binding: str, service: str) -> tuple[Operation, ...]:
    params = doc.get("components", {}).get("parameters", {})
    ops: list[Operation] = []
    for path, item in doc["paths"].items():
        for method, spec in item.items():
            if method.startswith("x-") or method == "parameters":
                continue
            names: list[str] = []
            for p in spec.get("parameters", []):
                if "$ref" in p:
                    p = params[_ref_name(p["$ref"])]
                if p.get("in") == "query":
                    names.append(p["name"])
            responses: dict[str, str | None] = {}
            for code, resp in spec.get("responses", {}).items():
                schema = resp.get("content", {}).get("application/json", {}).get("schema", {})
                responses[code] = _ref_name(schema["$ref"]) if "$ref" in schema else None
            scopes = frozenset(s for req in spec.get("security", []) for v in req.values() for s in v)
            op = Operation(
                operation_id=spec["operationId"],
                method=method.upper(),
                path=path,
                path_params=tuple(_PARAM.findall(path)),
                query_params=tuple(names),
                responses=responses,
                scopes=scopes,
                tag=(spec.get("tags") or [""])[0],
                binding=binding,
                service=service,
            )
            ops.append(op)
    return tuple(sorted(ops, key=lambda o: o.operation_id))


def by_id(operation_id: str, binding: str = "v1p2") -> Operation:
    for op in read_operations(binding) if binding == "v1p2" else operations(binding):
        if op.operation_id == operation_id:
            return op
    raise KeyError(operation_id)


def granted_by(scope: str, binding: str = "v1p2") -> tuple[Operation, ...]:
    """Operations a token holding only ``scope`` may call (the prose tables: any one listed scope
    grants the operation, not all of them together as the OpenAPI's security object literally says)."""
    return tuple(op for op in operations(binding) if scope in op.scopes)


@cache
def wrapper_of(schema_name: str, binding: str = "v1p2") -> str:
    from oneroster_conformance.spec.schemas import schema as load_schema

    schema = load_schema(schema_name, binding)
    props = list(schema.get("properties", {}))
    if len(props) != 1:
        raise LookupError(f"{schema_name} has {len(props)} top-level properties")
    return props[0]


@dataclass(frozen=True)
class ScopeCase:
    """One cell of the operations × scopes matrix."""

    scope: str
    op: Operation

    def case_fields(self) -> dict[str, str]:
        return {"operation": self.op.operation_id, "scope": short_scope(self.scope)}

    @property
    def case_id(self) -> str:
        return f"{short_scope(self.scope)}-{self.op.operation_id}"
