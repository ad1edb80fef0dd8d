"""The Gradebook and Resources catalogues, read from the published OpenAPI files, pinned."""

from oneroster_conformance.spec import operations as ops
from oneroster_conformance.spec.schemas import issues, schema


def _by_method(service):
    out = {}
    for op in ops.service_operations(service):
        out[op.method] = out.get(op.method, 0) + 1
    return out


def test_operation_counts_per_service():
    assert len(ops.service_operations("gradebook")) == 35
    assert _by_method("gradebook") == {"GET": 19, "PUT": 6, "POST": 4, "DELETE": 6}
    assert _by_method("resources") == {"GET": 5}
    assert len(ops.service_operations("rostering")) == 41


def test_rostering_catalogue_is_unchanged():
    assert ops.operations("v1p2") == ops.service_operations("rostering")
    assert {op.service for op in ops.operations("v1p2")} == {"rostering"}
    assert len(ops.read_operations("v1p2")) == 41 + 19 + 5
    assert len(ops.read_operations("v1p1")) == len(ops.operations("v1p1"))


def test_every_operation_names_its_service_and_scopes():
    seen = set()
    for service in ("gradebook", "resources"):
        for op in ops.service_operations(service):
            assert op.service == service
            assert op.scopes, op.operation_id
            seen |= {ops.short_scope(s) for s in op.scopes}
    assert seen == {"gradebook-core.readonly", "gradebook.readonly", "gradebook.createput", "gradebook.createpost",
                    "gradebook.delete", "assessment.readonly", "assessment.createput", "assessment.delete",
                    "resource-core.readonly", "resource.readonly"}


def test_core_scopes_grant_the_top_level_reads_only():
    core = {op.operation_id for op in ops.read_operations() if ops.GRADEBOOK_CORE in op.scopes}
    assert core == {"getAllCategories", "getCategory", "getAllLineItems", "getLineItem", "getAllResults", "getResult",
                    "getAllScoreScales", "getScoreScale"}
    assert {op.operation_id for op in ops.read_operations() if ops.RESOURCE_CORE in op.scopes} == {
        "getAllResources", "getResource"}
    full = {op.operation_id for op in ops.read_operations() if ops.GRADEBOOK_READ in op.scopes}
    assert "getLineItemsForClass" in full and "getLineItemsForClass" not in core


def test_wrappers_and_schemas_come_from_the_components():
    wrappers = {op.operation_id: op.wrapper for op in ops.read_operations() if op.service != "rostering"}
    assert wrappers["getAllLineItems"] == "lineItems"
    assert wrappers["getResult"] == "result"
    assert wrappers["getAllCategories"] == "categories"
    assert wrappers["getResourcesForUser"] == "resources"
    assert ops.by_id("getScoreScalesForSchool").service == "gradebook"
    root = schema("ResultSetDType")
    assert root["properties"]["results"]["items"] == {"$ref": "#/$defs/ResultDType"}
    bad = {"results": [{"sourcedId": "r1", "status": "active", "dateLastModified": "2025-01-01T00:00:00.000Z",
                        "lineItem": {"href": "x", "sourcedId": "l", "type": "lineItem"},
                        "student": {"href": "x", "sourcedId": "s", "type": "user"},
                        "scoreStatus": "graded", "scoreDate": "2025-01-01"}]}
    assert [i.path for i in issues("ResultSetDType", bad)] == ["/results/0/scoreStatus"]
    bad["results"][0]["scoreStatus"] = "ext:regraded"
    assert issues("ResultSetDType", bad) == []


def test_service_paths_do_not_overlap():
    """Requests are routed to a service root by path template: no template may belong to two services."""
    templates = {}
    for service in ops.SERVICES:
        for op in ops.service_operations(service):
            assert templates.setdefault(op.path, service) == service, op.path
