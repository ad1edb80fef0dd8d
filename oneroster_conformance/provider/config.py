"""Configuration of one reference provider instance."""

from __future__ import annotations

from dataclasses import dataclass

from oneroster_conformance.provider.faults import ALL_FAULTS, FAULTS, FAULTS_V1P1
from oneroster_conformance.spec.discovery import DISCOVERY_FILES, DISCOVERY_REVISIONS


@dataclass(frozen=True)
class ProviderConfig:
    faults: frozenset[str] = frozenset()
    db_path: str | None = None  # persist to this SQLite file; None = a temporary database
    students: int | None = None  # None = the sample roster in fixtures/roster; N = generated district
    seed: int = 0
    token_lifetime: int = 3600
    page_cap: int | None = None  # a maximum page size, announced through X-Total-Count and Link
    public_url: str | None = None  # origin for hrefs / Link / discovery; default: from the request
    # Conformant variety (not faults): other readings a real provider may choose.
    default_order: str = "sourcedId"  # or "dateLastModified-desc": newest first when no sort is asked
    unknown_sort: str = "default"  # or "error": 400 invalid_filter_field for an unknown sort field
    unsupported_code_major: bool = False  # 405 / 501 answers carry imsx_codeMajor 'unsupported', not 'failure'
    discovery_name: str = "binding"  # or "certification": discovery/imsorv1p2_rostering_openapi3_v1p0.json
    discovery_revision: str = "listing"  # or "published": the later OpenAPI revision ($ref parameters, DType names)
    omit_operations: frozenset[str] = frozenset()  # a profile: not served, and left out of discovery
    binding: str = "v1p2"  # "v1p1": OneRoster 1.1 paths, data model and token requests without scopes
    flavour: str | None = None  # "aeries": token at /admin/token/, service under /admin, permission areas per client
    auth: str = "oauth2"  # "oauth1": resource requests must be OAuth 1.0a signed (HMAC-SHA256), no tokens
    latency: float = 0.0  # seconds each response waits first: a server across a network (benchmarks)
    # The 1.2 services served (Rostering always); a rostering-only provider is conformant too.
    services: frozenset[str] = frozenset({"rostering", "gradebook", "resources"})
    # Gradebook writes (docs/reference-provider-writes.md): conformant readings a provider may choose.
    delete_marks: bool = False  # DELETE marks the record status 'tobedeleted' instead of removing it
    put_update_status: int = 201  # the answer to a PUT that updates an existing record: 201 or 200
    post_keeps_ids: bool = False  # POST allocates the supplied sourcedId itself (when free) instead of a new uuid
    request_log: str | None = None  # append "METHOD path status" per request to this file (no query, body, headers)

    def __post_init__(self) -> None:
        # Accept any iterable of names (a list from argparse, a set) but store a frozenset.
        object.__setattr__(self, "faults", frozenset(self.faults))
        object.__setattr__(self, "omit_operations", frozenset(self.omit_operations))
        object.__setattr__(self, "services", frozenset(self.services) | {"rostering"})
        if self.services - {"rostering", "gradebook", "resources"}:
            raise ValueError("services are rostering, gradebook and resources")
        if self.default_order not in ("sourcedId", "dateLastModified-desc"):
            raise ValueError("default_order must be 'sourcedId' or 'dateLastModified-desc'")
        if self.unknown_sort not in ("default", "error"):
            raise ValueError("unknown_sort must be 'default' or 'error'")
        if self.discovery_name not in DISCOVERY_FILES:
            raise ValueError(f"discovery_name must be one of {', '.join(DISCOVERY_FILES)}")
        if self.discovery_revision not in DISCOVERY_REVISIONS:
            raise ValueError(f"discovery_revision must be one of {', '.join(DISCOVERY_REVISIONS)}")
        unknown = sorted(self.faults - ALL_FAULTS.keys())
        if unknown:
            raise ValueError(f"unknown fault(s) {', '.join(unknown)}; known faults: {', '.join(sorted(ALL_FAULTS))}")
        if self.binding not in ("v1p2", "v1p1"):
            raise ValueError("binding must be 'v1p2' or 'v1p1'")
        if self.flavour not in (None, "aeries") or (self.flavour and self.binding != "v1p1"):
            raise ValueError("flavour must be None or 'aeries' (which serves OneRoster 1.1: binding='v1p1')")
        if self.auth not in ("oauth2", "oauth1") or (self.auth == "oauth1" and self.binding != "v1p1"):
            raise ValueError("auth must be 'oauth2', or 'oauth1' with binding='v1p1' (1.2 removed OAuth 1.0a)")
        misplaced = sorted(self.faults & FAULTS_V1P1.keys()) if self.flavour != "aeries" else []
        if misplaced:
            raise ValueError(f"fault(s) {', '.join(misplaced)} need the Aeries flavour "
                             "(binding='v1p1', flavour='aeries')")
        if self.binding == "v1p1" and self.students is not None:
            raise ValueError("the 1.1 provider serves the sample roster only (students must be None)")
        if self.put_update_status not in (200, 201):
            raise ValueError("put_update_status must be 200 or 201")
        if self.latency < 0:
            raise ValueError("latency must be zero or more seconds")
        if self.page_cap is not None and self.page_cap < 1:
            raise ValueError("page_cap must be a positive integer")
        if self.students is not None and self.students < 1:
            raise ValueError("students must be a positive integer")
        if self.token_lifetime < 1:
            raise ValueError("token_lifetime must be a positive number of seconds")

    def has(self, fault: str) -> bool:
        """True when the named fault is switched on (a typo is a bug, so it raises)."""
        if fault not in FAULTS and fault not in FAULTS_V1P1:
            raise KeyError(f"no fault named {fault!r}")
        return fault in self.faults
