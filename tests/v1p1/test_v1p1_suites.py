"""The suites, unchanged, on the 1.1 binding: clean on the reference provider's Aeries flavour,
1.2-only requirements not applicable with the reason, and OAuth 1.0a signing end to end."""

from __future__ import annotations

import pytest

from oneroster_conformance.spec.requirements import catalogue

from .runs import run_suites


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    return run_suites(tmp_path_factory.mktemp("clean-v1p1"), "--embedded-flavour", "aeries", "--readiness", "all")


def test_clean_1p1_aeries_run_has_no_false_alarm(clean_run):
    assert clean_run.status == 0, clean_run.output[-3000:]
    assert clean_run.broken() == [], [(r["requirement"], r.get("message")) for r in clean_run.broken()][:5]


def test_1p2_only_requirements_are_not_applicable_with_the_reason(clean_run):
    only_1p2 = [r.id for r in catalogue() if r.bindings == ("v1p2",)]
    assert {"discovery/openapi-file", "data/primary-role", "data/enum-extension"} <= set(only_1p2)
    for rid in only_1p2:
        outcomes = clean_run.outcomes(rid)
        assert outcomes and set(outcomes) == {"not-applicable"}, (rid, outcomes)
        assert all("OneRoster 1.2 requirement" in m for m in clean_run.messages(rid)), rid


def test_shared_rules_really_ran_on_1p1(clean_run):
    for rid in ("operations/response-schema", "filter/predicates", "pagination/complete-walk", "data/nested-matches",
                "errors/unknown-object", "auth/token-issued", "data/typed-collection"):
        assert "pass" in clean_run.outcomes(rid), rid


def test_scope_matrix_runs_on_1p1_with_the_1p1_scopes(clean_run):
    # The Aeries flavour requires scopes and grants the 1.1 URIs: the matrix is judged, not skipped.
    for rid in ("scopes/grant", "scopes/deny", "scopes/exact-match", "auth/token-scope-granted"):
        assert set(clean_run.outcomes(rid)) == {"pass"}, (rid, clean_run.outcomes(rid))
    cells = [r for r in clean_run.results if r["requirement"] == "scopes/grant"]
    assert {r["params"]["scope"] for r in cells} == {"roster.readonly", "roster-core.readonly",
                                                     "roster-demographics.readonly"}
    auth = clean_run.header["authentication"]
    assert auth["scopes_source"] == "default" and all("/v1p1/scope/" in s for s in auth["scopes_requested"])


def test_readiness_is_its_own_area_in_the_html_report(clean_run):
    html = (clean_run.report_dir / "report.html").read_text(encoding="utf-8")
    assert "Readiness" in html and "readiness/operation-served" in html
    assert "Aeries API certificate" in html or "certificate" in html  # Illuminate's plain statement


def test_oauth1_run_signs_every_request(tmp_path):
    run = run_suites(tmp_path, "--auth", "oauth1", "-k", "token or auth or operations_success or unknown_object")
    assert run.status == 0, run.output[-3000:]
    assert set(run.outcomes("auth/token-issued")) == {"not-applicable"}
    assert all("OAuth 1.0a" in m for m in run.messages("auth/token-issued"))
    assert set(run.outcomes("operations/success")) == {"pass"}
    assert set(run.outcomes("auth/token-required")) == {"pass"}  # unsigned requests are refused
    assert set(run.outcomes("scopes/deny")) <= {"not-applicable"}  # no OAuth 2 scopes under OAuth 1.0a signing


def test_oauth1_is_a_1p1_option_only(tmp_path):
    run = run_suites(tmp_path, "--auth", "oauth1", "--binding", "v1p2", "-k", "base_path")
    assert run.status == 4
    assert "OneRoster 1.1 option" in run.output and "Traceback" not in run.output
