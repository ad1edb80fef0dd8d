"""The sample roster held as plain dicts in memory, and the relations the nested operations follow.

The records come from the sample roster files (``fixtures/roster/*.yaml``), which write a GUIDRef
as a bare sourcedId; this module expands them itself (sourcedId, type, an absolute href filled in
per request) and derives the OneRoster 1.1 shape for the 1.1 service. Nothing here is shared with
the reference provider: where the spec leaves a relation open this provider takes the other reading
(students of a school are those enrolled there, the terms of a school are every term, ...).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from oneroster_conformance.resources import fixtures_dir, load_yaml

Record = dict[str, Any]

# collection path -> (file in fixtures/roster, its top-level key)
SOURCES = {
    "orgs": "orgs", "academicSessions": "academicSessions", "courses": "courses", "classes": "classes",
    "users": "users", "enrollments": "enrollments", "demographics": "demographics",
}
# GUIDRef type -> the collection path that serves objects of that type
SERVED_AT = {"org": "orgs", "academicSession": "academicSessions", "course": "courses", "class": "classes",
             "user": "users", "resource": "resources"}
# per stored collection: which fields are GUIDRefs (or lists of them), and of which type
REFERENCES: dict[str, dict[str, str]] = {
    "orgs": {"parent": "org", "children": "org"},
    "academicSessions": {"parent": "academicSession", "children": "academicSession", "schoolYear": ""},
    "courses": {"schoolYear": "academicSession", "org": "org", "resources": "resource"},
    "classes": {"course": "course", "school": "org", "terms": "academicSession", "resources": "resource"},
    "users": {"primaryOrg": "org", "agents": "user", "resources": "resource"},
    "enrollments": {"user": "user", "class": "class", "school": "org"},
    "demographics": {},
}

# 1.1 differences (the 1.1 information model): one role and an orgs list per user, closed vocabularies
ROLE_IN_1P1 = {"districtAdministrator": "administrator", "siteAdministrator": "administrator",
               "systemAdministrator": "administrator", "principal": "administrator", "counselor": "administrator"}
USER_FIELDS_NOT_IN_1P1 = {"userMasterIdentifier", "preferredFirstName", "preferredMiddleName", "preferredLastName",
                          "pronouns", "userProfiles", "primaryOrg", "resources", "roles"}
CLOSED_TERM_1P1 = {("orgs", "type"): "local", ("classes", "classType"): "homeroom"}


def _guid_ref(kind: str, value: Any) -> Record:
    sid = value["sourcedId"] if isinstance(value, dict) else str(value)
    return {"sourcedId": sid, "type": kind, "href": f"/{SERVED_AT[kind]}/{sid}"}


def _expanded(collection: str, raw: Record) -> Record:
    out = copy.deepcopy(raw)
    for name, kind in REFERENCES[collection].items():
        if not kind or name not in out:
            continue
        value = out[name]
        out[name] = [_guid_ref(kind, v) for v in value] if isinstance(value, list) else _guid_ref(kind, value)
    for role in out.get("roles", []) if collection == "users" else []:
        role["org"] = _guid_ref("org", role["org"])
    return out


def _as_1p1(collection: str, rec: Record) -> Record:
    if collection == "users":
        roles = rec.get("roles") or []
        primary = next((r for r in roles if r.get("roleType") == "primary"), roles[0] if roles else {})
        user = {k: v for k, v in rec.items() if k not in USER_FIELDS_NOT_IN_1P1}
        user["role"] = ROLE_IN_1P1.get(primary.get("role", ""), primary.get("role", "student"))
        orgs: dict[str, Record] = {}
        for r in [primary, *roles]:
            if r:
                orgs.setdefault(r["org"]["sourcedId"], r["org"])
        user["orgs"] = list(orgs.values())
        user.setdefault("username", str(rec.get("email") or rec["sourcedId"]).split("@")[0])
        return user
    out = dict(rec)
    for (where, name), term in CLOSED_TERM_1P1.items():
        if where == collection and str(out.get(name, "")).startswith("ext:"):
            out[name] = term
    if collection == "demographics" and out.get("sex") not in (None, "male", "female"):
        out.pop("sex")
    return out


@dataclass
class Roster:
    """Every stored record by collection, in file order, and an index by sourcedId."""

    binding: str
    records: dict[str, list[Record]] = field(default_factory=dict)
    by_id: dict[str, dict[str, Record]] = field(default_factory=dict)

    @classmethod
    def load(cls, binding: str = "v1p2") -> Roster:
        roster = cls(binding)
        for collection, key in SOURCES.items():
            rows = load_yaml(fixtures_dir() / "roster" / f"{collection}.yaml")[key]
            rows = [_expanded(collection, r) for r in rows]
            if binding == "v1p1":
                rows = [_as_1p1(collection, r) for r in rows]
            roster.records[collection] = rows
            roster.by_id[collection] = {r["sourcedId"]: r for r in rows}
        return roster

    # ------------------------------------------------------------------ typed views
    def has_role(self, user: Record, role: str) -> bool:
        if self.binding == "v1p1":
            return user.get("role") == role
        return any(r.get("role") == role for r in user.get("roles") or [])

    def typed(self, name: str) -> list[Record]:
        """The records a top-level path serves: /students and /teachers are users in that role, ..."""
        kinds: dict[str, tuple[str, Callable[[Record], bool]]] = {
            "students": ("users", lambda u: self.has_role(u, "student")),
            "teachers": ("users", lambda u: self.has_role(u, "teacher")),
            "schools": ("orgs", lambda o: o.get("type") == "school"),
            "terms": ("academicSessions", lambda s: s.get("type") == "term"),
            "gradingPeriods": ("academicSessions", lambda s: s.get("type") == "gradingPeriod"),
        }
        if name in kinds:
            stored, keep = kinds[name]
            return [r for r in self.records[stored] if keep(r)]
        return self.records[name]

    def find(self, name: str, sourced_id: str) -> Record | None:
        return next((r for r in self.typed(name) if r["sourcedId"] == sourced_id), None)

    # ------------------------------------------------------------------ nested collections
    def enrolments(self, **match: str) -> list[Record]:
        out = []
        for e in self.records["enrollments"]:
            if all((e.get(k, {}).get("sourcedId") if k != "role" else e.get("role")) == v for k, v in match.items()):
                out.append(e)
        return out

    def children(self, parents: list[tuple[str, str]], child: str) -> list[Record]:
        """The child collection under the chain of (parent path, sourcedId); parents already checked."""
        parent, pid = parents[-1]
        pool = self.typed(child)

        def ids_of(rows: list[Record], key: str) -> set[str]:
            return {r[key]["sourcedId"] for r in rows}

        if child == "classes":
            if parent == "schools":
                return [c for c in pool if c["school"]["sourcedId"] == pid]
            if parent == "courses":
                return [c for c in pool if c["course"]["sourcedId"] == pid]
            if parent == "terms":
                return [c for c in pool if pid in {t["sourcedId"] for t in c.get("terms", [])}]
            role = {"students": "student", "teachers": "teacher"}.get(parent)
            wanted = ids_of(self.enrolments(user=pid, **({"role": role} if role else {})), "class")
            return [c for c in pool if c["sourcedId"] in wanted]
        if child in ("students", "teachers"):
            role = child[:-1]
            if parent == "classes":
                match = {"class": pid, "role": role}
                if len(parents) > 1:  # /schools/{s}/classes/{c}/...: the class's enrolments at that school
                    match["school"] = parents[0][1]
                wanted = ids_of(self.enrolments(**match), "user")
            else:  # a school's students / teachers: those enrolled in its classes (the enrolment reading)
                wanted = ids_of(self.enrolments(school=pid, role=role), "user")
            return [u for u in pool if u["sourcedId"] in wanted]
        if child == "enrollments":
            if parent == "classes":
                return [e for e in pool if e["class"]["sourcedId"] == pid
                        and (len(parents) == 1 or e["school"]["sourcedId"] == parents[0][1])]
            return [e for e in pool if e["school"]["sourcedId"] == pid]
        if child == "courses":  # the courses a school teaches: those of its classes
            taught = {c["course"]["sourcedId"] for c in self.typed("classes") if c["school"]["sourcedId"] == pid}
            return [c for c in pool if c["sourcedId"] in taught]
        if child == "terms":  # academic sessions carry no org: every term is a term of each school
            return pool
        if child == "gradingPeriods":  # the term's own list of children
            term = self.find("terms", pid) or {}
            listed = {c["sourcedId"] for c in term.get("children", [])}
            return [g for g in pool if g["sourcedId"] in listed]
        raise LookupError(f"no relation from {parent} to {child}")

    def belongs(self, parents: list[tuple[str, str]], name: str, sourced_id: str) -> bool:
        """A parent deeper in a path must belong to the one before it (a class of that school)."""
        if not parents:
            return self.find(name, sourced_id) is not None
        return any(r["sourcedId"] == sourced_id for r in self.children(parents, name))
