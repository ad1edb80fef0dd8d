"""Allure (with --alluredir): the masked evidence of every broken rule attached to its test."""

from __future__ import annotations

from oneroster_conformance.report import allure_view
from oneroster_conformance.report.gate import GateDecision
from oneroster_conformance.report.model import Result
from oneroster_conformance.run.sinks import RunInfo


class AllureSink:
    def start(self, run: RunInfo) -> None:
        pass

    def add(self, result: Result) -> None:
        allure_view.attach(result)

    def finish(self, run: RunInfo, decision: GateDecision, exit_status: int) -> None:
        pass
