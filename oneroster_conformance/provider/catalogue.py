"""What each operation selects: the table, the typed subset, and how a nested path narrows it.

Operations come from the spec's catalogue (``spec.operations``); this module only knows the
semantics of each path segment, so routes are derived, never hand-listed:

- typed collections: /students = users with a student role, /teachers = a teacher role,
  /schools = orgs of type school, /terms = academic sessions of type term, /gradingPeriods = type
  gradingPeriod;
- nested collections: the typed child collection narrowed by its relation to the parent
  (students of a class = users enrolled in it as students, terms of a school = terms its classes
  are scheduled in, ...); the parent must exist in its own typed collection, or it is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from oneroster_conformance.provider.config import ProviderConfig


@dataclass(frozen=True)
class Collection:
    table: str
    where: str  # SQL over alias t, no parameters


COLLECTIONS: dict[str, Collection] = {
    "academicSessions": Collection("academic_sessions", "1"),
    "terms": Collection("academic_sessions", "t.type = 'term'"),
    "gradingPeriods": Collection("academic_sessions", "t.type = 'gradingPeriod'"),
    "orgs": Collection("orgs", "1"),
    "schools": Collection("orgs", "t.type = 'school'"),
    "users": Collection("users", "1"),
    "students": Collection("users", "t.is_student = 1"),
    "teachers": Collection("users", "t.is_teacher = 1"),
    "classes": Collection("classes", "1"),
    "courses": Collection("courses", "1"),
    "enrollments": Collection("enrollments", "1"),
    "demographics": Collection("demographics", "1"),
    # Gradebook service
    "categories": Collection("categories", "1"),
    "lineItems": Collection("line_items", "1"),
    "results": Collection("results", "1"),
    "scoreScales": Collection("score_scales", "1"),
    "assessmentLineItems": Collection("assessment_line_items", "1"),
    "assessmentResults": Collection("assessment_results", "1"),
    # Resources service
    "resources": Collection("resources", "1"),
}

# (parent collection, child collection) -> SQL over alias t with one parameter: the parent's sourcedId
NESTED: dict[tuple[str, str], str] = {
    ("schools", "classes"): "t.school_sid = ?",
    ("courses", "classes"): "t.course_sid = ?",
    ("terms", "classes"): "t.sid IN (SELECT class_sid FROM class_terms WHERE term_sid = ?)",
    ("students", "classes"): "t.sid IN (SELECT class_sid FROM enrollments WHERE user_sid = ? AND role = 'student')",
    ("teachers", "classes"): "t.sid IN (SELECT class_sid FROM enrollments WHERE user_sid = ? AND role = 'teacher')",
    ("users", "classes"): "t.sid IN (SELECT class_sid FROM enrollments WHERE user_sid = ?)",
    ("classes", "students"): "t.sid IN (SELECT user_sid FROM enrollments WHERE class_sid = ? AND role = 'student')",
    ("classes", "teachers"): "t.sid IN (SELECT user_sid FROM enrollments WHERE class_sid = ? AND role = 'teacher')",
    ("classes", "enrollments"): "t.class_sid = ?",
    ("schools", "students"): "t.sid IN (SELECT user_sid FROM user_roles WHERE org_sid = ? AND role = 'student')",
    ("schools", "teachers"): "t.sid IN (SELECT user_sid FROM user_roles WHERE org_sid = ? AND role = 'teacher')",
    ("schools", "enrollments"): "t.school_sid = ?",
    ("schools", "terms"): "t.sid IN (SELECT ct.term_sid FROM classes AS c JOIN class_terms AS ct "
                          "ON ct.class_sid = c.sid WHERE c.school_sid = ?)",
    ("terms", "gradingPeriods"): "t.parent_sid = ?",
    ("schools", "courses"): "t.org_sid = ?",
    # Gradebook: the class (or school) a record belongs to is a plain column.
    ("classes", "categories"): "t.class_sid = ?",
    ("classes", "lineItems"): "t.class_sid = ?",
    ("classes", "results"): "t.class_sid = ?",
    ("classes", "scoreScales"): "t.class_sid = ?",
    ("schools", "scoreScales"): "t.school_sid = ?",
    ("lineItems", "results"): "t.line_item_sid = ?",
    ("students", "results"): "t.student_sid = ?",
    # Resources: linked to courses, classes and users
    ("classes", "resources"): "t.sid IN (SELECT resource_sid FROM resource_links WHERE kind = 'class' "
                              "AND owner_sid = ?)",
    ("courses", "resources"): "t.sid IN (SELECT resource_sid FROM resource_links WHERE kind = 'course' "
                              "AND owner_sid = ?)",
    ("users", "resources"): "t.sid IN (SELECT resource_sid FROM resource_links WHERE kind = 'user' "
                            "AND owner_sid = ?)",
}

# (grandparent, parent, child) -> a further narrowing by the grandparent: the results of a student
# *in a class* are that student's results in that class only.
NESTED_TWICE: dict[tuple[str, str, str], str] = {
    ("classes", "students", "results"): "t.class_sid = ?",
}


def collection(name: str, config: ProviderConfig) -> Collection:
    c = COLLECTIONS[name]
    if name == "students" and config.has("students-include-teachers"):
        return Collection(c.table, "(t.is_student = 1 OR t.is_teacher = 1)")
    return c


def nested_where(parent: str, child: str, config: ProviderConfig) -> tuple[str, str]:
    """(where on the child, where on the typed child collection) for a parent/child pair."""
    where = NESTED[(parent, child)]
    typed = collection(child, config).where
    if (parent, child) == ("classes", "students") and config.has("class-students-include-teachers"):
        where = ("t.sid IN (SELECT user_sid FROM enrollments WHERE class_sid = ? "
                 "AND role IN ('student', 'teacher'))")
        typed = "(t.is_student = 1 OR t.is_teacher = 1)"
    return where, typed


def segments(path: str) -> list[tuple[str, str | None]]:
    """'/schools/{a}/classes/{b}/students' -> [('schools', 'a'), ('classes', 'b'), ('students', None)]."""
    parts = [p for p in path.split("/") if p]
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(parts):
        name = parts[i]
        param = parts[i + 1][1:-1] if i + 1 < len(parts) and parts[i + 1].startswith("{") else None
        out.append((name, param))
        i += 2 if param else 1
    return out
