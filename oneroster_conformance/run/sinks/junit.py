"""JUnit XML for CI systems, written when the run ends."""

from __future__ import annotations

from oneroster_conformance.report.gate import GateDecision
from oneroster_conformance.report.junit import write_junit
from oneroster_conformance.report.model import Result
from oneroster_conformance.run.redact_result import sanitize
from oneroster_conformance.run.sinks import RunInfo


class JUnitSink:
    def start(self, run: RunInfo) -> None:
        pass

    def add(self, result: Result) -> None:
        pass

    def finish(self, run: RunInfo, decision: GateDecision, exit_status: int) -> None:
        write_junit(run.results, run.report_dir / "junit.xml", run.meta, gate_levels=run.gate_levels,
                    include_non_normative=run.include_non_normative, gate=sanitize)
