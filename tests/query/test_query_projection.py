"""Field selection: blank entries, and the projections accepted for known / unknown names."""

from __future__ import annotations

import pytest
from query_roster import USER_FIELDS, USERS

from oneroster_conformance.query.projection import (
    BlankFieldError,
    parse_fields,
    project,
    projection_violations,
)

FULL = USERS[0]
KNOWN = USER_FIELDS


@pytest.mark.parametrize("text", ["", "a,,b", " ", "a,", ",a", "a, ,b"])
def test_blank_entries_are_invalid(text: str) -> None:
    with pytest.raises(BlankFieldError):
        parse_fields(text)
    assert issubclass(BlankFieldError, ValueError)


def test_parse_fields() -> None:
    assert parse_fields("givenName,familyName") == ["givenName", "familyName"]
    assert parse_fields("givenName, familyName") == ["givenName", "familyName"]


def test_project_strict_reading() -> None:
    assert project(FULL, ["givenName", "familyName"], KNOWN) == {
        "givenName": FULL["givenName"],
        "familyName": FULL["familyName"],
    }
    assert project(FULL, ["givenName", "notAField"], KNOWN) == {"givenName": FULL["givenName"]}
    assert project(FULL, ["notAField"], KNOWN) == FULL
    assert project(USERS[1], ["email"], KNOWN) == {}


def test_only_known_names_exactly_those_fields() -> None:
    want = project(FULL, ["givenName", "email"], KNOWN)
    assert projection_violations(want, FULL, ["givenName", "email"], KNOWN) == []
    problems = projection_violations(FULL, FULL, ["givenName"], KNOWN)
    assert any("'familyName' returned but not requested" in p for p in problems)
    problems = projection_violations({}, FULL, ["givenName"], KNOWN)
    assert problems == ["field 'givenName' missing from the response"]
    changed = {"givenName": "Someone else"}
    assert "differs" in projection_violations(changed, FULL, ["givenName"], KNOWN)[0]


def test_requested_field_absent_from_full_record_may_be_absent_or_null() -> None:
    lacks_email = USERS[1]
    assert "email" not in lacks_email
    req = ["givenName", "email"]
    assert projection_violations({"givenName": lacks_email["givenName"]}, lacks_email, req, KNOWN) == []
    both = {"givenName": lacks_email["givenName"], "email": None}
    assert projection_violations(both, lacks_email, req, KNOWN) == []


def test_only_unknown_names_return_everything() -> None:
    assert projection_violations(FULL, FULL, ["notAField"], KNOWN) == []
    assert projection_violations({"sourcedId": FULL["sourcedId"]}, FULL, ["notAField"], KNOWN)


def test_mixed_known_and_unknown_accept_either_reading() -> None:
    # spec reading fields-unknown-names
    req = ["givenName", "notAField"]
    assert projection_violations(FULL, FULL, req, KNOWN) == []
    assert projection_violations({"givenName": FULL["givenName"]}, FULL, req, KNOWN) == []
    assert projection_violations({"givenName": FULL["givenName"], "status": "active"}, FULL, req, KNOWN)


def test_case_variant_names_may_be_read_as_known_or_unknown() -> None:
    # spec reading v1p1-names-in-examples: the spec's own example writes `fields=firstname,lastname`.
    assert projection_violations(FULL, FULL, ["givenname"], KNOWN) == []
    assert projection_violations({"givenName": FULL["givenName"]}, FULL, ["givenname"], KNOWN) == []
