from __future__ import annotations

import xml.etree.ElementTree as ET

from report_samples import META, make, minimal_results, realistic_results

from oneroster_conformance.report.junit import write_junit
from oneroster_conformance.spec.requirements import catalogue


def cases(root):
    return {tc.get("name"): tc for tc in root.iter("testcase")}


def props(tc):
    return {p.get("name"): p.get("value") for p in tc.find("properties")}


def test_junit_structure_and_properties(tmp_path):
    p = write_junit(minimal_results(), tmp_path / "junit.xml", META)
    root = ET.parse(p).getroot()
    assert root.tag == "testsuites"
    suites = [s.get("name") for s in root.findall("testsuite")]
    assert suites == ["oneroster.transport", "oneroster.auth", "oneroster.scopes", "oneroster.pagination",
                      "oneroster.filter", "oneroster.sort", "oneroster.data"]
    cs = cases(root)
    cap = cs["pagination/no-silent-cap[getAllUsers,limit=5000]"]
    assert cap.get("classname") == "oneroster.pagination"
    pr = props(cap)
    assert pr["level"] == "MUST" and pr["operation"] == "getAllUsers" and pr["normative"] == "true"
    assert pr["section"] == catalogue()["pagination/no-silent-cap"].section
    failure = cap.find("failure")
    assert failure.get("message").startswith("limit=5000 returned 500")
    assert "expected: 5000 records" in failure.text and "curl -sS" in failure.text
    assert "***MASKED***" in failure.text
    # warn is only a note when the gate is not strict
    warn = cs["auth/token-expires-in"]
    assert warn.find("failure") is None and "WARN" in warn.find("system-out").text
    assert cs["filter/delta-sync[getAllUsers]"].find("skipped") is not None
    assert cs["data/datetime-utc[getAllClasses]"].find("error") is not None
    assert int(root.get("tests")) == 10 and int(root.get("failures")) == 3 and int(root.get("errors")) == 1


def test_strict_gate_makes_warnings_failures(tmp_path):
    p = write_junit(minimal_results(), tmp_path / "junit.xml", META, gate_levels={"MUST", "SHOULD"})
    root = ET.parse(p).getroot()
    assert cases(root)["auth/token-expires-in"].find("failure").get("type") == "SHOULD"
    assert int(root.get("failures")) == 5


def test_known_failures_are_skipped_and_text_is_escaped(tmp_path):
    rs = [make("pagination/window", "fail", "getAllUsers", expectation="expected-fail",
               expectation_reason="https://tracker.example/T-1"),
          make("errors/status-info-body", "fail", "getUser", message='<script>alert("x")</script> & \x01bell')]
    p = write_junit(rs, tmp_path / "junit.xml", META)
    raw = p.read_text()
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    root = ET.parse(p).getroot()  # parses: control characters were replaced
    cs = cases(root)
    assert "T-1" in cs["pagination/window[getAllUsers]"].find("skipped").get("message")
    assert cs["errors/status-info-body[getUser]"].find("failure").get("message").startswith('<script>alert("x")')


def test_realistic_junit_parses(tmp_path):
    root = ET.parse(write_junit(realistic_results(), tmp_path / "j.xml", META)).getroot()
    assert int(root.get("tests")) == len(realistic_results())
