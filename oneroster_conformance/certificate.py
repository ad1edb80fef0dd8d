"""Conformance profiles, shaped like 1EdTech's certification: a verdict per service and profile.

Each profile is a set of operations read from the catalogue (never listed by hand): Rostering Core
is the operations the ``roster-core.readonly`` scope grants (1EdTech asks for at least these 22
rostering endpoints, each answering with data), Rostering all 41, Demographics those of its scope,
Gradebook pull the Gradebook GETs outside the Assessment Results profile, Assessment Results the
``/assessment...`` GETs, Resources the Resources GETs, Gradebook push every PUT, POST and DELETE of
the Gradebook service (offered with the Gradebook; checked only when writes are allowed). A profile is
offered, not offered (with the evidence), or required and not offered; an offered one is CONFORMANT
when no MUST check of its operations failed or errored and at least one was decided (an operation
whose every check was not applicable was not checked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from oneroster_conformance.spec.operations import (
    ROSTER_CORE,
    ROSTER_DEMOGRAPHICS,
    Operation,
    service_operations,
)

WRITE_METHODS = ("PUT", "POST", "DELETE")


@dataclass(frozen=True)
class Profile:
    name: str  # the --require name
    title: str
    service: str
    member: Callable[[Operation], bool] = field(compare=False)
    needs_data: bool = False  # every operation must answer with data, not just 200
    methods: tuple[str, ...] = ("GET",)
    offered_with: str | None = None  # the profile whose offer this one shares (a push profile: its pull's)

    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for op in service_operations(self.service) if op.method in self.methods and self.member(op))


def _assessment(op: Operation) -> bool:
    return op.path.startswith("/assessment")


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("rostering-core", "Rostering Core", "rostering", lambda op: ROSTER_CORE in op.scopes, needs_data=True),
    Profile("rostering", "Rostering", "rostering", lambda op: True),
    Profile("demographics", "Demographics", "rostering", lambda op: ROSTER_DEMOGRAPHICS in op.scopes),
    Profile("gradebook-pull", "Gradebook pull", "gradebook", lambda op: not _assessment(op)),
    Profile("resources", "Resources", "resources", lambda op: True),
    Profile("assessment-results", "Assessment Results", "gradebook", _assessment),
    Profile("gradebook-push", "Gradebook push", "gradebook", lambda op: True, methods=WRITE_METHODS,
            offered_with="gradebook-pull"),
)}


def unit_of(op: Operation) -> str | None:
    """The profile whose offering decides whether ``op`` is checked (None: Rostering, always checked)."""
    if op.service == "rostering":
        return None
    if op.service == "gradebook":
        return "assessment-results" if _assessment(op) else "gradebook-pull"
    return "resources"


@cache
def probe_operations(unit: str) -> tuple[Operation, ...]:
    """The top-level collections whose first GET shows whether a provider offers a profile."""
    return tuple(op for op in PROFILES[unit].operations() if op.is_collection and not op.path_params)


@dataclass
class Offer:
    """What a provider offers of one profile, and the evidence."""

    unit: str
    offered: bool
    evidence: str
    required: bool = False


@dataclass
class Verdict:
    profile: Profile
    status: str  # CONFORMANT, NOT CONFORMANT, NOT OFFERED, REQUIRED BUT NOT OFFERED, NOT CHECKED
    detail: str
    operations: int = 0
    failed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"profile": self.profile.name, "title": self.profile.title, "service": self.profile.service,
                "status": self.status, "detail": self.detail, "operations": self.operations,
                "failed": self.failed[:20]}


def verdicts(results: Iterable, offers: dict[str, Offer], required: frozenset[str],
             checked_services: tuple[str, ...],
             has_data: Callable[[str], bool | None] = lambda operation_id: None) -> list[Verdict]:
    """A verdict per profile from the run's results (each with .operation, .level, .outcome, .requirement).

    ``has_data``: whether an operation answered with records (None: unknown); a profile that needs
    data (Rostering Core) is not conformant while one of its operations answers empty."""
    results = list(results)
    by_op: dict[str, list] = {}
    for r in results:
        if getattr(r, "operation", None):
            by_op.setdefault(r.operation, []).append(r)
    out = []
    for profile in PROFILES.values():
        ops = profile.operations()
        unit = profile.offered_with or (profile.name if profile.service != "rostering" else None)
        offer = offers.get(unit) if unit else None
        if profile.service not in checked_services and profile.name not in required:
            out.append(Verdict(profile, "NOT CHECKED", "not chosen with --services", len(ops)))
            continue
        if offer is not None and not offer.offered:
            status = "REQUIRED BUT NOT OFFERED" if profile.name in required else "NOT OFFERED"
            out.append(Verdict(profile, status, offer.evidence, len(ops)))
            continue
        broken, empty, unchecked = [], [], []
        for op in ops:
            mine = by_op.get(op.operation_id, [])
            if all(_value(r.outcome) == "not-applicable" for r in mine):
                unchecked.append(op.operation_id)
            bad = [r for r in mine if r.level == "MUST" and _value(r.outcome) in ("fail", "errored")]
            if bad:
                broken.append(f"{op.operation_id}: {', '.join(sorted({r.requirement for r in bad}))}")
            if profile.needs_data and (has_data(op.operation_id) is False or any(
                    r.requirement == "operations/success" and _value(r.outcome) != "pass" for r in mine)):
                empty.append(f"{op.operation_id}: no data")
        if broken or (profile.needs_data and empty):
            detail = f"{len(broken)} of {len(ops)} operations broke a MUST rule"
            if empty and profile.needs_data:
                detail += f"; {len(empty)} did not answer with data"
            out.append(Verdict(profile, "NOT CONFORMANT", detail, len(ops), broken + empty))
        elif len(unchecked) == len(ops):
            why = " (writes are opt-in: --allow-writes)" if profile.methods != ("GET",) else ""
            out.append(Verdict(profile, "NOT CHECKED", f"no check of its operations ran{why}", len(ops)))
        else:
            required_note = " (required)" if profile.name in required else ""
            checked = f"all {len(ops)}" if not unchecked else f"{len(ops) - len(unchecked)} of {len(ops)}"
            out.append(Verdict(profile, "CONFORMANT", f"{checked} operations checked{required_note}", len(ops)))
    return out


def _value(outcome) -> str:
    return getattr(outcome, "value", outcome)
