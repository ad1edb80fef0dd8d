from __future__ import annotations

import pytest
from report_samples import make, minimal_results

from oneroster_conformance.report.expectations import apply, load_expectations, write_expectations
from oneroster_conformance.report.gate import decide


def write(tmp_path, text):
    p = tmp_path / "expectations.yaml"
    p.write_text(text)
    return p


def test_apply_marks_expected_and_stale(tmp_path):
    p = write(tmp_path, """
expectations:
  pagination/no-silent-cap: {outcome: fail, reason: "https://tracker.example/T-1"}
  "scopes/deny|getAllDemographics|scope=https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly":
    outcome: fail
    reason: "https://tracker.example/T-2"
  transport/tls-required: {outcome: fail, reason: "https://tracker.example/T-3"}
  auth/token-expires-in: {outcome: fail, reason: "T-4"}
  sort/order: {outcome: warn, reason: "T-5"}
""")
    exp = load_expectations(p)
    results = minimal_results()
    unused = apply(results, exp)
    by = {r.key: r for r in results}
    cap = by["pagination/no-silent-cap|getAllUsers|limit=5000"]
    assert cap.expectation == "expected-fail" and cap.expectation_reason == "https://tracker.example/T-1"
    deny = next(r for r in results if r.requirement == "scopes/deny")
    assert deny.expectation == "expected-fail"
    tls = by["transport/tls-required"]
    assert tls.expectation == "stale" and tls.expectation_reason == "https://tracker.example/T-3"
    # expected fail, got warn: not excused, gates as usual
    assert by["auth/token-expires-in"].expectation is None
    assert unused == ["transport/tls-required", "auth/token-expires-in", "sort/order"]
    d = decide(results)
    assert "auth/token-no-store" in d.reason and d.exit_status == 1
    assert len(d.known) == 2 and d.stale == ["transport/tls-required"]


def test_apply_result_by_result_equals_apply_at_once(tmp_path):
    exp = load_expectations(write(tmp_path, "expectations:\n  pagination/window: {outcome: fail, reason: T}\n"))
    rs1 = [make("pagination/window", "pass", "getAllUsers"), make("pagination/window", "fail", "getAllOrgs")]
    rs2 = [make("pagination/window", "pass", "getAllUsers"), make("pagination/window", "fail", "getAllOrgs")]
    apply(rs1, exp)
    for r in rs2:
        apply([r], exp)
    assert [r.expectation for r in rs1] == [r.expectation for r in rs2] == [None, "expected-fail"]


@pytest.mark.parametrize("text, words", [
    ("- a\n- b\n", "single key 'expectations'"),
    ("expectations: [1, 2]\n", "must map"),
    ("expectations:\n  x/y: fail\n", "must be a mapping"),
    ("expectations:\n  x/y: {outcome: pass, reason: T}\n", "outcome must be one of"),
    ("expectations:\n  x/y: {outcome: fail}\n", "'reason' is required"),
    ("expectations:\n  x/y: {outcome: fail, reason: T, until: 2025}\n", "unknown field"),
    ("expectations: {x: [\n", "not valid YAML"),
])
def test_bad_shapes_are_clear(tmp_path, text, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        load_expectations(write(tmp_path, text))


def test_empty_file_is_no_expectations(tmp_path):
    assert load_expectations(write(tmp_path, "")) == {}


def test_write_then_load_then_apply_excuses_every_current_failure(tmp_path):
    results = minimal_results()
    p = tmp_path / "out" / "expectations.yaml"
    n = write_expectations(results, p)
    assert n == 6  # 3 fail, 2 warn, 1 errored
    text = p.read_text()
    assert "TODO: link a ticket" in text and text.startswith("#")
    exp = load_expectations(p)
    assert all(e.reason == "TODO: link a ticket" for e in exp.values())
    assert apply(results, exp) == []
    d = decide(results, gate_levels={"MUST", "SHOULD"})
    assert d.exit_status == 0 and not d.conformant
    # a second write keeps the reasons already given
    exp2 = {k: type(e)(e.outcome, "https://tracker.example/T-9") for k, e in exp.items()}
    apply(results, exp2)
    write_expectations(results, p)
    assert all(e.reason == "https://tracker.example/T-9" for e in load_expectations(p).values())
