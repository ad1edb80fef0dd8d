"""Which checks a run keeps, in which order, and which of them do not apply to it (with the reason).

One place, not per suite. Works on any hashable check objects (pytest items in practice) paired with
their requirement (None: not a conformance check, kept as it is).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from oneroster_conformance.checks import NA_PREFIX
from oneroster_conformance.client.settings import Settings
from oneroster_conformance.spec.requirements import Requirement

VERSION = {"v1p2": "1.2", "v1p1": "1.1"}
RUN_LAST = ("auth/expired-token",)  # checks that wait for a token's expiry run last: by then it has passed
# Writes run after every read check: what they create (and a provider may keep, marked tobedeleted) is never
# seen by a check comparing live reads with the crawl.
WRITES_LAST = ("gradebook-write/", "readiness/grade-passback")
T = TypeVar("T", bound=Hashable)


@dataclass
class Plan(Generic[T]):
    keep: list[T]
    dropped: list[T]
    not_applicable: dict[T, str] = field(default_factory=dict)  # check -> skip reason
    note: str | None = None  # the sentence saying what was left out and why


def selected(req: Requirement | None, s: Settings) -> bool:
    """Readiness checks run only with --readiness (a consumer's checks for a consumer, a flow's for that flow;
    all: every one); --readiness-only keeps nothing else."""
    from oneroster_conformance.readiness.consumers import FLOWS

    readiness = req is not None and req.area == "readiness"
    if readiness and s.readiness and s.readiness != "all":
        assert req is not None
        flow = next((f for f in FLOWS if req.id == f"readiness/{f}"), None)
        return s.readiness == flow if flow else s.readiness not in FLOWS
    return not ((readiness and not s.readiness) or (s.readiness_only and not readiness))


def not_applicable(req: Requirement, binding: str, oauth1_exempt: frozenset[str]) -> str | None:
    """The reason ``req`` does not apply to this run, or None."""
    if binding not in req.bindings:
        return (f"{req.id} is a OneRoster {' / '.join(VERSION[b] for b in req.bindings)} requirement; this run "
                f"checks OneRoster {VERSION[binding]} (schemas/v1p1/differences.yaml)")
    if req.id in oauth1_exempt:
        return "requests are OAuth 1.0a signed (--auth oauth1): there is no OAuth 2 token endpoint to check"
    return None


def plan(checks: Sequence[T], reqs: Mapping[T, Requirement], s: Settings) -> Plan[T]:
    from oneroster_conformance.spec.v1p1 import not_applicable_with_oauth1

    exempt = not_applicable_with_oauth1() if s.auth == "oauth1" else frozenset()
    keep = [c for c in checks if selected(reqs.get(c), s)]
    kept = set(keep)
    dropped = [c for c in checks if c not in kept]
    keep.sort(key=lambda c: (c in reqs and reqs[c].id.startswith(WRITES_LAST), c in reqs and reqs[c].id in RUN_LAST))
    binding = s.binding or "v1p2"
    skips = {c: NA_PREFIX + r for c in keep if c in reqs and (r := not_applicable(reqs[c], binding, exempt))}
    note = None
    if dropped:
        why = ("left out by --readiness-only" if s.readiness_only else
               "readiness checks, run with --readiness claris, incidentiq, illuminate, grade-passback or all")
        note = f"{len(dropped)} {'check' if len(dropped) == 1 else 'checks'} not selected: {why}."
    return Plan(keep, dropped, skips, note)
