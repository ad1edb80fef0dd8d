"""The gate end to end, as a user runs it against the reference provider (over HTTPS)."""

import json
import xml.etree.ElementTree as ET

import pytest

from oneroster_conformance import proof
from oneroster_conformance.report.jsonl import validate_results_file

SUBSET = ("-k", "errors or pagination_total or pagination_window")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certs")
    return folder, proof.certificates(folder)


def run(certs, name, faults=(), *args):
    folder, c = certs
    case = proof.Case(name, faults=tuple(faults))
    result = proof.run_case(case, folder, c, (*SUBSET, *args))
    reports = folder / name / "reports"
    return result, reports


def test_clean_run_writes_every_view_and_is_conformant(certs):
    result, reports = run(certs, "clean", (), "--alluredir", str(certs[0] / "clean-allure"))
    assert result.exit_status == 0
    assert validate_results_file(reports / "results.jsonl") == []
    assert "CONFORMANT" in (reports / "report.html").read_text() and "NOT CONFORMANT" not in \
        (reports / "report.html").read_text().split("</header>")[0]
    ET.parse(reports / "junit.xml")
    allure = list((certs[0] / "clean-allure").glob("*-result.json"))
    assert allure, "no Allure results written"
    sample = json.loads(allure[0].read_text())
    labels = {lb["name"]: lb["value"] for lb in sample["labels"]}
    assert labels.get("requirement") and labels.get("severity") in ("critical", "normal", "minor")


def test_should_only_fault_passes_the_gate_unless_strict(certs):
    result, _ = run(certs, "should", ("no-total-count",))
    assert result.outcomes["pagination/total-count-header"] == "warn" and result.exit_status == 0
    strict, _ = run(certs, "should-strict", ("no-total-count",), "--strict")
    assert strict.exit_status == 1


def test_must_fault_fails_with_evidence_then_expectations_adopt_and_go_stale(certs):
    folder = certs[0]
    expectations = folder / "expectations.yaml"
    result, reports = run(certs, "must", ("bad-404-body",), "--write-expectations", str(expectations))
    assert result.exit_status == 1 and result.outcomes["errors/unknown-object"] == "fail"
    html = (reports / "report.html").read_text()
    assert "NOT CONFORMANT" in html and "errors/unknown-object" in html and "curl -sS" in html
    assert "errors/unknown-object" in expectations.read_text()

    adopted, reports = run(certs, "must-expected", ("bad-404-body",), "--expectations", str(expectations))
    assert adopted.exit_status == 0
    lines = [json.loads(x) for x in (reports / "results.jsonl").read_text().splitlines()]
    marks = {x.get("expectation") for x in lines if x.get("requirement") == "errors/unknown-object"}
    assert marks == {"expected-fail"}

    fixed, reports = run(certs, "fixed", (), "--expectations", str(expectations))
    lines = [json.loads(x) for x in (reports / "results.jsonl").read_text().splitlines()]
    assert any(x.get("expectation") == "stale" for x in lines if x.get("type") == "result")
    assert "stale" in (reports / "report.html").read_text()
