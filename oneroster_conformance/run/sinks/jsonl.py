"""The JSON Lines record: written as the run goes (header, a line per result, footer)."""

from __future__ import annotations

from oneroster_conformance.report.gate import GateDecision
from oneroster_conformance.report.jsonl import ResultsWriter
from oneroster_conformance.report.model import Result, request_totals
from oneroster_conformance.run.sinks import RunInfo


class JsonLinesSink:
    def __init__(self) -> None:
        self.writer: ResultsWriter | None = None
        self.header: dict[str, object] = {}

    def start(self, run: RunInfo) -> None:
        self.writer = ResultsWriter(run.report_dir / "results.jsonl")
        self.header = self.writer.header(run.meta)
        run.meta = dict(self.header)  # the other views show the same started_at

    def add(self, result: Result) -> None:
        if self.writer is not None:
            self.writer.result(result)

    def finish(self, run: RunInfo, decision: GateDecision, exit_status: int) -> None:
        if self.writer is None:
            return
        footer = decision.to_footer()
        footer["exit_status"] = exit_status
        footer["requests"] = request_totals(run.results, run.requests_sent)
        footer["certificate"] = [v.to_dict() for v in run.certificate]
        if run.writes is not None and (run.writes.get("writes") or run.writes.get("cleanup")):
            footer["writes"] = run.writes  # every write made and whether its clean-up succeeded
        self.writer.footer(footer)
