"""Which checks a run keeps, and which of them do not apply to it (with the reason): one place, not per suite."""

from __future__ import annotations

from dataclasses import dataclass

from oneroster_conformance.client.settings import Settings
from oneroster_conformance.spec.requirements import Requirement

VERSION = {"v1p2": "1.2", "v1p1": "1.1"}


@dataclass(frozen=True)
class Deselected:
    """Checks a run leaves out, and the sentence that says which and why."""

    count: int
    why: str


def selected(req: Requirement | None, s: Settings) -> bool:
    """Readiness checks run only with --readiness; --readiness-only keeps nothing else."""
    readiness = req is not None and req.area == "readiness"
    return not ((readiness and not s.readiness) or (s.readiness_only and not readiness))


def deselection(dropped: list[Requirement | None], s: Settings) -> Deselected | None:
    if not dropped:
        return None
    if s.readiness_only:
        why = "left out by --readiness-only"
    else:
        why = "consumer readiness checks, run with --readiness claris, incidentiq, illuminate or all"
    return Deselected(len(dropped), f"{len(dropped)} {'check' if len(dropped) == 1 else 'checks'} not selected: {why}.")


def not_applicable(req: Requirement, binding: str, oauth1_exempt: frozenset[str]) -> str | None:
    """The reason ``req`` does not apply to this run, or None."""
    if binding not in req.bindings:
        return (f"{req.id} is a OneRoster {' / '.join(VERSION[b] for b in req.bindings)} requirement; this run "
                f"checks OneRoster {VERSION[binding]} (schemas/v1p1/differences.yaml)")
    if req.id in oauth1_exempt:
        return "requests are OAuth 1.0a signed (--auth oauth1): there is no OAuth 2 token endpoint to check"
    return None
