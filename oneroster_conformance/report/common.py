"""Small shared vocabulary of the report views: area order and titles (from the catalogue), case names."""

from __future__ import annotations

from collections.abc import Iterable

from oneroster_conformance.outcome import OUTCOMES, Outcome, worst
from oneroster_conformance.report.model import Result
from oneroster_conformance.spec.requirements import catalogue

__all__ = ["OUTCOMES", "Outcome", "area_title", "areas", "case_name", "ordered_areas", "worst"]


def areas() -> tuple[str, ...]:
    """The spec areas in the order every view presents them (declared in the requirement catalogue)."""
    return tuple(a.id for a in catalogue().areas)


def area_title(area_id: str) -> str:
    area = catalogue().area(area_id)
    return area.title if area else area_id.title()


def ordered_areas(present: Iterable[str]) -> list[str]:
    """The fixed area order, then any area the catalogue does not know (alphabetically)."""
    present = set(present)
    known = areas()
    return [a for a in known if a in present] + sorted(present - set(known))


def case_name(r: Result) -> str:
    """``requirement[operation,k=v]`` - the name a result goes by in JUnit and the terminal."""
    parts = ([r.operation] if r.operation else []) + [f"{k}={v}" for k, v in sorted(r.params.items())]
    return f"{r.requirement}[{','.join(parts)}]" if parts else r.requirement
