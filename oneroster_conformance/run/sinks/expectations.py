"""Expectations: marks each result against the known-results file as it arrives (before the record is
written), and writes a starting file with --write-expectations when the run ends."""

from __future__ import annotations

from pathlib import Path

from oneroster_conformance.report.expectations import Expectation, apply, write_expectations
from oneroster_conformance.report.gate import GateDecision
from oneroster_conformance.report.model import Result
from oneroster_conformance.run.sinks import RunInfo


class ExpectationsSink:
    def __init__(self, known: dict[str, Expectation], write_to: str | None = None) -> None:
        self.known = known
        self.write_to = write_to
        self.written: tuple[Path, int] | None = None

    def start(self, run: RunInfo) -> None:
        pass

    def add(self, result: Result) -> None:
        if self.known:
            apply([result], self.known)

    def finish(self, run: RunInfo, decision: GateDecision, exit_status: int) -> None:
        if self.write_to:
            n = write_expectations(run.results, self.write_to)
            self.written = (Path(self.write_to).resolve(), n)

    def note(self) -> str | None:
        """The sentence saying what --write-expectations wrote."""
        if self.written is None:
            return None
        path, n = self.written
        return f"wrote {n} {'entry' if n == 1 else 'entries'} (the current failures) to {path}."
