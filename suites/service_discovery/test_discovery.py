"""Service Discovery: the localized OpenAPI 3 file at …/discovery/onerosterv1p2rostersservice_openapi3_v1p0.json."""

import pytest

from oneroster_conformance.checks import answered, assert_status, body_of, expect, fail, not_applicable, observe
from oneroster_conformance.spec.operations import DISCOVERY_FILE


@pytest.fixture(scope="module")
def discovery(harness):
    if harness.binding != "v1p2":
        not_applicable("service discovery is a 1.2 requirement")
    url = f"{harness.settings.base_url}/{DISCOVERY_FILE}"
    reply = harness.client.once("GET", url, token=False)
    if reply.status in (401, 403):
        observe("the discovery file needs a token")
        reply = harness.client.once("GET", url)
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


def _server_url(server: dict) -> str:
    """A Server Object's URL with its {variables} at their defaults (OpenAPI 3): the published file
    writes 'https://{hostName}{basePath}' and asks for hostName to be set to the provider."""
    url = str(server.get("url", ""))
    for name, var in (server.get("variables") or {}).items():
        if isinstance(var, dict) and "default" in var:
            url = url.replace("{" + str(name) + "}", str(var["default"]))
    return url


@pytest.mark.requirement("discovery/localized-server")
def test_discovery_localized_server(harness, discovery):
    doc = _document(discovery)
    urls = [_server_url(s) for s in doc.get("servers") or [] if isinstance(s, dict)]
    base = harness.settings.base_url.rstrip("/")
    expect(any(u.rstrip("/") == base for u in urls), f"servers lists {urls or 'nothing'}, not this provider's "
           f"service root", expected=base, actual=", ".join(urls) or "(none)")
