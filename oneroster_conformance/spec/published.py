"""JSON Schemas of the Gradebook and Resources services, taken from their published OpenAPI files.

The published files keep their schemas in ``components/schemas`` (names ending in ``DType``) and
refer to them with ``#/components/schemas/...``. A response schema becomes a standalone JSON Schema
by a mechanical copy: the named component is the root, every component of the same document goes
under ``$defs``, and each ``$ref`` is re-pointed there. Nothing is retyped.
"""

from __future__ import annotations

import copy
from functools import cache

from oneroster_conformance.spec.operations import GRADEBOOK, RESOURCES, ROSTERING, published

COMPONENTS = "#/components/schemas/"
SEARCH_ORDER = (GRADEBOOK, RESOURCES, ROSTERING)  # the same DType name means the same thing in each


def _repoint(node: object) -> object:
    if isinstance(node, dict):
        return {k: (("#/$defs/" + v[len(COMPONENTS):]) if k == "$ref" and isinstance(v, str)
                    and v.startswith(COMPONENTS) else _repoint(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_repoint(v) for v in node]
    return node


@cache
def service_of_schema(name: str) -> str:
    for service in SEARCH_ORDER:
        if name in published(service).get("components", {}).get("schemas", {}):
            return service
    raise FileNotFoundError(f"no published OpenAPI file defines the schema {name!r}")


@cache
def component_schema(name: str) -> dict:
    """The standalone JSON Schema of one component (``LineItemSetDType`` ...)."""
    components = published(service_of_schema(name))["components"]["schemas"]
    root: dict = copy.deepcopy(_repoint(components[name]))  # type: ignore[arg-type]
    root["$id"] = name
    root["$defs"] = {k: _repoint(v) for k, v in components.items()}
    return root
