"""The result record: what every view (terminal, JSON Lines, HTML, JUnit, Allure) is made from.

A check ends as exactly one Outcome. The requirement's level, not the test author, decides whether a
broken rule is a ``fail`` (MUST) or a ``warn`` (SHOULD) or ``info`` (MAY).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from oneroster_conformance.exchange import Exchange
from oneroster_conformance.outcome import Outcome

__all__ = ["Exchange", "Outcome", "Result"]


@dataclass
class Result:
    requirement: str
    level: str
    area: str
    section: str
    normative: bool
    outcome: Outcome
    nodeid: str
    operation: str | None = None
    params: dict[str, str] = field(default_factory=dict)  # e.g. {"scope": "roster-core.readonly"}
    message: str = ""
    expected: str | None = None
    actual: str | None = None
    schema_path: str | None = None
    reading: str | None = None  # which reading of an ambiguous rule the provider followed
    evidence: list[Exchange] = field(default_factory=list)
    duration_s: float = 0.0
    requests: int = 0  # HTTP exchanges sent on the check's behalf while it ran
    # Filled by expectations: "expected-fail" when a known result matched, "stale" when it now passes
    expectation: str | None = None
    expectation_reason: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["outcome"] = self.outcome.value
        return d

    @property
    def key(self) -> str:
        """Stable identity across runs: requirement, operation and params."""
        extra = ",".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return "|".join(x for x in (self.requirement, self.operation or "", extra) if x)


def request_totals(results: list[Result], total: int) -> dict:
    """The footer's request counts: ``total`` sent by the run, the share sent on behalf of checks
    (by area, in the order areas first appear; by requirement, the costliest first) and the rest
    (the crawl, the preflight, tokens)."""
    by_area: dict[str, int] = {}
    for r in results:
        by_area[r.area] = by_area.get(r.area, 0) + r.requests
    checks = sum(by_area.values())
    return {"total": total, "checks": checks, "outside_checks": max(0, total - checks), "by_area": by_area,
            "by_requirement": requests_by_requirement(results)}


def requests_by_requirement(results: list[Result]) -> dict[str, int]:
    """Requests sent on behalf of each requirement's checks, the costliest first (none: left out)."""
    spent: dict[str, int] = {}
    for r in results:
        if r.requests:
            spent[r.requirement] = spent.get(r.requirement, 0) + r.requests
    return dict(sorted(spent.items(), key=lambda kv: (-kv[1], kv[0])))

