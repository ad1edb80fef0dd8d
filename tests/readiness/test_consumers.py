"""The consumer profiles and the Aeries permission map are data with sources: they are complete,
consistent with each other and with the 1.1 catalogue, and the diagnosis reads as a district admin needs."""

from __future__ import annotations

import pytest

from oneroster_conformance.readiness import diagnose
from oneroster_conformance.readiness.consumers import (
    CONFIDENCE,
    consumers,
    path_collections,
    permission_for,
    selected,
    sis_map,
)
from oneroster_conformance.spec.operations import by_id, operations


def test_three_consumers_from_their_setup_guides():
    assert set(consumers()) == {"claris", "incidentiq", "illuminate"}
    assert [c.name for c in selected("all")] == ["claris", "illuminate", "incidentiq"]
    assert selected(None) == []


def test_every_operation_of_1p1_has_an_aeries_permission():
    missing = sorted({path_collections(op.path)[-1] for op in operations("v1p1")
                      if permission_for(path_collections(op.path)[-1]) is None})
    assert missing == []
    areas = {c["permission"] for c in sis_map()["collections"].values()}
    assert all(" → " in a for a in areas)
    assert permission_for("enrollments").name == "Scheduling → Classes"  # the trap: 'Classes' gates enrollments
    assert permission_for("classes").name == "Scheduling → Master Schedule"


@pytest.mark.parametrize("name", sorted(consumers()))
def test_consumer_profile_is_sourced_and_consistent(name):
    consumer = consumers()[name]
    # the vendor guide it rests on, named in docs/sources.md
    assert consumer.source.endswith("guide (docs/sources.md)") and consumer.record and consumer.reads
    known = {c["permission"] for c in sis_map()["collections"].values()}
    assert set(consumer.permissions) <= known, "a permission the map does not know"
    for read in consumer.reads:
        op = by_id(read.operation, "v1p1")
        assert read.basis and read.confidence in CONFIDENCE, read
        assert set(read.all_fields) | set(read.some_fields) <= set(_fields(op)), read
        if read.confidence == "inferred":  # inferred from a permission the guide grants: it must be granted
            assert permission_for(path_collections(op.path)[-1]).name in consumer.permissions, read


def _fields(op) -> set[str]:
    import json

    from oneroster_conformance.resources import schemas_dir

    s = json.loads((schemas_dir() / "v1p1" / f"{op.response_schema}.json").read_text(encoding="utf-8"))
    wrapper = next(iter(s["properties"].values()))
    ref = wrapper.get("items", wrapper)["$ref"].rsplit("/", 1)[-1]
    return set(s["$defs"][ref]["properties"])


def test_illuminate_says_plainly_it_uses_the_certificate_api():
    illuminate = consumers()["illuminate"]
    assert not illuminate.uses_oneroster and "certificate" in illuminate.api_note
    assert "cannot" in illuminate.api_note and illuminate.not_visible
    assert consumers()["claris"].uses_oneroster and consumers()["incidentiq"].uses_oneroster


def test_the_aeries_records_fixture_matches_the_guides():
    from oneroster_conformance.provider.aeries import records

    by_key = {r.key: r for r in records()}
    for name, consumer in consumers().items():
        assert by_key[name].record == consumer.record
        assert by_key[name].permissions == frozenset(consumer.permissions), name


# ------------------------------------------------------------------ the district admin's sentences
def test_refusal_names_the_box_to_tick():
    claris = consumers()["claris"]
    text = diagnose.refused(claris, "/terms", 403)
    assert text.startswith("Claris: /terms answered 403: in Aeries, Security → API Security → Claris → grant Read "
                           "on School Information → Terms (")
    assert "inferred" in text and "listed in the Claris setup guide" in text
    enrollments = diagnose.refused(claris, "/enrollments", 401)
    assert "grant Read on Scheduling → Classes (Aeries documents this permission for /enrollments" in enrollments


def test_refusal_of_a_nested_operation_names_the_parent_box_next():
    text = diagnose.refused(consumers()["claris"], "/teachers/{teacherSourcedId}/classes", 403)
    assert "grant Read on Scheduling → Master Schedule" in text
    assert "check Scheduling → Teacher Data too" in text


def test_a_permission_the_guide_does_not_list_is_flagged():
    text = diagnose.refused(consumers()["claris"], "/users", 403)
    assert "School Information → Users" in text and "NOT listed in the Claris setup guide" in text


def test_other_gaps_are_not_blamed_on_permissions():
    claris = consumers()["claris"]
    read = claris.reads[0]
    assert "no box to tick" in diagnose.not_served(claris, read, "/orgs", 404)
    assert "not a missing permission" in diagnose.server_trouble(claris, "/orgs", "500")
    creds = diagnose.credentials_refused(claris, "401 invalid_client")
    assert "tick OneRoster" in creds and "Display Consumer ID & Secret Keys for OneRoster" in creds
