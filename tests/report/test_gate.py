from __future__ import annotations

import pytest
from report_samples import make

from oneroster_conformance.report.gate import decide


def test_must_failure_fails_the_gate():
    d = decide([make("transport/tls-required", "pass"), make("pagination/window", "fail", "getAllUsers"),
                make("pagination/no-silent-cap", "fail", "getAllUsers")])
    assert d.exit_status == 1 and not d.conformant and d.verdict == "NOT CONFORMANT"
    assert d.reason.startswith(
        "NOT CONFORMANT: 2 MUST requirements failed (pagination/window, pagination/no-silent-cap)")
    assert d.reason.endswith("; exit status 1.") and ". " not in d.reason  # one sentence
    assert d.blocking == ["pagination/window|getAllUsers", "pagination/no-silent-cap|getAllUsers"]


def test_should_warning_does_not_gate_unless_strict():
    rs = [make("transport/tls-required", "pass"), make("auth/token-expires-in", "warn"),
          make("pagination/total-count-header", "warn", "getAllUsers")]
    d = decide(rs)
    assert d.exit_status == 0 and d.conformant
    assert d.reason == ("CONFORMANT: every MUST requirement checked passed; 2 SHOULD warnings do not gate this "
                        "run (use --gate-should); exit status 0.")
    strict = decide(rs, gate_levels={"MUST", "SHOULD"})
    assert strict.exit_status == 1 and not strict.conformant and strict.strict
    assert "2 SHOULD requirements warned" in strict.reason and "--strict" in strict.reason


def test_errored_fails_the_gate_unless_told_otherwise():
    rs = [make("transport/tls-required", "pass"), make("data/unique-ids", "errored", message="timeout")]
    d = decide(rs)
    assert d.exit_status == 1 and not d.conformant and "1 check errored (data/unique-ids)" in d.reason
    lenient = decide(rs, fail_on_errored=False)
    assert lenient.exit_status == 0 and "errored check ignored" in lenient.reason


def test_expected_failure_passes_the_gate_but_is_not_called_conformant():
    rs = [make("transport/tls-required", "pass"),
          make("pagination/window", "fail", "getAllUsers", expectation="expected-fail", expectation_reason="T-1")]
    d = decide(rs)
    assert d.exit_status == 0 and not d.conformant
    assert "known from the expectations file" in d.reason and d.known == ["pagination/window|getAllUsers"]


def test_stale_expectation_is_mentioned():
    rs = [make("transport/tls-required", "pass", expectation="stale", expectation_reason="T-2")]
    d = decide(rs)
    assert d.exit_status == 0 and d.conformant and "now passes: update the expectations file." in d.reason


def test_non_normative_can_be_left_out():
    rs = [make("transport/tls-required", "pass"), make("pagination/complete-walk", "fail", "getAllUsers")]
    assert not rs[1].normative
    assert decide(rs).exit_status == 1
    d = decide(rs, include_non_normative=False)
    assert d.exit_status == 0 and d.conformant and "NOT NORMATIVE sections excluded" in d.reason


def test_no_results_is_not_conformant():
    d = decide([])
    assert d.exit_status == 1 and not d.conformant


def test_unknown_level_is_refused():
    with pytest.raises(ValueError):
        decide([], gate_levels={"SHALL"})


def test_footer_part():
    f = decide([make("transport/tls-required", "pass")], gate_levels=["should", "MUST"]).to_footer()
    assert f["exit_status"] == 0 and f["verdict"] == "CONFORMANT" and f["gate"]["levels"] == ["MUST", "SHOULD"]
