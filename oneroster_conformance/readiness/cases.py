"""Readiness as a plug-in of the run: the consumers (and the operations each reads) chosen by --readiness."""

from __future__ import annotations

from collections.abc import Iterable

from oneroster_conformance.readiness.consumers import ReadCase, selected

Parametrization = tuple[str, list[object], list[str]]


def readiness_cases(fixturenames: Iterable[str], choice: str | None) -> list[Parametrization]:
    """The parametrizations of the readiness fixtures a check asks for; nothing without --readiness."""
    names = set(fixturenames)
    chosen = selected(choice)
    out: list[Parametrization] = []
    if "readiness_consumer" in names:
        out.append(("readiness_consumer", list(chosen), [c.name for c in chosen]))
    for name, need_data_only in (("readiness_read", False), ("readiness_need", True)):
        if name in names:
            reads = [ReadCase(c, r) for c in chosen for r in c.reads if r.needs_data or not need_data_only]
            out.append((name, list(reads), [rc.case_id for rc in reads]))
    return out
