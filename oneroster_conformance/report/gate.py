"""The gate: turn a run's results into a verdict and a process exit status.

Exit statuses of a conformance run:

* ``0`` - the gate passed: no result of a gated level is broken and (by default) nothing errored.
* ``1`` - the gate failed: a gated requirement is broken, or a check errored.
* ``4`` - bad configuration (an option, the profile, the expectations file, the report folder):
  one sentence, decided before any check runs (pytest's usage-error status).
* ``6`` - preflight failed (provider unreachable, credentials refused, wrong service root): nothing is
  judged. Both are decided by the run (``oneroster_conformance.run``), not here.

Which outcomes gate: ``fail`` is what a broken MUST produces, ``warn`` a broken SHOULD, ``info`` a
broken MAY (or an observation). A broken outcome gates when the level it stands for is in
``gate_levels``: the default ``{"MUST"}`` gates on ``fail`` only; ``--strict`` adds ``"SHOULD"`` so
that ``warn`` gates too. ``errored`` gates unless ``fail_on_errored`` is false.

Expectations (see :mod:`.expectations`): a result marked ``expected-fail`` does not fail the gate, but
it still keeps the verdict from reading CONFORMANT (a known failure is still a failure), so a team can
adopt the gate on a provider that is not yet conformant without the report claiming otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from oneroster_conformance.outcome import LEVELS
from oneroster_conformance.report.model import Outcome, Result
from oneroster_conformance.text import first_n

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_PREFLIGHT_FAILED = 6

CONFORMANT = "CONFORMANT"
NOT_CONFORMANT = "NOT CONFORMANT"

_MAX_NAMED = 3


@dataclass
class GateDecision:
    exit_status: int
    conformant: bool
    reason: str
    gate_levels: tuple[str, ...] = ("MUST",)
    include_non_normative: bool = True
    fail_on_errored: bool = True
    blocking: list[str] = field(default_factory=list)  # result keys that failed the gate
    known: list[str] = field(default_factory=list)  # result keys excused by the expectations file
    stale: list[str] = field(default_factory=list)  # result keys whose expected failure now passes
    ungated_warnings: int = 0  # SHOULD warnings that did not gate this run

    @property
    def verdict(self) -> str:
        return CONFORMANT if self.conformant else NOT_CONFORMANT

    @property
    def strict(self) -> bool:
        return "SHOULD" in self.gate_levels

    def gate_dict(self) -> dict[str, object]:
        return {
            "levels": list(self.gate_levels),
            "include_non_normative": self.include_non_normative,
            "fail_on_errored": self.fail_on_errored,
            "blocking": list(self.blocking),
            "known": list(self.known),
            "stale": list(self.stale),
            "reason": self.reason,
        }

    def to_footer(self) -> dict[str, object]:
        """The decision's part of the JSON Lines footer: exit_status, verdict, gate."""
        return {"exit_status": self.exit_status, "verdict": self.verdict, "gate": self.gate_dict()}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _names(ids: list[str]) -> str:
    return first_n(ids, _MAX_NAMED)


def _unique(seq: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(seq))


def decide(
    results: Iterable[Result],
    gate_levels: Iterable[str] = frozenset({"MUST"}),
    include_non_normative: bool = True,
    fail_on_errored: bool = True,
) -> GateDecision:
    """Decide the verdict and exit status of a run (see the module docstring for the rules)."""
    wanted = {str(lv).upper() for lv in gate_levels}
    levels = tuple(lv for lv in LEVELS if lv in wanted)
    unknown = wanted - set(LEVELS)
    if unknown:
        raise ValueError(f"unknown gate level(s) {sorted(unknown)}; use MUST, SHOULD, MAY")
    gated_outcomes = {Outcome.broken(lv) for lv in levels}
    if fail_on_errored:
        gated_outcomes.add(Outcome.ERRORED)

    considered = [r for r in results if include_non_normative or r.normative]
    broken = [r for r in considered if r.outcome in gated_outcomes]
    blocking = [r for r in broken if r.expectation != "expected-fail"]
    known = [r for r in broken if r.expectation == "expected-fail"]
    stale = [r for r in considered if r.expectation == "stale"]
    warnings = [r for r in considered if r.outcome is Outcome.WARN and Outcome.WARN not in gated_outcomes]

    exit_status = EXIT_GATE_FAILED if blocking or not considered else EXIT_OK
    conformant = bool(considered) and not broken
    strict_note = " under --strict" if "SHOULD" in levels else ""
    scope_note = "" if include_non_normative else " (NOT NORMATIVE sections excluded)"

    def describe(rs: list[Result]) -> str:
        parts = []
        for outcome in (Outcome.FAIL, Outcome.WARN, Outcome.INFO, Outcome.ERRORED):
            ids = _unique(r.requirement for r in rs if r.outcome is outcome)
            if not ids:
                continue
            if outcome is Outcome.ERRORED:
                parts.append(f"{_plural(len(ids), 'check')} errored ({_names(ids)})")
            else:
                parts.append(f"{len(ids)} {outcome.level} {'requirement' if len(ids) == 1 else 'requirements'} "
                             f"{outcome.verb} ({_names(ids)})")
        return " and ".join(parts)

    if not considered:
        reason = f"{NOT_CONFORMANT}: no check results were recorded{scope_note}; exit status {exit_status}."
    elif blocking:
        extra = f", besides {len(known)} known from the expectations file" if known else ""
        reason = (f"{NOT_CONFORMANT}{strict_note}: {describe(blocking)}{extra}{scope_note}; "
                  f"exit status {exit_status}.")
    elif known:
        reason = (f"{NOT_CONFORMANT}{strict_note}: {describe(known)}, all known from the expectations file, "
                  f"so the gate passes{scope_note}; exit status {exit_status}.")
    else:
        what = " and SHOULD" if "SHOULD" in levels else ""
        reason = f"{CONFORMANT}{strict_note}: every MUST{what} requirement checked passed{scope_note}"
        if warnings:
            n = len(_unique(r.requirement for r in warnings))
            reason += (f"; {_plural(n, 'SHOULD warning')} {'does' if n == 1 else 'do'} not gate this run "
                       "(use --gate-should)")
        if not fail_on_errored:
            errored = _unique(r.requirement for r in considered if r.outcome is Outcome.ERRORED)
            if errored:
                reason += f"; {_plural(len(errored), 'errored check')} ignored by request"
        reason += f"; exit status {exit_status}."
    if stale:
        reason = reason[:-1] + (f"; {_plural(len(stale), 'expected failure')} now "
                                f"{'passes' if len(stale) == 1 else 'pass'}: update the expectations file.")

    return GateDecision(
        exit_status=exit_status,
        conformant=conformant,
        reason=reason,
        gate_levels=levels,
        include_non_normative=include_non_normative,
        fail_on_errored=fail_on_errored,
        blocking=_unique(r.key for r in blocking),
        known=_unique(r.key for r in known),
        stale=_unique(r.key for r in stale),
        ungated_warnings=len(_unique(r.requirement for r in warnings)),
    )
