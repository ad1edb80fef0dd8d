"""Readiness end to end, as a district admin runs it: "will Claris work against our Aeries, and if
not, which box did we forget?" Each gap is a fault of the Aeries-flavoured reference provider."""

from __future__ import annotations

import pytest

from oneroster_conformance.provider.aeries import builtin_credentials
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import serve_in_thread

from ..v1p1.runs import run_suites

AERIES = ("--embedded-flavour", "aeries", "--readiness-only")


def _result(run, requirement: str, consumer: str, operation: str | None = None) -> dict:
    return next(r for r in run.results if r["requirement"] == requirement and r["params"].get("consumer") == consumer
                and (operation is None or r.get("operation") == operation))


def test_clean_aeries_is_ready_for_every_consumer(tmp_path):
    run = run_suites(tmp_path, *AERIES, "--readiness", "all", "--gate", "readiness")
    assert run.status == 0, run.output[-2000:]
    assert run.broken() == []
    assert {r["params"]["consumer"] for r in run.results if "step" not in r["params"]} == {
        "claris", "incidentiq", "illuminate"}
    flow = [r for r in run.results if r["requirement"] == "readiness/grade-passback"]  # 'all' includes the flow
    assert flow and all(r["outcome"] == "not-applicable" and "1.2" in r["message"] for r in flow)  # a 1.2 flow
    illuminate = _result(run, "readiness/consumer-api", "illuminate")
    assert illuminate["outcome"] == "info" and "API certificate" in illuminate["message"]
    assert _result(run, "readiness/consumer-api", "claris")["outcome"] == "pass"


def test_a_missing_terms_permission_names_the_box(tmp_path):
    run = run_suites(tmp_path, *AERIES, "--embedded-fault", "permission-missing-terms", "--readiness", "claris",
                     "--gate", "readiness")
    assert run.status == 1
    terms = _result(run, "readiness/operation-served", "claris", "getAllTerms")
    assert terms["outcome"] == "fail"
    assert terms["message"].startswith("Claris: /terms answered 403: in Aeries, Security → API Security → Claris → "
                                       "grant Read on School Information → Terms")
    assert "Claris: /terms answered 403: in Aeries" in run.output  # the terminal says it too
    assert _result(run, "readiness/operation-served", "claris", "getAllClasses")["outcome"] == "pass"


def test_the_record_missing_terms_against_a_running_aeries(tmp_path, aeries_with_relative_hrefs):
    """No fault at all: the district's Claris record simply lacks one box (a built-in record)."""
    consumer_id, secret, _ = builtin_credentials()["claris-missing-terms"]
    run = run_suites(tmp_path, "--profile", "aeries", "--district-host", aeries_with_relative_hrefs.origin,
                     "--client-id", consumer_id, "--readiness", "claris", "--readiness-only", secret=secret)
    assert run.status == 1
    terms = _result(run, "readiness/operation-served", "claris", "getAllTerms")
    assert "grant Read on School Information → Terms" in terms["message"]


def test_oneroster_unticked_on_the_record(tmp_path):
    run = run_suites(tmp_path, *AERIES, "--embedded-fault", "record-oneroster-off", "--readiness", "all")
    claris = _result(run, "readiness/consumer-connects", "claris")
    assert claris["outcome"] == "fail" and "tick OneRoster" in claris["message"]
    illuminate = _result(run, "readiness/consumer-connects", "illuminate")
    assert illuminate["outcome"] == "not-applicable" and "certificate" in illuminate["message"]


def test_teachers_without_email(tmp_path):
    run = run_suites(tmp_path, *AERIES, "--embedded-fault", "teachers-without-email", "--readiness", "claris")
    teachers = _result(run, "readiness/data-populated", "claris", "getAllTeachers")
    assert teachers["outcome"] == "fail" and "none of 10 record(s) carries 'email'" in teachers["message"]
    assert _result(run, "readiness/data-populated", "claris", "getAllStudents")["outcome"] == "pass"


@pytest.fixture(scope="module")
def aeries_with_relative_hrefs():
    with serve_in_thread(ProviderConfig(binding="v1p1", flavour="aeries", faults=frozenset({"relative-href"}))) as p:
        yield p


def test_profile_aeries_needs_only_host_id_and_secret(tmp_path, aeries_with_relative_hrefs):
    consumer_id, secret, _ = builtin_credentials()["claris"]
    run = run_suites(tmp_path, "--profile", "aeries", "--district-host", aeries_with_relative_hrefs.origin,
                     "--client-id", consumer_id, "--readiness", "claris", "--readiness-only", "--gate", "readiness",
                     secret=secret)
    assert run.status == 0, run.output[-3000:]  # Claris is ready
    assert run.results and {r["outcome"] for r in run.results} <= {"pass", "not-applicable"}
    assert run.header["target"] == aeries_with_relative_hrefs.base_url and run.header["binding"] == "v1p1"
    assert run.header["profile"] == "aeries"
    assert secret not in run.everything()


def test_known_aeries_behaviour_is_reported_and_explained(tmp_path, aeries_with_relative_hrefs):
    consumer_id, secret, _ = builtin_credentials()["conformance-all"]
    run = run_suites(tmp_path, "--profile", "aeries", "--district-host", aeries_with_relative_hrefs.origin,
                     "--client-id", consumer_id, "-k", "tls_required or href or token_issued or expires_in",
                     secret=secret)
    assert run.status == 1 and set(run.outcomes("transport/tls-required")) == {"fail"}  # http: reported
    href = next(r for r in run.results if r["requirement"] == "data/href-usable" and r["outcome"] == "warn")
    assert "~/admin/ims/oneroster/v1p1/" in href["message"]
    assert "Known aeries behaviour: Aeries is reported to send relative hrefs" in href["message"]
    issued = next(r for r in run.results if r["requirement"] == "auth/token-issued")
    assert issued["outcome"] == "pass" and "ARRAffinity" in issued["reading"] and "Known aeries" in issued["message"]
    expiry = next(r for r in run.results if r["requirement"] == "auth/token-expires-in")
    assert "21600" in expiry["reading"]
    assert secret not in run.everything()


@pytest.mark.parametrize("args, sentence", [
    (("--gate", "readiness"), "--gate readiness needs --readiness"),
    (("--readiness", "nobody"), "names no consumer"),
    (("--readiness-only",), "--readiness-only needs --readiness"),
    (("--profile", "aeries"), "needs your district's API host: pass --district-host"),
    (("--profile", "aeries", "--district-host", "http://sis.example.org"), "http:// is accepted only for a server"),
    (("--profile", "aeries", "--district-host", "my district"), "is not a host name"),
    (("--profile", "no-such-profile"), "bundled profile: aeries"),
])
def test_bad_readiness_and_profile_options_get_one_sentence(tmp_path, args, sentence):
    run = run_suites(tmp_path, *args, "--client-id", "x", "-k", "nothing", secret="s3cret-value")
    assert run.status == 4, run.output[-1500:]
    assert sentence in run.output and "Traceback" not in run.output
