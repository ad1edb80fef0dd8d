"""Small shared vocabulary of the report views: area order, outcome order, symbols, display names."""

from __future__ import annotations

from collections.abc import Iterable

from oneroster_conformance.report.model import Outcome, Result

#: spec areas in the order every view presents them
AREAS = ("transport", "security", "scopes", "discovery", "operations", "errors",
         "pagination", "filter", "sort", "fields", "data", "readiness")
AREA_TITLES = {
    "transport": "Transport security", "security": "Authorization", "scopes": "Scopes",
    "discovery": "Service discovery", "operations": "Operations", "errors": "Error responses",
    "pagination": "Pagination", "filter": "Filtering", "sort": "Sorting", "fields": "Field selection",
    "data": "Data model", "readiness": "Readiness",
}
#: outcomes in display order
OUTCOMES = (Outcome.PASS, Outcome.FAIL, Outcome.WARN, Outcome.INFO, Outcome.NOT_APPLICABLE, Outcome.ERRORED)
#: how bad an outcome is, for "worst of" and for diffs (0 = nothing wrong)
SEVERITY = {Outcome.PASS: 0, Outcome.NOT_APPLICABLE: 0, Outcome.INFO: 1, Outcome.WARN: 2,
            Outcome.ERRORED: 3, Outcome.FAIL: 4}
SYMBOL = {Outcome.PASS: "✓", Outcome.FAIL: "✗", Outcome.WARN: "!", Outcome.INFO: "i",
          Outcome.NOT_APPLICABLE: "–", Outcome.ERRORED: "?"}
LABEL = {Outcome.PASS: "pass", Outcome.FAIL: "fail", Outcome.WARN: "warn", Outcome.INFO: "info",
         Outcome.NOT_APPLICABLE: "n/a", Outcome.ERRORED: "errored"}


def ordered_areas(present: Iterable[str]) -> list[str]:
    """The fixed area order, then any area the catalogue does not know yet (alphabetically)."""
    present = set(present)
    return [a for a in AREAS if a in present] + sorted(present - set(AREAS))


def worst(outcomes: Iterable[Outcome]) -> Outcome | None:
    outs = list(outcomes)
    return max(outs, key=lambda o: SEVERITY[o]) if outs else None


def case_name(r: Result) -> str:
    """``requirement[operation,k=v]`` - the name a result goes by in JUnit and the terminal."""
    parts = ([r.operation] if r.operation else []) + [f"{k}={v}" for k, v in sorted(r.params.items())]
    return f"{r.requirement}[{','.join(parts)}]" if parts else r.requirement
