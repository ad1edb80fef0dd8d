"""Where the harness writes: a class the district set aside (--write-class) or the first class with active
students, its school and term, and its students. Only reads: the records written are all the harness's own."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any

from oneroster_conformance.writes.session import wrapped

CLASSES_TRIED = 25


@dataclass(frozen=True)
class Sandbox:
    class_id: str
    school_id: str
    term_id: str | None
    students: tuple[str, ...]  # active students enrolled in the class
    outsider: str | None  # an active student not enrolled in it (results for them land on the wrong roster)
    other_class: str | None = None  # another class and school: a nested POST's body naming them contradicts its path
    other_school: str | None = None


def _ref(record: dict, key: str) -> str | None:
    value = record.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return value.get("sourcedId") if isinstance(value, dict) and isinstance(value.get("sourcedId"), str) else None


def is_student(user: dict) -> bool:
    """The user's roles say student (1.2 'roles', 1.1 'role'); a user that names no role is taken as listed."""
    roles = [r.get("role") for r in user.get("roles") or [] if isinstance(r, dict)]
    if isinstance(user.get("role"), str):
        roles.append(user["role"])
    return not roles or "student" in roles


def _students(client: Any, class_id: str) -> list[str]:
    reply = client.get(f"/classes/{class_id}/students", {"limit": 100})
    users = wrapped(reply, "users")
    listed = users if isinstance(users, list) else []
    return [u["sourcedId"] for u in listed if isinstance(u, dict) and isinstance(u.get("sourcedId"), str)
            and u.get("status", "active") == "active" and is_student(u)]  # a teacher listed there gets no grade


def choose(harness: Any, write_class: str | None) -> Sandbox | str:
    """The sandbox, or the sentence saying why there is none."""
    client = harness.client
    if write_class:
        reply = client.get(f"/classes/{write_class}")
        found = wrapped(reply, "class")
        candidates = [found] if isinstance(found, dict) else []
        if not candidates:
            return f"--write-class {write_class}: GET /classes/{write_class} answered {reply.status or reply.error}"
    else:
        classes = harness.crawl.collection("getAllClasses")
        candidates = [c for c in islice(classes.iter_records(), CLASSES_TRIED * 4)
                      if isinstance(c, dict) and c.get("status", "active") == "active"][:CLASSES_TRIED]
    for record in candidates:
        class_id, school_id = record.get("sourcedId"), _ref(record, "school")
        if not isinstance(class_id, str) or school_id is None:
            continue
        students = _students(client, class_id)
        if len(students) < 2 and not write_class:
            continue
        if not students:
            return f"--write-class {write_class}: the class has no active students to write results for"
        return Sandbox(class_id, school_id, _ref(record, "terms"), tuple(students), _outsider(harness, set(students)),
                       _other(harness, "getAllClasses", class_id), _other(harness, "getAllSchools", school_id))
    return (f"--write-class {write_class}: the class names no school" if write_class else
            f"none of the first {CLASSES_TRIED} classes has two active students: name one with --write-class ID")


def _other(harness: Any, operation_id: str, not_this: str) -> str | None:
    if operation_id not in harness.crawl.ops:
        return None
    for r in islice(harness.crawl.collection(operation_id).iter_records(), 500):
        sid = r.get("sourcedId") if isinstance(r, dict) else None
        if isinstance(sid, str) and sid != not_this and r.get("status", "active") == "active":
            return sid
    return None


def _outsider(harness: Any, enrolled: set[str]) -> str | None:
    if "getAllStudents" not in harness.crawl.ops:
        return None
    for s in islice(harness.crawl.collection("getAllStudents").iter_records(), 2000):
        sid = s.get("sourcedId") if isinstance(s, dict) else None
        if isinstance(sid, str) and sid not in enrolled and s.get("status", "active") == "active" and is_student(s):
            return sid
    return None
