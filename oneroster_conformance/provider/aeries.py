"""The reference provider's Aeries flavour: OneRoster 1.1 laid out and guarded as Aeries does it.

- the service at /admin/ims/oneroster/v1p1 and the token endpoint at /admin/token/ (Aeries' district setup guides);
- the token response sets a load balancer's ARRAffinity cookie, and tokens live 21600 s, as Aeries is
  publicly reported to do;
- a token request must name at least one scope (Aeries' authentication article: "Scopes MUST be included
  in the request"; a request without scope gets 400 invalid_scope) and every record may be granted the
  seven v1p1 scope URIs the article's token response lists; the response names those granted;
- API records instead of OAuth clients (fixtures/roster_v1p1/aeries_api_records.yaml): each has its
  consumer id and secret and the permissions the district granted; every operation needs the
  permission fixtures/consumers/aeries.yaml names for the collection it returns, else 403.
The faults in provider/faults.py's FAULTS_V1P1 take a permission or the OneRoster box away.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache

from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.resources import fixtures_dir, load_yaml

PREFIX = "/admin"  # Aeries' OneRoster URL is https://<district>api.aeries.net/admin
TOKEN_PATH = "/admin/token/"
TOKEN_LIFETIME = 21600
AFFINITY_COOKIES = ("ARRAffinity", "ARRAffinitySameSite")
TERMS = "School Information → Terms"
# The scopes Aeries' token response lists: the 1.1 rostering scopes and the resource / gradebook ones.
SCOPES = frozenset("https://purl.imsglobal.org/spec/or/v1p1/scope/" + name for name in (
    "roster-core.readonly", "roster.readonly", "roster-demographics.readonly", "resource.readonly",
    "gradebook.readonly", "gradebook.createput", "gradebook.delete"))


@dataclass(frozen=True)
class ApiRecord:
    record: str  # the name the district gave it, e.g. "Claris"
    key: str  # its name in a harness profile's clients
    consumer_id: str
    secret: str
    permissions: frozenset[str]
    consumer: bool = False  # a vendor's record (the faults act on these, never on the conformance one)
    token_lifetime: int | None = None


@cache
def permission_map() -> dict[str, str]:
    """collection -> the permission gating it, read from the same data a district admin's report cites."""
    doc = load_yaml(fixtures_dir() / "consumers" / "aeries.yaml")
    return {name: entry["permission"] for name, entry in doc["collections"].items()}


def every_permission() -> frozenset[str]:
    return frozenset(permission_map().values())


@cache
def records() -> tuple[ApiRecord, ...]:
    doc = load_yaml(fixtures_dir() / "roster_v1p1" / "aeries_api_records.yaml")
    out = []
    for r in doc["records"]:
        perms = every_permission() if r["permissions"] == "all" else frozenset(r["permissions"])
        out.append(ApiRecord(r["record"], r["key"], r["consumer_id"], r["secret"], perms, bool(r.get("consumer")),
                             r.get("token_lifetime")))
    return tuple(out)


def active_records(config: ProviderConfig) -> dict[str, ApiRecord]:
    """consumer id -> record, as the faults leave them (OneRoster unticked: the record is gone)."""
    out = {}
    for r in records():
        if r.consumer and config.has("record-oneroster-off"):
            continue
        if r.consumer and config.has("permission-missing-terms"):
            r = ApiRecord(r.record, r.key, r.consumer_id, r.secret, r.permissions - {TERMS}, r.consumer,
                          r.token_lifetime)
        out[r.consumer_id] = r
    return out


def required_permission(path: str) -> str | None:
    """The permission an operation needs: the one behind the collection it returns."""
    collection = [s for s in path.split("/") if s and not s.startswith("{")][-1]
    return permission_map().get(collection)


def affinity_headers() -> list[tuple[str, str]]:
    """Set-Cookie headers as an Azure front end sends them with the token response."""
    value = secrets.token_hex(32)
    return [("set-cookie", f"{AFFINITY_COOKIES[0]}={value}; Path=/; HttpOnly"),
            ("set-cookie", f"{AFFINITY_COOKIES[1]}={value}; Path=/; HttpOnly; SameSite=None; Secure")]


def builtin_credentials() -> dict[str, tuple[str, str, int | None]]:
    """key -> (consumer id, secret, token lifetime) for the harness (embedded runs, the proof, tests)."""
    return {r.key: (r.consumer_id, r.secret, r.token_lifetime) for r in records()}
