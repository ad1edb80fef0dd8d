"""Service Discovery: the localized OpenAPI 3 file of each service at <service root>/discovery/<file>
(…/rostering/v1p2/discovery/onerosterv1p2rostersservice_openapi3_v1p0.json, and likewise for the
Gradebook and Resources services where the provider offers them)."""

import pytest

from oneroster_conformance.certificate import PROFILES
from oneroster_conformance.checks import answered, assert_status, body_of, expect, fail, not_applicable, observe
from oneroster_conformance.services import DISCOVERY_NAMES
from oneroster_conformance.spec.operations import DISCOVERY_FILE, SERVICES, service_operations


@pytest.fixture(scope="module", params=SERVICES)
def discovery(harness, request):
    service = request.param
    if harness.binding != "v1p2":
        not_applicable("service discovery is a 1.2 requirement")
    if service != "rostering":
        units = [u for u, p in PROFILES.items() if p.service == service]
        if not any(harness.checks(u) for u in units):
            offer = harness.offers.get(units[0])
            not_applicable(f"the {service} service is not offered: {offer.evidence if offer else 'not checked'}")
    root = harness.settings.service_root(service)
    names = (DISCOVERY_FILE,) if service == "rostering" else DISCOVERY_NAMES[service]
    reply = None
    for name in names:  # the binding's file name, then the certification guide's
        url = f"{root}/{name}"
        reply = harness.client.once("GET", url, token=False)
        if reply.status in (401, 403):
            observe("the discovery file needs a token")
            reply = harness.client.once("GET", url)
        if reply.status == 200:
            break
    reply.service = service
    return reply


def _document(reply) -> dict:
    answered(reply)
    if reply.status != 200:
        not_applicable(f"no discovery file ({reply.status}); judged by discovery/openapi-file")
    doc = reply.json_or_none()
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        not_applicable("the discovery file is not OpenAPI JSON; judged by discovery/openapi-file")
    return doc


@pytest.mark.requirement("discovery/openapi-file")
def test_discovery_openapi_file(harness, discovery):
    assert_status(discovery, 200, "the discovery file")
    doc = body_of(discovery)
    expect(isinstance(doc, dict) and str(doc.get("openapi", "")).startswith("3."),
           "the discovery file is not an OpenAPI 3 document", expected="openapi: 3.x",
           actual=doc.get("openapi") if isinstance(doc, dict) else type(doc).__name__)
    expect(isinstance(doc.get("paths"), dict) and doc["paths"], "the discovery file lists no paths",
           expected="paths", actual=None)


@pytest.mark.requirement("discovery/operations-served")
def test_discovery_operations_served(harness, discovery, crawl):
    doc = _document(discovery)
    spec_ops = {op.operation_id: op for op in service_operations(discovery.service)}
    served = {op.operation_id for op in harness.operations}
    listed = {}
    for path, item in doc["paths"].items():
        for method, spec in (item or {}).items():
            if isinstance(spec, dict) and spec.get("operationId"):
                listed[spec["operationId"]] = (method.upper(), path)
    unknown = [f"{oid} {m} {p}" for oid, (m, p) in listed.items()
               if oid in spec_ops and (m, p) != (spec_ops[oid].method, spec_ops[oid].path)]
    expect(not unknown, f"operations listed on a path other than the spec's: {unknown[:5]}",
           expected="the spec's paths", actual=unknown[:5])
    unserved = []
    for oid in listed:
        if oid not in spec_ops:
            observe(f"lists a proprietary operation {oid}")
            continue
        if oid not in served:
            continue  # a write operation: the reads are checked here, the writes are another step
        sample = harness.sample(spec_ops[oid])
        if sample.reply is not None and sample.reply.status in (404, 405, 501):
            unserved.append(f"{oid} ({sample.reply.status})")
    if unserved:
        fail(f"the discovery file lists operations the provider does not serve: {', '.join(unserved)}",
             expected="every listed operation served", actual=", ".join(unserved))
    omitted = sorted(set(spec_ops) & served - set(listed))
    if omitted:
        observe(f"the discovery file omits {len(omitted)} operation(s): {', '.join(omitted)}")


@pytest.mark.requirement("discovery/localized-server")
def test_discovery_localized_server(harness, discovery):
    doc = _document(discovery)
    urls = [s.get("url", "") for s in doc.get("servers") or [] if isinstance(s, dict)]
    base = harness.settings.service_root(discovery.service).rstrip("/")
    expect(any(u.rstrip("/") == base for u in urls), f"servers lists {urls or 'nothing'}, not this provider's "
           f"service root", expected=base, actual=", ".join(urls) or "(none)")
