"""Where results go. Every output is a sink with one small protocol: start, add, finish.

A new output format is one new module here with a class following :class:`Sink`, added to
:func:`default_sinks` (or to a run's sink list by the adapter, as Allure is).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from oneroster_conformance.report.gate import GateDecision
from oneroster_conformance.report.model import Result


@dataclass
class RunInfo:
    """What every sink may read about the run."""

    meta: dict[str, object]  # the JSON Lines header
    report_dir: Path
    gate_levels: set[str] = field(default_factory=lambda: {"MUST"})
    include_non_normative: bool = True
    results: list[Result] = field(default_factory=list)
    area_totals: dict[str, int] = field(default_factory=dict)
    certificate: list[Any] = field(default_factory=list)  # certificate.Verdict per 1.2 profile, at the end
    requests_sent: int = 0  # every request the run sent (checks, crawl, preflight, tokens), known at the end
    writes: dict[str, Any] | None = None  # the writes made and their clean-up (writes.session.Writes.summary)


class Sink(Protocol):
    def start(self, run: RunInfo) -> None: ...

    def add(self, result: Result) -> None: ...

    def finish(self, run: RunInfo, decision: GateDecision, exit_status: int) -> None: ...


def default_sinks() -> list[Sink]:
    """The files every run writes: the JSON Lines record, the HTML report and JUnit."""
    from oneroster_conformance.run.sinks.html import HtmlSink
    from oneroster_conformance.run.sinks.jsonl import JsonLinesSink
    from oneroster_conformance.run.sinks.junit import JUnitSink

    return [JsonLinesSink(), HtmlSink(), JUnitSink()]
