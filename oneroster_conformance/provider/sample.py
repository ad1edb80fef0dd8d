"""The hand-written sample roster (fixtures/roster/*.yaml), expanded to the spec's JSON shape.

The YAML writes a GUIDRef as the bare sourcedId; ``expand`` turns it into ``{href, sourcedId,
type}`` with the type known from the field and an href relative to the service root (the app
makes hrefs absolute when it serves a record).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from oneroster_conformance.resources import fixtures_dir, load_yaml

# table -> YAML file and top-level key
FILES: dict[str, tuple[str, str]] = {
    "orgs": ("orgs.yaml", "orgs"),
    "academic_sessions": ("academicSessions.yaml", "academicSessions"),
    "courses": ("courses.yaml", "courses"),
    "classes": ("classes.yaml", "classes"),
    "users": ("users.yaml", "users"),
    "enrollments": ("enrollments.yaml", "enrollments"),
    "demographics": ("demographics.yaml", "demographics"),
}

# GUIDRef type -> the collection path that serves it
COLLECTION_OF = {
    "org": "orgs",
    "academicSession": "academicSessions",
    "course": "courses",
    "class": "classes",
    "user": "users",
    "resource": "resources",
}

# table -> field -> GUIDRef type (lists of refs included)
REF_FIELDS: dict[str, dict[str, str]] = {
    "orgs": {"parent": "org", "children": "org"},
    "academic_sessions": {"parent": "academicSession", "children": "academicSession"},
    "courses": {"schoolYear": "academicSession", "org": "org", "resources": "resource"},
    "classes": {"course": "course", "school": "org", "terms": "academicSession", "resources": "resource"},
    "users": {"primaryOrg": "org", "agents": "user", "resources": "resource"},
    "enrollments": {"user": "user", "class": "class", "school": "org"},
    "demographics": {},
}


def guid_ref(ref_type: str, sourced_id: str) -> dict[str, str]:
    return {"href": f"/{COLLECTION_OF[ref_type]}/{sourced_id}", "sourcedId": sourced_id, "type": ref_type}


def _ref(ref_type: str, value: Any) -> dict[str, str]:
    if isinstance(value, dict):  # already a GUIDRef: fill what is missing
        return {**guid_ref(ref_type, value["sourcedId"]), **value}
    return guid_ref(ref_type, str(value))


def expand(table: str, record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    for field, ref_type in REF_FIELDS[table].items():
        if field in out:
            value = out[field]
            out[field] = [_ref(ref_type, v) for v in value] if isinstance(value, list) else _ref(ref_type, value)
    if table == "users":
        out["roles"] = [{**role, "org": _ref("org", role["org"])} for role in out.get("roles", [])]
    return out


@cache
def _raw(table: str) -> tuple[dict[str, Any], ...]:
    name, key = FILES[table]
    doc = load_yaml(fixtures_dir() / "roster" / name)
    return tuple(doc[key])


def records(table: str) -> Iterator[dict[str, Any]]:
    """The table's records in spec shape (hrefs relative to the service root)."""
    for record in _raw(table):
        yield expand(table, record)


def roster() -> dict[str, Iterator[dict[str, Any]]]:
    return {table: records(table) for table in FILES}
