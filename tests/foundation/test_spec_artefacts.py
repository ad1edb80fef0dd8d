"""The spec artefacts are extracted mechanically and the catalogue matches the spec's own tables."""

import importlib.util
import json
from pathlib import Path

import pytest

from oneroster_conformance.spec import operations as ops
from oneroster_conformance.spec import requirements

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "seeds" / "003_cd44bb6116f2b120.txt"


def _extractor():
    spec = importlib.util.spec_from_file_location("extract_spec", ROOT / "scripts" / "extract_spec.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SPEC.exists(), reason="the rostering binding's text is not beside this checkout")
def test_extraction_is_reproducible(tmp_path):
    module = _extractor()
    assert module.main(["extract_spec.py", str(SPEC), str(tmp_path)]) == 0
    produced = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in (ROOT / "schemas" / "v1p2").glob("*.json"))
    assert produced == committed
    for name in produced:
        assert (tmp_path / name).read_text() == (ROOT / "schemas" / "v1p2" / name).read_text(), name


def test_twenty_schemas_and_the_openapi_were_extracted():
    names = sorted(p.stem for p in (ROOT / "schemas" / "v1p2").glob("*.json") if p.stem != "openapi")
    assert len(names) == 20
    for name in names:
        assert json.loads((ROOT / "schemas" / "v1p2" / f"{name}.json").read_text())["$id"] == name


def test_operation_counts_match_the_scope_tables():
    assert len(ops.operations()) == 41
    assert all(op.method == "GET" for op in ops.operations())
    counts = {ops.short_scope(s): len(ops.granted_by(s)) for s in ops.ALL_SCOPES}
    assert counts == {"roster.readonly": 39, "roster-core.readonly": 22, "roster-demographics.readonly": 2}


def test_operations_carry_what_suites_need():
    students = ops.by_id("getAllStudents")
    assert students.path == "/students" and students.is_collection and students.wrapper == "users"
    assert ops.by_id("getTerm").wrapper == "academicSession"
    assert ops.by_id("getSchool").wrapper == "org"
    nested = ops.by_id("getEnrollmentsForClassInSchool")
    assert nested.path_params == ("schoolSourcedId", "classSourcedId") and nested.is_nested
    assert nested.url_path(schoolSourcedId="s/1", classSourcedId="c 2") == "/schools/s%2F1/classes/c%202/enrollments"
    assert set(ops.by_id("getAllDemographics").scopes) == {ops.ROSTER_DEMOGRAPHICS}


def test_requirement_catalogue_validates_against_its_schema():
    doc = requirements.raw_catalogue()
    assert requirements.catalogue_errors(doc) == []
    cat = requirements.catalogue()
    assert len(cat.requirements) >= 60
    assert any(not r.normative for r in cat), "NOT NORMATIVE rules are marked"


def test_a_broken_catalogue_is_rejected():
    doc = requirements.raw_catalogue()
    doc["requirements"].append(dict(doc["requirements"][0]))  # duplicate id
    doc["requirements"].append({"id": "Bad Id", "level": "OUGHT", "area": "x", "section": "s", "summary": "s",
                                "bindings": []})
    errors = requirements.catalogue_errors(doc)
    assert any("duplicate id" in e for e in errors)
    assert any("OUGHT" in e for e in errors)
