"""Stored rows -> the JSON records a response carries.

Stored hrefs are relative to the service root; here they become absolute URLs of this server.
The data faults (wrong datetime forms, a dangling reference, ...) are applied here, at the point
where a real provider's serializer would go wrong, and the ``fields`` projection comes last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.store import Store


@dataclass(frozen=True)
class Render:
    config: ProviderConfig
    store: Store
    href_root: str  # prefix for stored hrefs: the service root URL
    table: str
    fields: tuple[str, ...] | None = None


def _absolutize(node: Any, root: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "href" and isinstance(value, str) and value.startswith("/"):
                node[key] = root + value
            elif key != "metadata":
                _absolutize(value, root)
    elif isinstance(node, list):
        for item in node:
            _absolutize(item, root)


def fault_targets(store: Store) -> dict[str, str | None]:
    """The records the data faults alter: fixed, so a test knows where to look."""

    def compute() -> dict[str, str | None]:
        return {
            "district": store.scalar("SELECT min(sid) FROM orgs WHERE type = 'district'")
            or store.scalar("SELECT min(sid) FROM orgs"),
            "class": store.scalar("SELECT min(sid) FROM classes"),
            "student": store.scalar("SELECT min(sid) FROM users WHERE is_student = 1"),
            "user": store.scalar("SELECT min(sid) FROM users"),
            "line_item": store.scalar("SELECT min(sid) FROM line_items"),
            "result": store.scalar("SELECT min(sid) FROM results"),
        }

    return store.cached(("fault-targets",), compute)


def _datetime(value: str, config: ProviderConfig) -> str:
    # stored form: YYYY-MM-DDThh:mm:ss.sssZ
    if config.has("bad-datetime"):
        return value[:10] + " " + value[11:19]
    if config.has("datetime-no-millis"):
        return value[:19] + "Z"
    return value


def record(doc: str, ctx: Render) -> dict[str, Any]:
    config = ctx.config
    rec: dict[str, Any] = json.loads(doc)
    _absolutize(rec, ctx.href_root)
    if "dateLastModified" in rec:
        rec["dateLastModified"] = _datetime(rec["dateLastModified"], config)
    if config.faults:
        _data_faults(rec, ctx)
    if ctx.fields is not None:
        rec = {k: v for k, v in rec.items() if k in ctx.fields}
    return rec


def _data_faults(rec: dict[str, Any], ctx: Render) -> None:
    config, table, sid = ctx.config, ctx.table, rec.get("sourcedId")
    targets = fault_targets(ctx.store)
    if table == "users":
        if config.has("extra-property"):
            # the OneRoster 1.1 'role' field, still emitted by a half-migrated serializer
            rec["role"] = next((r["role"] for r in rec.get("roles", []) if r.get("roleType") == "primary"), "student")
        if config.has("two-primary-roles") and sid == targets["student"] and rec.get("roles"):
            primary = rec["roles"][0]
            rec["roles"] = [*rec["roles"], {"roleType": "primary", "role": "aide", "org": dict(primary["org"])}]
    elif table == "orgs" and config.has("enum-ext-not-prefix") and sid == targets["district"]:
        rec["type"] = "district-ext:region"
    elif table == "classes" and config.has("dangling-reference") and sid == targets["class"]:
        missing = "crs-does-not-exist"
        rec["course"] = {**rec["course"], "sourcedId": missing,
                         "href": rec["course"]["href"].rsplit("/", 1)[0] + "/" + missing}
    elif table == "line_items" and config.has("line-item-range-inverted") and sid == targets["line_item"]:
        rec["resultValueMin"], rec["resultValueMax"] = 100.0, 0.0
    elif table == "results" and sid == targets["result"]:
        if config.has("result-class-mismatch") and isinstance(rec.get("class"), dict):
            other = ctx.store.scalar("SELECT min(sid) FROM classes WHERE sid <> ?", (rec["class"]["sourcedId"],))
            rec["class"] = {**rec["class"], "sourcedId": other,
                            "href": rec["class"]["href"].rsplit("/", 1)[0] + "/" + other}
        if config.has("result-student-dangling"):
            missing = "stu-does-not-exist"
            rec["student"] = {**rec["student"], "sourcedId": missing,
                              "href": rec["student"]["href"].rsplit("/", 1)[0] + "/" + missing}
    elif table == "demographics" and config.has("demographics-own-ids") and sid is not None:
        rec["sourcedId"] = "demo-" + sid
