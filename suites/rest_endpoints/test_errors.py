"""REST Endpoints: the error answers a client can provoke safely, each with its imsx_StatusInfo.

Nothing here can change data: unknown-object probes use made-up sourcedIds, and the 405 probes send
POST / PUT / PATCH / DELETE only to made-up sourcedIds (switch them off with --no-write-probes).
"""

import pytest

from oneroster_conformance.accepted import accepted_code_majors, method_refusal_ok, unknown_parent_status_ok
from oneroster_conformance.checks import (
    answered,
    assert_status_info,
    code_minor_matches,
    code_minors,
    expect,
    fail,
    not_applicable,
    observe,
    require_working,
    status_info_problems,
)
from oneroster_conformance.spec.operations import ROSTER_CORE, by_id

MADE_UP = "oneroster-conformance-made-up-id-7f3c9a"
EXPECTED_MINOR = {401: "unauthorisedrequest", 403: "forbidden", 429: "server_busy", 500: "internal_server_error"}


@pytest.mark.requirement("errors/unknown-object")
def test_errors_unknown_object(harness, client, single_operation):
    require_working(harness, single_operation)  # refused outright: judged by operations/success
    reply = client.get(single_operation.url_path(**{p: MADE_UP for p in single_operation.path_params}))
    assert_status_info(reply, 404, "unknownobject")


@pytest.mark.requirement("errors/unknown-parent")
def test_errors_unknown_parent(client, nested_operation):
    reply = client.get(nested_operation.url_path(**{p: MADE_UP for p in nested_operation.path_params}))
    answered(reply)
    if reply.status == 200:
        body = reply.json_or_none()
        rows = body.get(nested_operation.wrapper) if isinstance(body, dict) else None
        fail(f"an unknown parent answered 200 with {len(rows) if isinstance(rows, list) else 'a'} record(s) "
             "instead of reporting unknownobject", expected="4xx imsx_StatusInfo with codeMinor unknownobject",
             actual=f"200 {reply.content[:120].decode('utf-8', 'replace')}")
    expect(unknown_parent_status_ok(reply.status), f"an unknown parent answered {reply.status}",
           expected="a 4xx status with unknownobject", actual=reply.status)
    assert_status_info(reply, reply.status, "unknownobject")
    observe(f"unknown parent reported with HTTP {reply.status}")


WRITE_HEADERS = {"Content-Type": "application/json"}


def _probe(harness, kind: str):
    """Provoke one kind of error answer, once per run (the checks below judge the same answer);
    None when the provider does not answer an error to it."""
    return harness.once(("error-probe", kind), lambda: _provoke(harness, kind))


def _provoke(harness, kind: str):
    client = harness.client
    users = by_id("getAllUsers", harness.binding)
    if kind == "401-no-token":
        return client.once("GET", users.path, token=False)
    if kind == "401-bad-token":
        return client.once("GET", users.path, token="not-a-real-token")
    if kind == "403-scope":
        demo = by_id("getAllDemographics", harness.binding)
        try:
            return client.once("GET", demo.path, scopes=(ROSTER_CORE,))
        except Exception:  # the provider will not issue a core-only token: nothing to probe
            return None
    if kind == "400-filter":
        return client.once("GET", users.path, {"filter": "oneRosterConformanceNoSuchField='x'"})
    if kind == "400-fields":
        return client.once("GET", users.path, {"fields": "sourcedId,,status"})
    if kind == "405-method":
        if not harness.settings.probe_writes:
            not_applicable("405 probes switched off (--no-write-probes)")
        return client.once("DELETE", f"{users.path}/{MADE_UP}", headers=WRITE_HEADERS)
    raise ValueError(kind)


@pytest.mark.requirement("errors/status-info-body")
@pytest.mark.parametrize("kind", ["401-no-token", "401-bad-token", "403-scope", "400-filter", "400-fields",
                                  "405-method"])
def test_errors_status_info_body(harness, kind):
    reply = _probe(harness, kind)
    if reply is None:
        not_applicable("a token limited to roster-core.readonly could not be had")
    answered(reply)
    if not 400 <= (reply.status or 0) < 600:
        not_applicable(f"the probe answered {reply.status}, not an error (judged by the requirement it breaks)")
    body = reply.json_or_none()
    problems = status_info_problems(body, reply.status) if body is not None else ["the body is not JSON"]
    majors = " or ".join(sorted(accepted_code_majors(reply.status)))
    expect(not problems, f"the {reply.status} answer to {kind} is not an imsx_StatusInfo failure/error: "
           + "; ".join(problems[:3]), expected=f"imsx_StatusInfo {{codeMajor: {majors}, severity: error}}",
           actual=reply.content[:200].decode("utf-8", "replace"))


@pytest.mark.requirement("errors/code-minor")
@pytest.mark.parametrize("kind", ["401-no-token", "401-bad-token", "403-scope"])
def test_errors_code_minor(harness, kind):
    reply = _probe(harness, kind)
    if reply is None:
        not_applicable("a token limited to roster-core.readonly could not be had")
    answered(reply)
    want = EXPECTED_MINOR.get(reply.status or 0)
    body = reply.json_or_none()
    if want is None or not isinstance(body, dict) or status_info_problems(body, reply.status):
        not_applicable(f"the probe answered {reply.status} without an imsx_StatusInfo to read")
    minors = code_minors(body)
    if not minors:
        observe("no codeMinor sent (it is optional in imsx_StatusInfo)")
        return
    expect(code_minor_matches(want, minors), f"the {reply.status} answer carries codeMinor {minors}, expected {want!r}",
           expected=want, actual=", ".join(map(str, minors)))


@pytest.mark.requirement("errors/method-not-allowed")
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_errors_method_not_allowed(harness, method):
    if not harness.settings.probe_writes:
        not_applicable("405 probes switched off (--no-write-probes)")
    users = by_id("getAllUsers", harness.binding)
    reply = harness.client.once(method, f"{users.path}/{MADE_UP}", headers=WRITE_HEADERS)
    answered(reply)
    if reply.status == 405:
        return
    if method_refusal_ok(reply.status):
        observe(f"{method} on a made-up id refused with {reply.status}")
        return
    fail(f"{method} on a read-only endpoint answered {reply.status}", expected="405 (or another refusal: 401, "
         "403, 404, 501)", actual=reply.status)
