"""Every output is a sink with the same three calls; a new format is one class."""

from __future__ import annotations

from oneroster_conformance.outcome import Outcome
from oneroster_conformance.report.expectations import Expectation
from oneroster_conformance.report.gate import decide
from oneroster_conformance.report.jsonl import validate_results_file
from oneroster_conformance.report.model import Result
from oneroster_conformance.run.sinks import RunInfo, Sink, default_sinks
from oneroster_conformance.run.sinks.expectations import ExpectationsSink
from oneroster_conformance.run.sinks.terminal import TerminalSink


def result(rid: str, outcome: Outcome) -> Result:
    area = rid.split("/")[0]
    return Result(requirement=rid, level="MUST", area=area, section="s", normative=True, outcome=outcome,
                  nodeid=f"suites/{area}.py::test")


class Counting:
    """A whole new output format: three methods."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self, run: RunInfo) -> None:
        self.calls.append("start")

    def add(self, result: Result) -> None:
        self.calls.append(result.outcome.value)

    def finish(self, run: RunInfo, decision, exit_status: int) -> None:
        self.calls.append(f"finish {exit_status}")


def feed(sinks: list[Sink], info: RunInfo, results: list[Result]) -> int:
    for s in sinks:
        s.start(info)
    for r in results:
        info.results.append(r)
        for s in sinks:
            s.add(r)
    decision = decide(info.results)
    for s in sinks:
        s.finish(info, decision, decision.exit_status)
    return decision.exit_status


def test_every_sink_takes_the_same_calls(tmp_path):
    lines: list[str] = []
    known = ExpectationsSink({"errors/unknown-object": Expectation("fail", "TICKET-1")}, str(tmp_path / "w.yaml"))
    terminal, counting = TerminalSink(lines.append), Counting()
    info = RunInfo(meta={"harness_version": "t", "catalogue_version": "1", "binding": "v1p2", "target": None,
                         "profile": None, "seed": "0", "evidence_mode": "full"}, report_dir=tmp_path,
                   area_totals={"pagination": 1, "errors": 1})
    status = feed([known, *default_sinks(), terminal, counting], info,
                  [result("pagination/window", Outcome.PASS), result("errors/unknown-object", Outcome.FAIL)])
    assert status == 0  # the failure is known: marked by the expectations sink before the others saw it
    assert counting.calls == ["start", "pass", "fail", "finish 0"]
    assert validate_results_file(tmp_path / "results.jsonl") == []
    assert (tmp_path / "report.html").exists() and (tmp_path / "junit.xml").exists()
    assert known.note() == f"wrote 1 entry (the current failures) to {(tmp_path / 'w.yaml').resolve()}."
    assert [x.split()[0] for x in lines] == ["pagination", "errors"]  # append-only: one line per finished area


def test_a_live_terminal_rewrites_one_line():
    shown: list[str] = []
    sink = TerminalSink(lambda line: shown.append("\n"), shown.append)
    sink.start(RunInfo(meta={}, report_dir=None, area_totals={"sort": 2}))  # type: ignore[arg-type]
    sink.add(result("sort/order", Outcome.PASS))
    sink.add(result("sort/order", Outcome.WARN))
    assert shown[0].startswith("checks 1/2, 0 broken") and shown[1].startswith("checks 2/2, 1 broken")
    sink.end_live()
    assert shown[-1] == "\n"
