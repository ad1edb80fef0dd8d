"""The small, spec-worded vocabulary every check asks and asserts through.

A check body reads like the spec: ``assert_conforms(reply, "UserSet")``,
``assert_status_info(reply, 404, "unknownobject")``. A broken rule raises NonConformance (the
plugin turns it into fail / warn / info by the requirement's level); ``not_applicable`` ends a
check with its reason; ``observe`` records which reading of an ambiguous rule the provider chose.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable

import pytest

from oneroster_conformance.accepted import SEVERITIES, accepted_code_majors, is_json_media_type
from oneroster_conformance.spec import schemas
from oneroster_conformance.text import first_n

_notes: contextvars.ContextVar[dict | None] = contextvars.ContextVar("check_notes", default=None)


class NonConformance(AssertionError):
    """The provider broke the rule under check."""

    def __init__(self, message: str, *, expected: object = None, actual: object = None,
                 schema_path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expected = None if expected is None else str(expected)
        self.actual = None if actual is None else str(actual)
        self.schema_path = schema_path


class HarnessError(Exception):
    """The harness could not decide (e.g. the provider became unreachable): outcome 'errored'."""


NA_PREFIX = "not applicable: "

# The run's binding, set once by the plugin: error bodies are judged by that binding's imsx_StatusInfo
# schema and codeMinor spellings (schemas/v1p1/differences.yaml), one binding per run.
_binding = "v1p2"


def configure(binding: str) -> None:
    global _binding
    _binding = binding


def code_minor_matches(expected: str, minors: Iterable[object]) -> bool:
    """The expected codeMinor, or a spelling of it the run's binding allows (1.1: 'unknown object')."""
    from oneroster_conformance.spec.v1p1 import code_minor_spellings

    accepted = {expected} | code_minor_spellings(_binding).get(expected, frozenset())
    return bool(accepted & set(minors))


def _unwrapped(body: object) -> object:
    """A 1.1 error body wrapped as {'statusInfoSet': [...]}: its first entry (the reading is recorded)."""
    from oneroster_conformance.spec.v1p1 import status_info_wrappers

    if isinstance(body, dict) and len(body) == 1:
        for key in status_info_wrappers(_binding):
            inner = body.get(key)
            if isinstance(inner, list) and inner and isinstance(inner[0], dict):
                observe(f"the error body is wrapped as {{'{key}': [...]}} (a 1.1 reading)")
                return inner[0]
    return body

# Transport failures that say nothing about conformance of the answer: the check errors.
_ENVIRONMENTAL = ("connection refused", "does not resolve", "TLS certificate problem")


def begin_check() -> dict:
    notes: dict = {"readings": [], "info": []}
    _notes.set(notes)
    return notes


def end_check() -> dict:
    notes = _notes.get() or {"readings": [], "info": []}
    _notes.set(None)
    return notes


def observe(reading: str) -> None:
    """Record which reading of an ambiguous rule the provider followed (shown as information)."""
    notes = _notes.get()
    if notes is not None and reading not in notes["readings"]:
        notes["readings"].append(reading)


def not_applicable(reason: str) -> None:
    pytest.skip(NA_PREFIX + reason)


def require_working(harness, op) -> None:
    """End a check as not applicable when the operation it builds on does not work at all."""
    reason = harness.broken(op)
    if reason:
        not_applicable(reason)


def fail(message: str, *, expected: object = None, actual: object = None, schema_path: str | None = None):
    raise NonConformance(message, expected=expected, actual=actual, schema_path=schema_path)


def expect(condition: bool, message: str, *, expected: object = None, actual: object = None) -> None:
    if not condition:
        fail(message, expected=expected, actual=actual)


def _where(reply) -> str:
    return f"{reply.method} {reply.exchange.url}"


def answered(reply) -> None:
    """The provider gave a complete HTTP answer (else: errored if environmental, failed otherwise).

    The reply is the evidence of the check that judges it, also when it was read once for several
    checks (the run's token response, the discovery file, an error probe): shown again, it is kept."""
    exchange = getattr(reply, "exchange", None)
    if exchange is not None:
        from oneroster_conformance.client import evidence

        evidence.record(exchange)
    if reply.error is None:
        return
    if any(e in reply.error for e in _ENVIRONMENTAL):
        raise HarnessError(f"{_where(reply)}: {reply.error}")
    fail(f"{_where(reply)} gave no usable answer: {reply.error}", expected="a complete HTTP response",
         actual=reply.error)


def assert_status(reply, expected: int | Iterable[int], what: str = "") -> None:
    answered(reply)
    allowed = {expected} if isinstance(expected, int) else set(expected)
    if reply.status not in allowed:
        extra = f" (redirect to {reply.redirected_to}, not followed: another host)" if reply.redirected_to else ""
        want = " or ".join(str(s) for s in sorted(allowed))
        fail(f"{what + ': ' if what else ''}{_where(reply)} answered {reply.status}{extra}, expected {want}",
             expected=want, actual=reply.status)


def body_of(reply) -> object:
    answered(reply)
    try:
        return reply.json()
    except ValueError:
        kind = "an HTML page" if "html" in reply.content_type else f"'{reply.content_type or 'no content type'}'"
        fail(f"{_where(reply)} answered {kind} that is not JSON", expected="a JSON body",
             actual=reply.content[:120].decode("utf-8", "replace"))


def assert_json(reply) -> None:
    answered(reply)
    if not is_json_media_type(reply.content_type):
        fail(f"{_where(reply)} answered Content-Type '{reply.content_type or '(none)'}'",
             expected="application/json", actual=reply.content_type or "(none)")


def assert_conforms(reply, schema_name: str, binding: str = "v1p2") -> object:
    body = body_of(reply)
    found = schemas.issues(schema_name, body, binding)
    if found:
        first = found[0]
        fail(f"the body of {_where(reply)} does not validate against {schema_name}: {first_n(found, 5, '; ')}",
             expected=f"a {schema_name} body", actual=str(first), schema_path=first.path or "/")
    return body


def status_info_problems(body: object, status: int | None = None, code_minor: str | None = None) -> list[str]:
    """What is wrong with an imsx_StatusInfo error body (empty list: nothing)."""
    body = _unwrapped(body)
    if not isinstance(body, dict):
        return [f"the body is {type(body).__name__}, not an imsx_StatusInfo object"]
    problems = [str(i) for i in schemas.issues("imsx_StatusInfo", body, _binding)]
    if problems:
        return problems
    majors = accepted_code_majors(status, code_minor)
    if body.get("imsx_codeMajor") not in majors:
        want = " or ".join(repr(m) for m in sorted(majors))
        problems.append(f"imsx_codeMajor is {body.get('imsx_codeMajor')!r}, expected {want}")
    elif body.get("imsx_codeMajor") == "unsupported":
        observe(f"a {status} answer carries imsx_codeMajor 'unsupported' (the enumeration's answer for an "
                "unsupported operation)")
    if body.get("imsx_severity") not in SEVERITIES:
        problems.append(f"imsx_severity is {body.get('imsx_severity')!r}, expected 'error'")
    if code_minor is not None:
        minors = code_minors(body)
        if not code_minor_matches(code_minor, minors):
            problems.append(f"codeMinor is {minors or 'absent'}, expected {code_minor!r}")
    return problems


def code_minors(body: object) -> list[str]:
    body = _unwrapped(body)
    if not isinstance(body, dict):
        return []
    fields = (body.get("imsx_CodeMinor") or {}).get("imsx_codeMinorField") or []
    return [f.get("imsx_codeMinorFieldValue") for f in fields if isinstance(f, dict)]


def assert_status_info(reply, status: int | Iterable[int], code_minor: str | None = None) -> dict:
    """The reply is an error with that status and an imsx_StatusInfo failure / error body."""
    assert_status(reply, status)
    body = reply.json_or_none()
    if body is None:
        fail(f"the {reply.status} answer of {_where(reply)} has no JSON imsx_StatusInfo body",
             expected="imsx_StatusInfo", actual=reply.content[:200].decode("utf-8", "replace"))
    problems = status_info_problems(body, reply.status, code_minor)
    if problems:
        majors = " or ".join(sorted(accepted_code_majors(reply.status, code_minor)))
        fail(f"the {reply.status} answer of {_where(reply)} is not the imsx_StatusInfo the spec prescribes: "
             + "; ".join(problems[:4]), expected=f"{majors} / error / {code_minor or 'any codeMinor'}",
             actual="; ".join(problems[:4]))
    return body  # type: ignore[return-value]


def crawled(crawl, op_id: str):
    """The crawled collection (its first page is the evidence); not applicable when it holds nothing to judge."""
    from oneroster_conformance.client import evidence

    data = crawl.collection(op_id)
    if data.first is not None:
        evidence.record(data.first.exchange)
    if data.error and not data.count:
        not_applicable(f"{op_id} could not be read: {data.error}")
    if not data.count:
        not_applicable(f"{op_id} returned no records")
    if data.error:  # judged on what was read; said, so a partial read is never taken for the whole collection
        observe(f"{op_id} was read only in part: the walk stopped after {data.count} records ({data.error}); "
                "this check judged those")
    return data
