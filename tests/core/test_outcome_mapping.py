"""Outcome mapping as a pure function: a finished check and its requirement give exactly one Result."""

from __future__ import annotations

import pytest

from oneroster_conformance.checks import NA_PREFIX, NonConformance
from oneroster_conformance.outcome import OUTCOMES, Outcome, worst
from oneroster_conformance.run.cases import case_fields
from oneroster_conformance.run.outcomes import Finished, explain, shown_as_passed, to_result
from oneroster_conformance.spec.operations import ALL_SCOPES, Scope, ScopeCase, operations
from oneroster_conformance.spec.requirements import Requirement


def req(level: str = "MUST") -> Requirement:
    return Requirement(id="pagination/window", level=level, area="pagination", section="s", summary="a rule",
                       bindings=("v1p2",), consequence="records are missed")


def done(**kw) -> Finished:
    return Finished(**{"nodeid": "suites/x.py::test", "when": "call", "passed": False, "skipped": False, **kw})


@pytest.mark.parametrize("level,expected", [("MUST", Outcome.FAIL), ("SHOULD", Outcome.WARN), ("MAY", Outcome.INFO)])
def test_a_broken_rule_takes_its_outcome_from_the_level(level, expected):
    exc = NonConformance("wrong page", expected="5 records", actual="4 records", schema_path="/users")
    r = to_result(req(level), done(exc=exc))
    assert r.outcome is expected and r.message == "wrong page"
    assert (r.expected, r.actual, r.schema_path) == ("5 records", "4 records", "/users")


def test_pass_keeps_no_evidence_and_skip_is_not_applicable_with_its_reason():
    assert to_result(req(), done(passed=True, evidence=["x"])).outcome is Outcome.PASS  # type: ignore[list-item]
    r = to_result(req(), done(skipped=True, skip_reason="Skipped: " + NA_PREFIX + "no grading periods"))
    assert r.outcome is Outcome.NOT_APPLICABLE and r.message == "no grading periods" and r.evidence == []


def test_anything_else_is_errored_never_a_failure():
    assert to_result(req(), done(exc=KeyError("x"))).outcome is Outcome.ERRORED
    assert to_result(req(), done(when="setup", exc=AssertionError("in a fixture"))).outcome is Outcome.ERRORED
    assert to_result(req(), done()).message == "the check could not run"


def test_known_behaviour_explains_a_finding_but_not_a_pass():
    broken = to_result(req(), done(exc=AssertionError("nulls")), known="Aeries sends null", known_label="aeries")
    assert broken.message.endswith("Known aeries behaviour: Aeries sends null")
    assert to_result(req(), done(passed=True), known="Aeries sends null").message == ""


def test_explain_and_display():
    r = to_result(req("SHOULD"), done(exc=AssertionError("late")))
    text = explain(r, req("SHOULD")) or ""
    assert "pagination/window [SHOULD]" in text and "consequence: records are missed" in text
    assert shown_as_passed(r) and explain(to_result(req(), done(passed=True)), req()) is None


def test_cases_describe_themselves():
    op = operations("v1p2")[0]
    cell = ScopeCase(ALL_SCOPES[1], op)
    assert case_fields({"operation": op}) == (op.operation_id, {})
    assert case_fields({"scope_grant": cell}) == (op.operation_id, {"scope": "roster-core.readonly"})
    assert case_fields({"scope": Scope(ALL_SCOPES[0]), "kind": "made-up", "n": 3, "row": {"a": 1}}) == (
        None, {"scope": "roster.readonly", "kind": "made-up", "n": "3"})


def test_one_worst_order_with_fail_worst():
    assert worst([Outcome.ERRORED, Outcome.FAIL, Outcome.WARN]) is Outcome.FAIL
    assert worst([Outcome.PASS, Outcome.NOT_APPLICABLE, Outcome.INFO]) is Outcome.INFO
    assert worst([]) is None
    assert [Outcome.broken(lv) for lv in ("MUST", "SHOULD", "MAY")] == [Outcome.FAIL, Outcome.WARN, Outcome.INFO]
    assert {o.symbol for o in OUTCOMES} and len({o.pytest_status[1] for o in OUTCOMES}) == len(OUTCOMES)
    with pytest.raises(ValueError):
        Outcome.broken("OUGHT")


@pytest.mark.parametrize("error,words", [
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)",
     ["self-signed", "--ca-bundle", "SSL_CERT_FILE"]),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate",
     ["a CA this machine does not know", "--ca-bundle"]),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)",
     ["has expired", "the provider must fix it"]),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid",
     ["another host name"]),
])
def test_tls_failures_name_the_cause_and_the_option(error, words):
    from oneroster_conformance.harness import tls_sentence

    sentence = tls_sentence(error) or ""
    assert "_ssl.c" not in sentence
    for word in words:
        assert word in sentence
    assert tls_sentence("connection refused") is None
