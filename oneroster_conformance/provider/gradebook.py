"""Gradebook and Resources data derived from the roster, so every reference resolves across services.

Per class: two categories, a score scale, two lineItems (one per category), one assessment lineItem,
and a result per lineItem for every active student enrolled in the class (Unicode comments, every
``scoreStatus`` of the vocabulary in turn). Per course: one resource, linked to the course, its
classes and every user enrolled in them. Rows are ready tuples ``(sid, doc, dlm, <columns>)``.

Hrefs are stored with their service root (``/ims/oneroster/<service>/v1p2/...``): a result's
``student`` points at the Rostering service, its ``lineItem`` at the Gradebook service. The app
prefixes them with the server's origin when it serves a record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from oneroster_conformance.spec.operations import SERVICE_ROOTS

ROSTERING, GRADEBOOK, RESOURCES = (SERVICE_ROOTS[s] for s in ("rostering", "gradebook", "resources"))
SCORE_STATUSES = ("fully graded", "submitted", "partially graded", "not submitted", "exempt")
COMMENTS = ("Très bien — keep going", "Отлично!", "よくできました", "Gut gemacht ✓", "Muy bien, José 👍",
            "Good work; see the rubric", "")
STAMP = "2025-01-{day:02d}T10:{minute:02d}:00.000Z"

# table -> number of plain columns after (sid, doc, dlm)
COLUMNS = {"categories": 1, "line_items": 2, "results": 3, "score_scales": 2, "assessment_line_items": 1,
           "assessment_results": 2, "resources": 0, "resource_links": 0}


def ref(root: str, collection: str, ref_type: str, sid: str) -> dict[str, str]:
    return {"href": f"{root}/{collection}/{sid}", "sourcedId": sid, "type": ref_type}


def _row(record: dict[str, Any], *columns: Any) -> tuple:
    return (record["sourcedId"], json.dumps(record, ensure_ascii=False, separators=(",", ":")),
            record["dateLastModified"], *columns)


def _meta(n: int) -> dict[str, str]:
    return {"status": "active", "dateLastModified": STAMP.format(day=1 + n % 28, minute=n % 60)}


def derive(classes: Iterable[Mapping[str, Any]], enrollments: Iterable[Mapping[str, Any]]) -> dict[str, list[tuple]]:
    """The gradebook and resources tables for a roster's classes and enrollments (spec-shaped records)."""
    classes = list(classes)
    students: dict[str, list[str]] = {}
    members: dict[str, set[str]] = {}
    for e in enrollments:
        cls, user = e["class"]["sourcedId"], e["user"]["sourcedId"]
        members.setdefault(cls, set()).add(user)
        if e.get("role") == "student" and e.get("status", "active") == "active":
            students.setdefault(cls, []).append(user)
    out: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
    n = 0
    course_classes: dict[str, list[str]] = {}
    for c in classes:
        cid, school = c["sourcedId"], c["school"]["sourcedId"]
        course_classes.setdefault(c["course"]["sourcedId"], []).append(cid)
        class_ref = ref(ROSTERING, "classes", "class", cid)
        school_ref = ref(ROSTERING, "orgs", "org", school)
        term = (c.get("terms") or [None])[0]
        scale = {"sourcedId": f"ss-{cid}", **_meta(n), "title": f"Letter grades – {c.get('title', cid)}",
                 "type": "letter", "class": class_ref, "course": ref(ROSTERING, "courses", "course",
                                                                       c["course"]["sourcedId"]),
                 "scoreScaleValue": [{"itemValueLHS": lhs, "itemValueRHS": rhs}
                                     for lhs, rhs in (("90", "A"), ("80", "B"), ("70", "C"), ("0", "F"))]}
        out["score_scales"].append(_row(scale, cid, school))
        for k, (title, weight) in enumerate((("Homework", 0.4), ("Examens et contrôles", 0.6))):
            n += 1
            category = {"sourcedId": f"cat-{cid}-{k + 1}", **_meta(n), "title": title, "weight": weight}
            out["categories"].append(_row(category, cid))
            item = {"sourcedId": f"li-{cid}-{k + 1}", **_meta(n), "title": f"{title} {k + 1}: Ünit {k + 1}",
                    "description": "Chapter review – ½ credit for late work",
                    "assignDate": f"2024-09-0{2 + k}T08:00:00.000Z",
                    "dueDate": f"2024-09-1{2 + k}T23:59:00.000Z",
                    "class": class_ref, "school": school_ref,
                    "category": ref(GRADEBOOK, "categories", "category", category["sourcedId"]),
                    "scoreScale": ref(GRADEBOOK, "scoreScales", "scoreScale", scale["sourcedId"]),
                    "resultValueMin": 0.0, "resultValueMax": 100.0}
            if term is not None:
                item["academicSession"] = ref(ROSTERING, "academicSessions", "academicSession", term["sourcedId"])
            out["line_items"].append(_row(item, cid, school))
            for j, student in enumerate(sorted(students.get(cid, []))):
                n += 1
                result = {"sourcedId": f"res-{cid}-{k + 1}-{student}", **_meta(n),
                          "lineItem": ref(GRADEBOOK, "lineItems", "lineItem", item["sourcedId"]),
                          "student": ref(ROSTERING, "users", "user", student), "class": class_ref,
                          "scoreStatus": SCORE_STATUSES[(j + k) % len(SCORE_STATUSES)],
                          "score": float(55 + (j * 7 + k * 11) % 46), "scoreDate": "2024-09-20",
                          "comment": COMMENTS[(j + k) % len(COMMENTS)]}
                out["results"].append(_row(result, item["sourcedId"], cid, student))
        assessment = {"sourcedId": f"ali-{cid}", **_meta(n), "title": f"Benchmark assessment – {c.get('title', cid)}",
                      "class": class_ref, "resultValueMin": 0.0, "resultValueMax": 40.0}
        out["assessment_line_items"].append(_row(assessment, cid))
        for j, student in enumerate(sorted(students.get(cid, []))):
            n += 1
            result = {"sourcedId": f"ares-{cid}-{student}", **_meta(n),
                      "assessmentLineItem": ref(GRADEBOOK, "assessmentLineItems", "assessmentLineItem", f"ali-{cid}"),
                      "student": ref(ROSTERING, "users", "user", student), "score": float(10 + j % 31),
                      "scoreDate": "2024-10-01", "scoreStatus": SCORE_STATUSES[j % 2],
                      "comment": COMMENTS[j % len(COMMENTS)]}
            out["assessment_results"].append(_row(result, f"ali-{cid}", student))
    for i, (course, cids) in enumerate(sorted(course_classes.items())):
        resource = {"sourcedId": f"rsc-{course}", **_meta(i), "title": f"Manuel numérique – {course}",
                    "roles": ["student", "teacher"], "importance": "primary",
                    "vendorResourceId": f"VR-{i + 1:04d}", "vendorId": "conformance-publisher",
                    "applicationId": "reader-app"}
        out["resources"].append(_row(resource))
        sid = resource["sourcedId"]
        out["resource_links"].append((sid, "course", course))
        users: set[str] = set()
        for cid in cids:
            out["resource_links"].append((sid, "class", cid))
            users |= members.get(cid, set())
        out["resource_links"].extend((sid, "user", u) for u in sorted(users))
    return out
