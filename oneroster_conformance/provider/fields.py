"""Which field names exist, read from the spec's JSON Schemas: the only names that ever reach SQL.

A dotted name (``school.sourcedId``, ``roles.org.sourcedId``, ``metadata.ext:district``) resolves to
a JSON path inside the stored record. When the path crosses one array (``terms.sourcedId``,
``grades``) the field has array semantics: the filter looks at every element, the sort at the first.
``metadata`` is declared open (additionalProperties), so any key of a safe shape is accepted there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from oneroster_conformance.spec.schemas import schema

# table -> (Set schema, entity definition in its $defs)
ENTITIES: dict[str, tuple[str, str]] = {
    "orgs": ("OrgSet", "Org"),
    "academic_sessions": ("AcademicSessionSet", "AcademicSession"),
    "courses": ("CourseSet", "Course"),
    "classes": ("ClassSet", "Class"),
    "users": ("UserSet", "User"),
    "enrollments": ("EnrollmentSet", "Enrollment"),
    "demographics": ("DemographicsSet", "Demographics"),
    # Gradebook and Resources: the published OpenAPI files' components (spec.published)
    "categories": ("CategoriesSetDType", "CategoryDType"),
    "line_items": ("LineItemSetDType", "LineItemDType"),
    "results": ("ResultSetDType", "ResultDType"),
    "score_scales": ("ScoreScaleSetDType", "ScoreScaleDType"),
    "assessment_line_items": ("AssessmentLineItemSetDType", "AssessmentLineItemDType"),
    "assessment_results": ("AssessmentResultSetDType", "AssessmentResultDType"),
    "resources": ("ResourceSetDType", "ResourceDType"),
}

_SAFE_KEY = re.compile(r"^[A-Za-z0-9_:\-]{1,100}$")


@dataclass(frozen=True)
class Field:
    name: str  # the dotted name as requested
    path: str  # JSON path of the value when no array is crossed, else of the array itself
    element_path: str | None  # within each array element; None = the field is not an array
    sort_path: str  # JSON path of the value sorting uses (first element of an array)
    is_href: bool = False  # hrefs are stored relative to the service root

    @property
    def is_array(self) -> bool:
        return self.element_path is not None


def _json_path(keys: list[str] | tuple[str, ...]) -> str:
    # Every key is quoted, so ':' or '-' in a metadata key cannot change the path's meaning.
    return "$" + "".join(f'."{k}"' for k in keys)


@cache
def top_level(table: str, binding: str = "v1p2") -> tuple[str, ...]:
    """The record's declared top-level properties, in schema order (for ``fields``)."""
    set_name, entity = ENTITIES[table]
    return tuple(schema(set_name, binding)["$defs"][entity]["properties"])


@cache
def _shapes(table: str, binding: str = "v1p2") -> dict[tuple[str, ...], tuple[bool, bool]]:
    """Every declared path -> (crosses an array before its end, is an open metadata object)."""
    set_name, entity = ENTITIES[table]
    defs = schema(set_name, binding)["$defs"]
    out: dict[tuple[str, ...], tuple[bool, bool]] = {}

    def walk(node: dict, prefix: tuple[str, ...], arrays: int) -> None:
        for key, prop in node.get("properties", {}).items():
            path = prefix + (key,)
            is_array = prop.get("type") == "array"
            target = prop.get("items", {}) if is_array else prop
            n = arrays + (1 if is_array else 0)
            if "$ref" in target:
                sub = defs[target["$ref"].rsplit("/", 1)[-1]]
                is_open = sub.get("additionalProperties") is True and not sub.get("properties")
                out[path] = (n > 0, is_open)
                if n <= 1:  # one array level is supported; deeper arrays are not addressable
                    walk(sub, path, n)
            elif n <= 1:
                out[path] = (n > 0, False)

    walk(defs[entity], (), 0)
    return out


@cache
def _array_props(table: str, binding: str = "v1p2") -> frozenset[tuple[str, ...]]:
    set_name, entity = ENTITIES[table]
    defs = schema(set_name, binding)["$defs"]
    found: set[tuple[str, ...]] = set()

    def walk(node: dict, prefix: tuple[str, ...], depth: int) -> None:
        if depth > 3:
            return
        for key, prop in node.get("properties", {}).items():
            path = prefix + (key,)
            target = prop
            if prop.get("type") == "array":
                found.add(path)
                target = prop.get("items", {})
            if "$ref" in target:
                walk(defs[target["$ref"].rsplit("/", 1)[-1]], path, depth + 1)

    walk(defs[entity], (), 0)
    return frozenset(found)


@cache
def resolve(table: str, name: str, binding: str = "v1p2") -> Field | None:
    """The Field for a dotted name, or None when the schema (of that binding) declares no such field."""
    parts = tuple(name.split("."))
    if not all(parts):
        return None
    shapes = _shapes(table, binding)
    # Find the longest declared prefix; anything past it must be inside an open metadata object.
    known = None
    for i in range(len(parts), 0, -1):
        if parts[:i] in shapes:
            known = i
            break
    if known is None:
        return None
    if known < len(parts) and (not shapes[parts[:known]][1] or not all(_SAFE_KEY.match(p) for p in parts[known:])):
        return None
    arrays = _array_props(table, binding)
    split = next((i for i in range(1, len(parts) + 1) if parts[:i] in arrays), None)
    is_href = parts[-1] == "href" and known == len(parts)
    if split is None:
        path = _json_path(parts)
        return Field(name, path, None, path, is_href)
    array_path = _json_path(parts[:split])
    inner = parts[split:]
    element_path = _json_path(inner)  # "$" when the elements themselves are the values
    sort_path = array_path + "[0]" + element_path[1:]
    return Field(name, array_path, element_path, sort_path, is_href)
