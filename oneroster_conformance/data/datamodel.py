"""Facts about records that the data-semantics checks need, derived from the spec's JSON Schemas."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from oneroster_conformance.spec import schemas

EXACT_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
# GUIDRef type -> the collection whose ids it must be among
REF_TARGETS = {
    "org": "getAllOrgs", "user": "getAllUsers", "class": "getAllClasses", "course": "getAllCourses",
    "academicSession": "getAllAcademicSessions", "enrollment": "getAllEnrollments",
    # 1.1 GUIDRefs may name the narrower GUIDType (schemas/v1p1/differences.yaml, guidref-types)
    "student": "getAllStudents", "teacher": "getAllTeachers", "term": "getAllTerms",
    "gradingPeriod": "getAllGradingPeriods", "demographics": "getAllDemographics",
    # the Gradebook and Resources services (judged only where the provider offers them)
    "lineItem": "getAllLineItems", "category": "getAllCategories", "scoreScale": "getAllScoreScales",
    "assessmentLineItem": "getAllAssessmentLineItems", "resource": "getAllResources",
}
# GUIDRef type -> the single-object operation that reads one such object
SINGLE_OF = {
    "org": "getOrg", "user": "getUser", "class": "getClass", "course": "getCourse",
    "academicSession": "getAcademicSession", "enrollment": "getEnrollment", "student": "getStudent",
    "teacher": "getTeacher", "term": "getTerm", "gradingPeriod": "getGradingPeriod", "demographics": "getDemographics",
    "lineItem": "getLineItem", "category": "getCategory", "scoreScale": "getScoreScale",
    "assessmentLineItem": "getAssessmentLineItem", "resource": "getResource",
}
# For typed endpoints: a predicate a record must satisfy, and its wording
TYPED = {
    "getAllStudents": (lambda r: _has_role(r, "student"), "a user with a student role"),
    "getAllTeachers": (lambda r: _has_role(r, "teacher"), "a user with a teacher role"),
    "getAllSchools": (lambda r: r.get("type") == "school", "an org of type school"),
    "getAllTerms": (lambda r: r.get("type") == "term", "an academicSession of type term"),
    "getAllGradingPeriods": (lambda r: r.get("type") == "gradingPeriod", "an academicSession of type gradingPeriod"),
}


def _has_role(user: dict, role: str) -> bool:
    if user.get("role") == role:  # 1.1 shape
        return True
    return any(isinstance(r, dict) and r.get("role") == role for r in user.get("roles") or [])


def is_utc_datetime(value: object) -> bool:
    """An ISO 8601 / RFC 3339 date-time in UTC: 'Z' or a zero offset; RFC 3339 5.6 lets 'T' and 'Z' be lower case."""
    if not isinstance(value, str) or not ("T" in value or "t" in value):
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("t", "T").replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0


@cache
def extensible_enums(set_schema: str, binding: str = "v1p2") -> dict[str, frozenset[str]]:
    """Record-relative paths ('type', 'roles[].role') of extensible vocabularies -> their base values.

    Found mechanically: a oneOf of an enum and a pattern in the operation's JSON Schema."""
    s = schemas.schema(set_schema, binding)
    defs = s.get("$defs", {})
    wrapper = next(iter(s["properties"].values()))
    root = wrapper.get("items", wrapper)
    out: dict[str, frozenset[str]] = {}

    def walk(node: dict, path: str, depth: int) -> None:
        if depth > 4:
            return
        if "$ref" in node:
            node = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
        branches = node.get("oneOf") or []
        enum = next((b.get("enum") for b in branches if "enum" in b), None)
        if enum and any("pattern" in b for b in branches):
            out[path] = frozenset(enum)
            return
        if node.get("type") == "array" and "items" in node:
            walk(node["items"], path + "[]", depth + 1)
        for k, v in (node.get("properties") or {}).items():
            if k != "metadata":
                walk(v, f"{path}.{k}" if path else k, depth + 1)

    walk(root, "", 0)
    return out


def values_at(record: object, path: str) -> list[object]:
    """Values at a path like 'roles[].role' (missing parts give nothing)."""
    current = [record]
    for part in path.split("."):
        many = part.endswith("[]")
        key = part[:-2] if many else part
        nxt = []
        for item in current:
            if isinstance(item, dict) and key in item:
                v = item[key]
                if many and isinstance(v, list):
                    nxt.extend(v)
                elif not many:
                    nxt.append(v)
        current = nxt
    return current
