"""Service Discovery: the localized OpenAPI 3 file of each service at <service root>/discovery/<file>.

Rostering: …/discovery/onerosterv1p2rostersservice_openapi3_v1p0.json (the binding's name) or
…/discovery/imsorv1p2_rostering_openapi3_v1p0.json (the certification guide's name), in either published
revision of the rostering OpenAPI; likewise the Gradebook and Resources services where the provider offers them."""

import pytest

from oneroster_conformance.accepted import openapi_document_problems
from oneroster_conformance.certificate import PROFILES
from oneroster_conformance.checks import answered, assert_status, body_of, expect, fail, not_applicable, observe
from oneroster_conformance.spec.discovery import DISCOVERY_FILES, revision_of, server_urls
from oneroster_conformance.spec.discovery import SERVICE_DISCOVERY_NAMES as DISCOVERY_NAMES
from oneroster_conformance.spec.operations import SERVICES, operations, service_operations

NAMED_BY = {name: who for who, name in DISCOVERY_FILES.items()}
REVISION = {"listing": "the rostering binding's OpenAPI listing",
            "published": "1EdTech's later published OpenAPI revision (DType schema names)"}


@pytest.fixture(scope="module", params=SERVICES)
def discovery(harness, request):
    service = request.param
    if harness.binding != "v1p2":
        not_applicable("service discovery is a 1.2 requirement")
    if service == "rostering":
        name, reply, needed_token = harness.discovery
        if needed_token:
            observe("the discovery file needs a token")
        reply.service, reply.file_name = service, name
        return reply
    units = [u for u, p in PROFILES.items() if p.service == service]
    if not any(harness.checks(u) for u in units):
        offer = harness.offers.get(units[0])
        not_applicable(f"the {service} service is not offered: {offer.evidence if offer else 'not checked'}")
    root = harness.settings.service_root(service)
    reply = None
    for name in DISCOVERY_NAMES[service]:  # the binding's file name, then the certification guide's
        url = f"{root}/{name}"
        reply = harness.client.once("GET", url, token=False)
        if reply.status in (401, 403):
            observe("the discovery file needs a token")
            reply = harness.client.once("GET", url)
        if reply.status == 200:
            break
    reply.service, reply.file_name = service, name
    return reply


def _document(reply) -> dict:
    answered(reply)
    if reply.status != 200:
        not_applicable(f"no discovery file ({reply.status}); judged by discovery/openapi-file")
    doc = reply.json_or_none()
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        not_applicable("the discovery file is not OpenAPI JSON; judged by discovery/openapi-file")
    return doc


def _service_ops(harness, service: str) -> dict:
    ops = operations(harness.binding) if service == "rostering" else service_operations(service)
    return {op.operation_id: op for op in ops}


@pytest.mark.requirement("discovery/openapi-file")
def test_discovery_openapi_file(harness, discovery):
    assert_status(discovery, 200, "the discovery file")
    if discovery.file_name in NAMED_BY:
        observe(f"discovery file found under the {NAMED_BY[discovery.file_name]} name: {discovery.file_name}")
    doc = body_of(discovery)
    problems = openapi_document_problems(doc)
    expect(not problems, "the discovery file is not an OpenAPI 3 document: " + "; ".join(problems),
           expected="an OpenAPI 3.x document with paths", actual="; ".join(problems))
    if discovery.service == "rostering":
        observe(f"the discovery file follows {REVISION[revision_of(doc)]}")


@pytest.mark.requirement("discovery/operations-served")
def test_discovery_operations_served(harness, discovery, crawl):
    doc = _document(discovery)
    spec_ops = _service_ops(harness, discovery.service)
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
            continue  # a write operation: the reads are checked here
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
    urls = server_urls(doc)  # server variables ('https://{hostName}{basePath}') filled in with their defaults
    base = harness.settings.service_root(discovery.service).rstrip("/")
    expect(any(u.rstrip("/") == base for u in urls), f"servers lists {urls or 'nothing'}, not this provider's "
           f"service root", expected=base, actual=", ".join(urls) or "(none)")
