"""The records the harness writes, and what the published Gradebook OpenAPI says about each write.

The operations, their scopes, request-body schemas and required fields are read from the published
OpenAPI (spec.operations); only the values written are chosen here. Every value is made up by the
harness (titles, scores, dates): a write body holds no district data except the sourcedIds of the
class, school and students it refers to.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import cache

from oneroster_conformance.spec.operations import GRADEBOOK, Operation, published, service_operations

# The collection a reference's type lives in, and the service serving it.
REF_HOME = {"class": ("classes", "rostering"), "org": ("orgs", "rostering"), "user": ("users", "rostering"),
            "academicSession": ("academicSessions", "rostering"), "course": ("courses", "rostering"),
            "lineItem": ("lineItems", GRADEBOOK), "category": ("categories", GRADEBOOK),
            "scoreScale": ("scoreScales", GRADEBOOK), "assessmentLineItem": ("assessmentLineItems", GRADEBOOK)}
# The single-record wrapper of each writable collection (PUT bodies, GET answers).
WRAPPER = {"lineItems": "lineItem", "results": "result", "categories": "category", "scoreScales": "scoreScale",
           "assessmentLineItems": "assessmentLineItem", "assessmentResults": "assessmentResult"}
PROFILE_OF = {"assessmentLineItems": "assessment-results", "assessmentResults": "assessment-results"}


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def today() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


@cache
def write_operations() -> tuple[Operation, ...]:
    """Every PUT, POST and DELETE of the Gradebook service (both profiles), from its published OpenAPI."""
    return tuple(op for op in service_operations(GRADEBOOK) if op.method in ("PUT", "POST", "DELETE"))


def write_operation(method: str, path: str) -> Operation | None:
    """The write operation a concrete path (relative to the Gradebook root) is an instance of."""
    for op in write_operations():
        pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(op.path)) + "$"
        if op.method == method and re.match(pattern, path):
            return op
    return None


def request_schema(op: Operation) -> str:
    """The name of the request body's schema, e.g. SingleLineItemDType."""
    spec = published(GRADEBOOK)["paths"][op.path][op.method.lower()]
    return spec["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


@cache
def record_schema(collection: str) -> dict:
    """The record schema of a writable collection (LineItemDType, ...), from the published OpenAPI."""
    name = WRAPPER[collection][0].upper() + WRAPPER[collection][1:] + "DType"
    return published(GRADEBOOK)["components"]["schemas"][name]


def required_fields(collection: str) -> tuple[str, ...]:
    return tuple(record_schema(collection).get("required", ()))


@dataclass(frozen=True)
class Roots:
    """Service roots the references point at."""

    rostering: str
    gradebook: str

    def ref(self, kind: str, sourced_id: str) -> dict[str, str]:
        collection, service = REF_HOME[kind]
        root = self.rostering if service == "rostering" else self.gradebook
        return {"href": f"{root}/{collection}/{sourced_id}", "sourcedId": sourced_id, "type": kind}


def _base(sid: str) -> dict[str, object]:
    return {"sourcedId": sid, "status": "active", "dateLastModified": now()}


def category(sid: str, title: str) -> dict[str, object]:
    return {**_base(sid), "title": title, "weight": 0.25}


def score_scale(roots: Roots, sid: str, class_id: str, title: str) -> dict[str, object]:
    return {**_base(sid), "title": title, "type": "letter", "class": roots.ref("class", class_id),
            "scoreScaleValue": [{"itemValueLHS": "A", "itemValueRHS": "90"},
                                {"itemValueLHS": "B", "itemValueRHS": "80"}]}


def line_item(roots: Roots, sid: str, class_id: str, school_id: str, category_id: str, title: str) -> dict[str, object]:
    return {**_base(sid), "title": title, "description": "written by the OneRoster conformance harness",
            "assignDate": "2026-01-05T08:00:00.000Z", "dueDate": "2026-01-12T08:00:00.000Z",
            "class": roots.ref("class", class_id), "school": roots.ref("org", school_id),
            "category": roots.ref("category", category_id), "resultValueMin": 0.0, "resultValueMax": 100.0}


def result(roots: Roots, sid: str, line_item_id: str, student_id: str, score: float) -> dict[str, object]:
    return {**_base(sid), "lineItem": roots.ref("lineItem", line_item_id), "student": roots.ref("user", student_id),
            "scoreStatus": "fully graded", "score": score, "scoreDate": today(), "comment": "conformance check"}


def assessment_line_item(sid: str, title: str) -> dict[str, object]:
    return {**_base(sid), "title": title, "description": "written by the OneRoster conformance harness",
            "resultValueMin": 0.0, "resultValueMax": 50.0}


def assessment_result(roots: Roots, sid: str, item_id: str, student_id: str, score: float) -> dict[str, object]:
    return {**_base(sid), "assessmentLineItem": roots.ref("assessmentLineItem", item_id),
            "student": roots.ref("user", student_id), "score": score, "scoreDate": today(),
            "scoreStatus": "fully graded"}
