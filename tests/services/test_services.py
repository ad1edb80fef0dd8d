"""The Gradebook and Resources services: routing, settings, what a provider offers, the certificate,
and the reference provider's nested gradebook reads."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from oneroster_conformance.certificate import PROFILES, Offer, verdicts
from oneroster_conformance.client.configure import resolve
from oneroster_conformance.client.http import service_of_path
from oneroster_conformance.client.settings import ConfigError, Settings
from oneroster_conformance.harness import Harness, load_builtin_clients
from oneroster_conformance.provider.app import create_app
from oneroster_conformance.provider.auth import load_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import serve_in_thread
from oneroster_conformance.report.model import Outcome, Result
from oneroster_conformance.spec.operations import EVERY_READ_SCOPE, SERVICE_ROOTS

GRADEBOOK = SERVICE_ROOTS["gradebook"]


def test_paths_route_to_their_service():
    assert service_of_path("/lineItems") == "gradebook"
    assert service_of_path("/classes/c%2F1/lineItems/li-1/results?limit=1") == "gradebook"
    assert service_of_path("/classes/c1/students/s1/results") == "gradebook"
    assert service_of_path("/users/u1/resources") == "resources"
    assert service_of_path("/classes/c1/students") is None  # Rostering
    assert service_of_path("/users") is None
    assert service_of_path("/lineItemsX") is None


def test_service_roots_default_to_the_rostering_origin_and_can_be_given():
    s = Settings(base_url="https://sis.example.org/district7/ims/oneroster/rostering/v1p2")
    assert s.service_root("gradebook") == "https://sis.example.org/district7/ims/oneroster/gradebook/v1p2"
    assert s.service_root("resources") == "https://sis.example.org/district7/ims/oneroster/resources/v1p2"
    s.resources_url = "https://content.example.org/ims/oneroster/resources/v1p2/"
    assert s.service_root("resources") == "https://content.example.org/ims/oneroster/resources/v1p2"
    assert s.checked_services == ("rostering", "gradebook", "resources")
    s.services = "resources"
    assert s.checked_services == ("rostering", "resources")


@pytest.mark.parametrize("option", [{"services": "rostering,grades"}, {"require": "gradebook-sync"},
                                    {"gradebook_url": "ftp://x/ims/oneroster/gradebook/v1p2"}])
def test_bad_service_options_are_one_sentence(option):
    with pytest.raises(ConfigError, match="--"):
        resolve(option, environ={})


def _harness(config: ProviderConfig, **extra):
    provider = serve_in_thread(config)
    main = load_builtin_clients()["conformance-all"]
    settings = resolve({"base_url": provider.base_url, "token_url": provider.token_url, "client_id": main.client_id,
                        "client_secret": main.client_secret, "rate_limit": 0, **extra}, environ={})
    return provider, Harness(settings)


def test_a_rostering_only_provider_offers_nothing_else_with_evidence():
    provider, harness = _harness(ProviderConfig(services=frozenset({"rostering"})), require="resources")
    try:
        offers = harness.offers
        assert {u: o.offered for u, o in offers.items()} == {"gradebook-pull": False, "assessment-results": False,
                                                               "resources": False}
        assert "/ims/oneroster/gradebook/v1p2/lineItems answered 404" in offers["gradebook-pull"].evidence
        assert "no discovery file" in offers["resources"].evidence
        assert offers["resources"].required and not offers["gradebook-pull"].required
        services = {op.service for op in harness.operations}
        assert services == {"rostering", "resources"}  # a required profile is checked (and fails) anyway
    finally:
        harness.close()
        provider.stop()


def test_the_reference_provider_offers_every_profile():
    provider, harness = _harness(ProviderConfig())
    try:
        assert all(o.offered for o in harness.offers.values()), harness.offers
        assert "discovery file" in harness.offers["resources"].evidence
        assert len(harness.operations) == 41 + 19 + 5
        reply = harness.client.get("/lineItems", {"limit": 1})  # routed to the Gradebook root, gradebook scopes
        assert reply.status == 200 and reply.url.startswith(provider.base_url.replace("rostering", "gradebook"))
    finally:
        harness.close()
        provider.stop()


def _result(op: str, req: str, outcome: Outcome, level: str = "MUST") -> Result:
    return Result(requirement=req, level=level, area="operations", section="s", normative=True, outcome=outcome,
                  nodeid=f"x[{op}]", operation=op)


def test_certificate_verdicts():
    ops = [op.operation_id for p in PROFILES.values() for op in p.operations()]
    results = [_result(op, "operations/success", Outcome.PASS) for op in ops]
    results.append(_result("getLineItem", "operations/response-schema", Outcome.FAIL))
    offers = {"gradebook-pull": Offer("gradebook-pull", True, "200"),
              "assessment-results": Offer("assessment-results", False, "GET /assessmentLineItems answered 404"),
              "resources": Offer("resources", False, "answered 404", required=True)}
    got = {v.profile.name: v for v in verdicts(results, offers, frozenset({"resources"}),
                                               ("rostering", "gradebook", "resources"),
                                               lambda oid: oid != "getAllOrgs")}
    assert got["rostering"].status == "CONFORMANT"
    assert got["rostering-core"].status == "NOT CONFORMANT"  # getAllOrgs answered without data
    assert "getAllOrgs: no data" in got["rostering-core"].failed
    assert got["gradebook-pull"].status == "NOT CONFORMANT"
    assert got["assessment-results"].status == "NOT OFFERED"
    assert got["resources"].status == "REQUIRED BUT NOT OFFERED"
    assert len(PROFILES["rostering-core"].operations()) == 22


def test_gradebook_push_is_judged_on_the_write_checks():
    writes = [op.operation_id for op in PROFILES["gradebook-push"].operations()]
    assert len(writes) == 16  # 6 PUT, 4 POST, 6 DELETE of both Gradebook profiles
    offers = {"gradebook-pull": Offer("gradebook-pull", True, "200")}
    three = ("rostering", "gradebook", "resources")

    def push(outcomes: dict[str, Outcome], offer=offers):
        results = [_result(op, "gradebook-write/put-reads-back", outcomes.get(op, Outcome.PASS)) for op in writes]
        return {v.profile.name: v for v in verdicts(results, offer, frozenset(), three)}["gradebook-push"]

    assert push({}).status == "CONFORMANT"
    assert push({"deleteLineItem": Outcome.FAIL}).status == "NOT CONFORMANT"
    off = push({op: Outcome.NOT_APPLICABLE for op in writes})  # writes off: every write check not applicable
    assert off.status == "NOT CHECKED" and "--allow-writes" in off.detail
    assert push({}, {"gradebook-pull": Offer("gradebook-pull", False, "404")}).status == "NOT OFFERED"
    partly = push({op: Outcome.NOT_APPLICABLE for op in writes if "Assessment" in op})  # 4 of them
    assert partly.status == "CONFORMANT" and partly.detail.startswith("12 of 16")


@pytest.fixture(scope="module")
def gradebook():
    client = TestClient(create_app(ProviderConfig()))
    cl = load_clients()["conformance-all"]
    token = client.post("/token", data={"grant_type": "client_credentials", "scope": " ".join(EVERY_READ_SCOPE)},
                        auth=(cl.client_id, cl.client_secret)).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_nested_results_stay_inside_their_class(gradebook):
    results = gradebook.get(f"{GRADEBOOK}/classes/cls-alg1-p1/results").json()["results"]
    assert results and {r["class"]["sourcedId"] for r in results} == {"cls-alg1-p1"}
    student = results[0]["student"]["sourcedId"]
    mine = gradebook.get(f"{GRADEBOOK}/classes/cls-alg1-p1/students/{student}/results").json()["results"]
    assert mine and {(r["class"]["sourcedId"], r["student"]["sourcedId"]) for r in mine} == {("cls-alg1-p1", student)}
    # a lineItem of another class is not a lineItem of this class
    other = gradebook.get(f"{GRADEBOOK}/classes/cls-alg1-p1/lineItems/li-cls-alg1-p3-1/results")
    assert other.status_code == 404 and other.json()["imsx_codeMajor"] == "failure"


def test_hrefs_point_at_the_service_that_serves_them(gradebook):
    result = gradebook.get(f"{GRADEBOOK}/results", params={"limit": 1}).json()["results"][0]
    assert "/ims/oneroster/rostering/v1p2/users/" in result["student"]["href"]
    assert "/ims/oneroster/gradebook/v1p2/lineItems/" in result["lineItem"]["href"]
    assert any(ord(ch) > 127 for r in gradebook.get(f"{GRADEBOOK}/results").json()["results"]
               for ch in r.get("comment", ""))


def test_writes_need_a_write_scope_and_change_nothing(gradebook):
    """The Gradebook writes are served (tests/provider/test_writes.py); a read-scoped token sends none."""
    before = gradebook.get(f"{GRADEBOOK}/results", params={"limit": 1000}).json()
    for method, path in (("PUT", "/lineItems/li-new"), ("POST", "/lineItems/li-cls-alg1-p1-1/results"),
                         ("DELETE", "/results/res-cls-alg1-p1-1-stu-0002"), ("POST", "/schools/sch-north/lineItems")):
        reply = gradebook.request(method, GRADEBOOK + path, json={})
        assert reply.status_code == 403, (method, path)
        assert reply.json()["imsx_codeMajor"] == "failure"
    assert gradebook.get(f"{GRADEBOOK}/results", params={"limit": 1000}).json() == before
    assert gradebook.patch(GRADEBOOK + "/lineItems/li-cls-alg1-p1-1", json={}).status_code == 405
