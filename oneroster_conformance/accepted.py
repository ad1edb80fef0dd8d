"""What the checks accept, as pure decisions the suites and the spec audit (docs/spec-audit.yaml,
tests/audit/) both call: one place to read, widen or narrow what a conformant answer may be.

Each decision quotes the spec words it rests on; where the words allow several readings, every one
is accepted and the one a provider chose is recorded by the check as information.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# imsx_CodeMajorEnum: 'unsupported' "Denotes that the service provider does not support the requested
# operation. This is the required default response for an unsupported operation by an implementation."
# Every codeMinor of imsx_CodeMinorValueEnum comes with 'failure/error'. So a method the endpoint does not
# offer (405), an operation not implemented (501), or a 404 that is not an unknown-object answer (an
# operation the provider does not offer) may carry either; every other error carries 'failure'.
UNSUPPORTED_OPERATION_STATUSES = frozenset({405, 501})
SEVERITIES = frozenset({"error"})  # every codeMinor text pairs its code with severity 'error'


def accepted_code_majors(status: int | None, code_minor: str | None = None) -> frozenset[str]:
    """The imsx_codeMajor values an error answer with this status (and expected codeMinor) may carry."""
    if status in UNSUPPORTED_OPERATION_STATUSES or (status == 404 and code_minor is None):
        return frozenset({"failure", "unsupported"})
    return frozenset({"failure"})


# invalid_filter_field / invalid_selection_field "would be accompanied by ... a HTTP code of '400'", while
# every operation's response table lists 400 and 422 with an imsx_StatusInfo body (422: "well-formed but
# semantically erroneous"). A filter naming a field that does not exist is both: either status is
# accepted, the codeMinor is still required.
BAD_QUERY_STATUSES = frozenset({400, 422})


def bad_query_status_ok(status: int | None) -> bool:
    return status in BAD_QUERY_STATUSES


# The 405 probes: the tables list 405; a provider may also refuse before routing (401 / 403 / 404), or
# answer 501 ("the server does not support the functionality required", RFC 9110 15.6.2) for a method it
# does not implement at all. A 2xx (it did something) or another 5xx fails.
METHOD_REFUSALS = frozenset({405, 401, 403, 404, 501})


def method_refusal_ok(status: int | None) -> bool:
    return status in METHOD_REFUSALS


def is_json_media_type(content_type: str | None) -> bool:
    """Content-Type 'application/json' (tables: "Content-Type Header application/json"), compared without
    case (media types are case-insensitive, RFC 9110 8.3.1), with any parameter such as charset, or a
    +json structured suffix."""
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def href_usable(href: object) -> bool:
    """A GUIDRef href a consumer can dereference. The data model types href as AnyURI, which includes
    relative references: an absolute http(s) URL, or an absolute-path reference ('/ims/...') resolved
    against the service's own origin. A relative-path reference ('~/ims/...', 'orgs/x') resolves against
    whatever URL the record came from (a nested collection, a page), so it is refused."""
    if not isinstance(href, str) or not href:
        return False
    if href.startswith("/") and not href.startswith("//"):
        return True
    head = href.find("/", href.find("//") + 2) if "//" in href else -1
    return _absolute_head(href[:head] if head > 0 else href)


_HEADS: dict[str, bool] = {}


def _absolute_head(head: str) -> bool:
    # Scheme and host end at the first "/" after "//": the heads of a provider's hrefs are few, so they are
    # decided once (a sweep sees millions of hrefs).
    known = _HEADS.get(head)
    if known is None:
        parts = urlsplit(head)
        known = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
        if len(_HEADS) < 256:
            _HEADS[head] = known
    return known


def unknown_parent_status_ok(status: int | None) -> bool:
    """The nested operations' prose: an unknown parent "MUST" report unknownobject, while their response
    tables list no 404: any 4xx carrying an imsx_StatusInfo with unknownobject is accepted, never data."""
    return status is not None and 400 <= status < 500


def openapi_document_problems(doc: object) -> list[str]:
    """What keeps a served discovery file from being an OpenAPI 3 document with paths (empty: nothing).
    Either published revision of the rostering OpenAPI (3.0.1 listing, 3.0.0 later file) qualifies."""
    if not isinstance(doc, dict):
        return [f"the discovery file is {type(doc).__name__}, not a JSON object"]
    problems = []
    if not str(doc.get("openapi", "")).startswith("3."):
        problems.append(f"openapi is {doc.get('openapi')!r}, not 3.x")
    if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
        problems.append("the discovery file lists no paths")
    return problems
