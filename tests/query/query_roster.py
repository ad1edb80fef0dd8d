"""A small 1.2-shaped user roster whose names make UCA and code-point order disagree."""

from __future__ import annotations

from typing import Any

NAMES = [
    ("Ångström", "Anna"),
    ("Émile", "Zoë"),
    ("Øyvind", "Lars"),
    ("Zoë", "Émile"),
    ("de la Cruz", "María"),
    ("O'Brien", "Seán"),
    ("Çelik", "Ayşe"),
    ("van der Berg", "Pieter"),
    ("Łukasz", "Jan"),
    ("Smythe", "John"),
    ("smythe", "Jane"),
    ("SMYTHE", "Joe"),
    ("apple", "Bob"),
    ("Zeta", "Ann"),
]


def _user(i: int, family: str, given: str) -> dict[str, Any]:
    org = {"sourcedId": f"org-{i % 3}", "type": "org", "href": f"https://x.test/orgs/org-{i % 3}"}
    record: dict[str, Any] = {
        "sourcedId": f"u{i:02d}",
        "status": "active",
        "dateLastModified": f"2016-12-{10 + i % 5:02d}T{i:02d}:00:00.000Z",
        "username": f"user{i}",
        "enabledUser": "true",
        "givenName": given,
        "familyName": family,
        "roles": [{"roleType": "primary", "role": "teacher" if i % 4 == 0 else "student", "org": org}],
        "primaryOrg": org,
        "grades": ["09", "10"] if i % 2 else ["11"],
        "metadata": {"ext:district": ["North", "South", "East"][i % 3], "ext.code": str(i * 7)},
    }
    if i % 5 == 0:
        record["roles"].append({"roleType": "secondary", "role": "aide", "org": org})
    if i % 6 == 0:
        record["email"] = f"{given.lower()}@school.test"
    return record


USERS: list[dict[str, Any]] = [_user(i, f, g) for i, (f, g) in enumerate(NAMES)]
USER_FIELDS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "username",
    "enabledUser",
    "givenName",
    "familyName",
    "roles",
    "primaryOrg",
    "grades",
    "metadata",
    "email",
]
