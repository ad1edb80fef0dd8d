"""Outcome mapping: how one finished check becomes one Result. Pure: plain values in, a Result out.

The requirement's level decides a broken rule's outcome (MUST fail, SHOULD warn, MAY info); a skip is
"not applicable" with its reason; anything but a broken rule (an exception, a failed setup) is
"errored": the harness could not decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oneroster_conformance.checks import NA_PREFIX, NonConformance
from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.exchange import Exchange
from oneroster_conformance.outcome import Outcome
from oneroster_conformance.report.model import Result
from oneroster_conformance.spec.requirements import Requirement


@dataclass
class Finished:
    """What the test framework knows about a finished check, reduced to plain values."""

    nodeid: str
    when: str  # "setup" or "call"
    passed: bool
    skipped: bool
    exc: BaseException | None = None
    skip_reason: str = ""
    duration: float = 0.0
    operation: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    readings: list[str] = field(default_factory=list)
    evidence: list[Exchange] = field(default_factory=list)
    requests: int = 0  # HTTP exchanges the check caused or used (client/tally.py)


def to_result(req: Requirement, done: Finished, known: str | None = None, known_label: str = "provider") -> Result:
    """The Result of one check. ``known``: a publicly reported explanation of this provider's behaviour."""
    result = Result(requirement=req.id, level=req.level, area=req.area, section=req.section,
                    normative=req.normative, outcome=Outcome.PASS, nodeid=done.nodeid,
                    operation=done.operation, params=dict(done.params),
                    duration_s=round(done.duration, 4), evidence=list(done.evidence), requests=done.requests)
    if done.readings:
        result.reading = "; ".join(done.readings)
    exc = done.exc
    if done.passed:
        result.evidence = []  # keep the record small: evidence is for what needs explaining
    elif done.skipped:
        result.outcome = Outcome.NOT_APPLICABLE
        reason = str(getattr(exc, "msg", "") or done.skip_reason)
        result.message = reason.removeprefix("Skipped: ").removeprefix(NA_PREFIX)
        result.evidence = []
    elif done.when == "call" and isinstance(exc, AssertionError):
        result.outcome = Outcome.broken(req.level)
        result.message = MASKER.mask(getattr(exc, "message", None) or str(exc) or "assertion failed")
        if isinstance(exc, NonConformance):
            result.expected = MASKER.mask(exc.expected) if exc.expected else None
            result.actual = MASKER.mask(exc.actual) if exc.actual else None
            result.schema_path = exc.schema_path
    else:
        result.outcome = Outcome.ERRORED
        result.message = MASKER.mask(f"{type(exc).__name__}: {exc}" if exc else "the check could not run")
    if known and (result.outcome not in (Outcome.PASS, Outcome.NOT_APPLICABLE) or result.reading):
        # Publicly reported behaviour of this kind of provider (the profile's known_behaviour): explained, not hidden.
        result.message = f"{result.message} Known {known_label} behaviour: {known}".strip()
    return result


def explain(result: Result, req: Requirement) -> str | None:
    """A broken rule as the requirement explains it (what pytest shows instead of a traceback)."""
    if result.outcome not in (Outcome.FAIL, Outcome.WARN, Outcome.INFO, Outcome.ERRORED):
        return None
    lines = [f"{req.id} [{req.level}{'' if req.normative else ', NOT NORMATIVE section'}] {req.section}",
             f"  {req.summary}", f"  {result.outcome.value.upper()}: {result.message}"]
    if result.expected or result.actual:
        lines.append(f"  expected: {result.expected}   actual: {result.actual}")
    if result.schema_path:
        lines.append(f"  at: {result.schema_path}")
    if req.consequence and result.outcome is not Outcome.ERRORED:
        lines.append(f"  consequence: {req.consequence}")
    for ex in result.evidence[-3:]:
        lines.append(f"  reproduce: {ex.curl}")
    return "\n".join(lines)


def shown_as_passed(result: Result) -> bool:
    """Warnings, observations and expected failures are not a wall of red: the level and the gate decide."""
    return result.outcome in (Outcome.WARN, Outcome.INFO) or result.expectation == "expected-fail"
