"""REST Endpoints: every operation of the OpenAPI answers 200 with a body its schema accepts.

Operations come from the extracted OpenAPI (the plugin parametrizes ``operation``), ids from the
shared crawl: a new operation in the spec needs no new code here.
"""

from urllib.parse import urlsplit

import pytest

from oneroster_conformance.checks import (
    answered,
    assert_conforms,
    assert_json,
    assert_status,
    body_of,
    expect,
    fail,
    not_applicable,
    observe,
)
from oneroster_conformance.client import evidence
from oneroster_conformance.spec.operations import SERVICE_ROOT


def called(harness, op):
    sample = harness.sample(op)
    if sample.reply is None:
        not_applicable(f"{op.operation_id} could not be called: {sample.reason}")
    return sample


@pytest.mark.requirement("operations/base-path")
def test_operations_base_path(harness):
    path = urlsplit(harness.settings.base_url).path.rstrip("/")
    root = SERVICE_ROOT[harness.binding]
    expect(path.endswith(root), f"the service root {path or '/'} does not end with {root}",
           expected=f"…{root}", actual=path or "/")


@pytest.mark.requirement("operations/success")
def test_operations_success(harness, operation):
    reply = called(harness, operation).reply
    listing = harness.discovery_listing
    if reply.status in (404, 405, 501) and listing is not None and operation.operation_id not in listing:
        not_applicable(f"not served ({reply.status}), and the provider's discovery file omits it (a profile)")
    assert_status(reply, 200, operation.operation_id)
    if operation.is_collection and not operation.path_params:
        # Every page of the crawl is a valid request too: one that failed part-way through the walk
        # would otherwise leave the data checks judging a part of the collection, with only a note.
        data = harness.crawl.collection(operation.operation_id)
        stopped = data.error_reply
        if stopped is not None and stopped is not reply:
            evidence.record(stopped.exchange)
            answered(stopped)  # a timeout or a dropped connection: errored, not a provider's fault
            fail(f"the walk of {operation.operation_id} stopped after {data.count} records: {data.error}",
                 expected="200 on every page", actual=stopped.status)


@pytest.mark.requirement("operations/content-type")
def test_operations_content_type(harness, operation):
    reply = called(harness, operation).reply
    if reply.status != 200:
        not_applicable(f"{operation.operation_id} answered {reply.status}; judged by operations/success")
    assert_json(reply)


@pytest.mark.requirement("operations/response-schema")
def test_operations_response_schema(harness, operation):
    reply = called(harness, operation).reply
    if reply.status != 200:
        not_applicable(f"{operation.operation_id} answered {reply.status}; judged by operations/success")
    assert_conforms(reply, operation.response_schema, harness.binding)
    if operation.is_collection and not operation.path_params:
        # The crawl checked every page it read (all of them in a full sweep), not only the first.
        bad = harness.crawl.collection(operation.operation_id).invalid_page
        if bad is not None:
            evidence.record(bad.exchange)
            assert_conforms(bad, operation.response_schema, harness.binding)


@pytest.mark.requirement("operations/wrapper-key")
def test_operations_wrapper_key(harness, operation):
    reply = called(harness, operation).reply
    if reply.status != 200:
        not_applicable(f"{operation.operation_id} answered {reply.status}; judged by operations/success")
    body = body_of(reply)
    want = operation.wrapper
    if isinstance(body, list):
        fail(f"{operation.operation_id} answered a bare JSON array; the spec wraps it as {{'{want}': [...]}}",
             expected=f"{{'{want}': …}}", actual="a bare array")
    if not isinstance(body, dict):
        fail(f"{operation.operation_id} answered {type(body).__name__}, not a JSON object", expected=f"{{'{want}': …}}")
    if want in body:
        kind = list if operation.is_collection else dict
        expect(isinstance(body[want], kind), f"'{want}' holds {type(body[want]).__name__}, expected {kind.__name__}",
               expected=kind.__name__, actual=type(body[want]).__name__)
        return
    if operation.is_collection and not body:
        observe("an empty collection sent as {} without its wrapper (the Set schema's required list is empty)")
        return
    fail(f"{operation.operation_id} wraps its answer as {sorted(body)}, expected '{want}'",
         expected=want, actual=", ".join(sorted(body)) or "{}")


@pytest.mark.requirement("operations/single-object-identity")
def test_operations_single_object_identity(harness, single_operation):
    sample = called(harness, single_operation)
    if sample.reply.status != 200:
        not_applicable(f"{single_operation.operation_id} answered {sample.reply.status}; judged by operations/success")
    body = body_of(sample.reply)
    wanted = next(iter(sample.ids.values()))
    obj = body.get(single_operation.wrapper) if isinstance(body, dict) else None
    if not isinstance(obj, dict):
        not_applicable("no object under the wrapper key; judged by operations/wrapper-key")
    expect(obj.get("sourcedId") == wanted, f"asked for sourcedId {wanted!r}, got {obj.get('sourcedId')!r}",
           expected=wanted, actual=obj.get("sourcedId"))
