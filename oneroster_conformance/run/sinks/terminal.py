"""The terminal view: progress while the run goes, the summary table and the verdict at its end.

On a terminal the progress is one live line, rewritten as checks complete (counts, failures, elapsed
time); elsewhere (a pipe, a file, CI=true) it is plain append-only lines, one per area as it completes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from oneroster_conformance.report.gate import GateDecision
from oneroster_conformance.report.model import Result
from oneroster_conformance.report.terminal import costliest_line, progress_line, summary_table, verdict_line
from oneroster_conformance.run.sinks import RunInfo


class TerminalSink:
    def __init__(self, write_line: Callable[[str], None], rewrite: Callable[[str], None] | None = None) -> None:
        self.write_line = write_line
        self.rewrite = rewrite  # None: not a live terminal, append-only lines
        self.totals: dict[str, int] = {}
        self.done: dict[str, list[int]] = {}  # area -> [done, problems]
        self.started = time.monotonic()
        self.live_shown = False

    def start(self, run: RunInfo) -> None:
        self.totals = dict(run.area_totals)
        self.started = time.monotonic()

    def add(self, result: Result) -> None:
        done = self.done.setdefault(result.area, [0, 0])
        done[0] += 1
        done[1] += result.outcome.is_problem
        if self.rewrite is not None:
            self.rewrite(self.live_line(result.area))
            self.live_shown = True
        elif done[0] == self.totals.get(result.area):
            self.write_line(progress_line(result.area, done[0], self.totals[result.area], done[1]))

    def live_line(self, area: str) -> str:
        n = sum(d[0] for d in self.done.values())
        total = sum(self.totals.values())
        problems = sum(d[1] for d in self.done.values())
        a_done, a_problems = self.done.get(area, [0, 0])
        return (f"checks {n}/{total}, {problems} broken or errored | {area} {a_done}/{self.totals.get(area, 0)}"
                f"{f', {a_problems} broken' if a_problems else ''} | {time.monotonic() - self.started:.1f} s")

    def end_live(self) -> None:
        """Leave the live line in place (its last state) and move to a fresh line."""
        if self.live_shown:
            self.write_line("")
            self.live_shown = False

    def finish(self, run: RunInfo, decision: GateDecision, exit_status: int) -> None:
        self.end_live()

    @staticmethod
    def summary(results: list[Result]) -> str:
        costliest = costliest_line(results)
        return summary_table(results) + (f"\n{costliest}" if costliest else "")

    @staticmethod
    def verdict(decision: GateDecision, report: Path, color: bool = False) -> str:
        return verdict_line(decision, report, color=color)
