"""The sample roster in OneRoster 1.1 shape, for ProviderConfig(binding="v1p1").

One roster (fixtures/roster, 1.2 shape) serves both bindings: this module converts each record by
the differences in schemas/v1p1/differences.yaml, so the two providers hold the same district.
- a user's 1.2 'roles' become the 1.1 'role' (the primary one, mapped onto 1.1 RoleType) and 'orgs';
  1.2-only user fields are dropped; 'username' (required in 1.1) is filled from the email if absent;
- 'ext:' vocabulary terms (1.2 only) become the closest 1.1 term; sex 'other' / 'unspecified' (1.2
  only) are left out (the field is optional);
- in the Aeries flavour, staff sourcedIds carry Aeries' TCH_ prefix (tch-001 -> TCH_001), as Aeries
  is publicly reported to send them; every reference and href follows;
- the data faults of the Aeries flavour (teachers-without-email, null-fields) change the stored
  data itself, so what is filtered and what is served stay the same district.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from oneroster_conformance.provider import sample

# 1.2 RoleEnum -> 1.1 RoleType (administrator, aide, guardian, parent, proctor, relative, student, teacher)
ROLE_1P1 = {"districtAdministrator": "administrator", "siteAdministrator": "administrator",
            "systemAdministrator": "administrator", "principal": "administrator", "counselor": "administrator"}
# 1.2 'ext:' terms of the sample roster -> the closest closed 1.1 term
CLOSED_TERMS = {("orgs", "type"): "local", ("classes", "classType"): "scheduled"}
USER_1P2_ONLY = ("userMasterIdentifier", "preferredFirstName", "preferredMiddleName", "preferredLastName",
                 "pronouns", "userProfiles", "primaryOrg", "resources", "roles")
STAFF_PREFIX = "TCH_"
DATA_FAULTS = ("teachers-without-email", "null-fields")  # faults that change the stored roster


def user_1p1(user: dict[str, Any]) -> dict[str, Any]:
    roles = user.get("roles") or []
    primary = next((r for r in roles if r.get("roleType") == "primary"), roles[0] if roles else {})
    out = {k: v for k, v in user.items() if k not in USER_1P2_ONLY}
    out["role"] = ROLE_1P1.get(primary.get("role"), primary.get("role", "student"))
    orgs, seen = [], set()
    for r in sorted(roles, key=lambda r: r is not primary):  # the primary role's org first
        if r["org"]["sourcedId"] not in seen:
            seen.add(r["org"]["sourcedId"])
            orgs.append(r["org"])
    out["orgs"] = orgs
    if not out.get("username"):
        out["username"] = str(user.get("email", user["sourcedId"])).split("@")[0]
    return out


def record_1p1(table: str, record: dict[str, Any]) -> dict[str, Any]:
    if table == "users":
        return user_1p1(record)
    out = dict(record)
    for (t, field), term in CLOSED_TERMS.items():
        if t == table and str(out.get(field, "")).startswith("ext:"):
            out[field] = term
    if table == "demographics" and out.get("sex") not in (None, "male", "female"):
        del out["sex"]
    return out


def _staff_ids(tables: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    teachers = [u["sourcedId"] for u in tables["users"] if u.get("role") == "teacher"]
    return {sid: STAFF_PREFIX + sid.rsplit("-", 1)[-1] for sid in teachers}


def _renamed(record: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """Every sourcedId (and the href ending in it) renamed; a text rewrite of exact JSON strings."""
    text = json.dumps(record, ensure_ascii=False)
    for old, new in ids.items():
        text = text.replace(f'"{old}"', f'"{new}"').replace(f'/{old}"', f'/{new}"')
    return json.loads(text)


def _with_faults(table: str, record: dict[str, Any], faults: frozenset[str]) -> dict[str, Any]:
    if table == "users" and "teachers-without-email" in faults and record.get("role") == "teacher":
        record.pop("email", None)
    if table == "orgs" and "null-fields" in faults:
        record.update({"identifier": None, "metadata": None})  # as one SIS is reported to send them
    return record


def roster(aeries: bool = False, faults: frozenset[str] = frozenset()) -> dict[str, Iterator[dict[str, Any]]]:
    tables = {table: [record_1p1(table, r) for r in sample.records(table)] for table in sample.FILES}
    if aeries:
        ids = _staff_ids(tables)
        tables = {t: [_renamed(r, ids) for r in records] for t, records in tables.items()}
    tables = {t: [_with_faults(t, r, faults) for r in records] for t, records in tables.items()}
    return {t: iter(records) for t, records in tables.items()}
