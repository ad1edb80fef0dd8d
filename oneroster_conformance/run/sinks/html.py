"""The self-contained HTML report, written when the run ends."""

from __future__ import annotations

from oneroster_conformance.report.gate import GateDecision
from oneroster_conformance.report.html import write_html
from oneroster_conformance.report.model import Result
from oneroster_conformance.run.sinks import RunInfo
from oneroster_conformance.spec.requirements import catalogue


class HtmlSink:
    def start(self, run: RunInfo) -> None:
        pass

    def add(self, result: Result) -> None:
        pass

    def finish(self, run: RunInfo, decision: GateDecision, exit_status: int) -> None:
        write_html(run.results, run.report_dir / "report.html", run.meta, decision, catalogue())
