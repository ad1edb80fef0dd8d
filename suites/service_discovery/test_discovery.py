"""Service Discovery: the localized OpenAPI 3 file at …/discovery/onerosterv1p2rostersservice_openapi3_v1p0.json
(the binding's name) or …/discovery/imsorv1p2_rostering_openapi3_v1p0.json (the certification guide's name),
in either published revision of the rostering OpenAPI."""

import pytest

from oneroster_conformance.accepted import openapi_document_problems
from oneroster_conformance.checks import answered, assert_status, body_of, expect, fail, not_applicable, observe
from oneroster_conformance.spec.discovery import DISCOVERY_FILES, revision_of, server_urls

NAMED_BY = {name: who for who, name in DISCOVERY_FILES.items()}
REVISION = {"listing": "the rostering binding's OpenAPI listing",
            "published": "1EdTech's later published OpenAPI revision (DType schema names)"}


@pytest.fixture(scope="module")
def discovery(harness):
    if harness.binding != "v1p2":
        not_applicable("service discovery is a 1.2 requirement")
    name, reply, needed_token = harness.discovery
    if needed_token:
        observe("the discovery file needs a token")
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
    name = harness.discovery[0]
    observe(f"discovery file found under the {NAMED_BY[name]} name: {name}")  # information, either is conformant
    doc = body_of(discovery)
    problems = openapi_document_problems(doc)
    expect(not problems, "the discovery file is not an OpenAPI 3 document: " + "; ".join(problems),
           expected="an OpenAPI 3.x document with paths", actual="; ".join(problems))
    observe(f"the discovery file follows {REVISION[revision_of(doc)]}")


@pytest.mark.requirement("discovery/operations-served")
def test_discovery_operations_served(harness, discovery, crawl):
    doc = _document(discovery)
    spec_ops = {op.operation_id: op for op in harness.operations}
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
        sample = harness.sample(spec_ops[oid])
        if sample.reply is not None and sample.reply.status in (404, 405, 501):
            unserved.append(f"{oid} ({sample.reply.status})")
    if unserved:
        fail(f"the discovery file lists operations the provider does not serve: {', '.join(unserved)}",
             expected="every listed operation served", actual=", ".join(unserved))
    omitted = sorted(set(spec_ops) - set(listed))
    if omitted:
        observe(f"the discovery file omits {len(omitted)} operation(s): {', '.join(omitted)}")


@pytest.mark.requirement("discovery/localized-server")
def test_discovery_localized_server(harness, discovery):
    doc = _document(discovery)
    urls = server_urls(doc)  # server variables ('https://{hostName}{basePath}') filled in with their defaults
    base = harness.settings.base_url.rstrip("/")
    expect(any(u.rstrip("/") == base for u in urls), f"servers lists {urls or 'nothing'}, not this provider's "
           f"service root", expected=base, actual=", ".join(urls) or "(none)")
