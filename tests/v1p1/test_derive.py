"""The 1.1 artefacts are derived, never hand-edited: schemas/v1p1/ is exactly what
scripts/derive_v1p1.py makes of schemas/v1p2/ and the one list of differences."""

from __future__ import annotations

import importlib.util
import json

import pytest
from jsonschema import Draft201909Validator

from oneroster_conformance.resources import data_root, schemas_dir
from oneroster_conformance.spec import v1p1
from oneroster_conformance.spec.operations import operations, rostering_scopes, short_scope
from oneroster_conformance.spec.requirements import catalogue

SCRIPT = data_root() / "scripts" / "derive_v1p1.py"


def _script():
    spec = importlib.util.spec_from_file_location("derive_v1p1", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_artefacts_are_what_the_script_writes():
    derived = _script().derive()
    committed = {p.name for p in (schemas_dir() / "v1p1").glob("*.json")}
    assert committed == set(derived), "schemas/v1p1 holds files the script does not write (or lacks some)"
    stale = [name for name, text in derived.items()
             if (schemas_dir() / "v1p1" / name).read_text(encoding="utf-8") != text]
    assert stale == [], f"re-run python scripts/derive_v1p1.py: {stale} differ"


def test_the_staleness_check_can_fail(tmp_path, monkeypatch, capsys):
    script = _script()
    for p in (schemas_dir() / "v1p1").glob("*.json"):
        (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(script, "TARGET", tmp_path)
    assert script.main(["--check"]) == 0
    user = json.loads((tmp_path / "UserSet.json").read_text(encoding="utf-8"))
    user["$defs"]["User"]["required"].remove("role")  # a hand edit
    (tmp_path / "UserSet.json").write_text(json.dumps(user), encoding="utf-8")
    assert script.main(["--check"]) == 1
    assert "UserSet.json" in capsys.readouterr().out


def test_every_difference_names_its_source_and_confidence():
    doc = v1p1.differences()
    sources = set(doc["sources"])
    ops = set(_script().OPS)
    for diff in doc["differences"]:
        assert diff["what"] and diff["source"], diff["id"]
        assert set(diff["source"]) <= sources, diff["id"]
        assert diff["confidence"] in ("high", "medium", "low"), diff["id"]
        assert {t["op"] for t in diff.get("transform") or []} <= ops, diff["id"]


def test_catalogue_bindings_agree_with_the_differences():
    cat = catalogue()
    wrong = {rid: cat[rid].bindings for rid, want in v1p1.requirement_bindings().items()
             if frozenset(cat[rid].bindings) != want}
    assert wrong == {}


@pytest.mark.parametrize("path", sorted(p.name for p in (schemas_dir() / "v1p1").glob("*.json")
                                        if p.name != "openapi.json"))
def test_derived_schemas_are_valid_json_schemas(path):
    Draft201909Validator.check_schema(json.loads((schemas_dir() / "v1p1" / path).read_text(encoding="utf-8")))


def test_the_1p1_catalogue():
    ops = operations("v1p1")
    assert len(ops) == 41 and {op.operation_id for op in ops} == {op.operation_id for op in operations("v1p2")}
    # 1.1's endpoint tables: the same operations per scope as 1.2, under the v1p1 scope URIs
    v1p2 = {op.operation_id: {short_scope(s) for s in op.scopes} for op in operations("v1p2")}
    assert {op.operation_id: {short_scope(s) for s in op.scopes} for op in ops} == v1p2
    assert {s for op in ops for s in op.scopes} == set(rostering_scopes("v1p1"))
    user = json.loads((schemas_dir() / "v1p1" / "UserSet.json").read_text(encoding="utf-8"))["$defs"]["User"]
    assert {"role", "orgs", "username"} <= set(user["required"])
    gone = {"roles", "primaryOrg", "userMasterIdentifier", "preferredFirstName", "pronouns"}
    assert not gone & set(user["properties"])
    status = user["properties"]["status"]["enum"]
    assert status == ["active", "tobedeleted", "inactive"]
    minors = json.loads((schemas_dir() / "v1p1" / "imsx_StatusInfo.json").read_text(encoding="utf-8"))
    values = minors["$defs"]["imsx_CodeMinorField"]["properties"]["imsx_codeMinorFieldValue"]["enum"]
    assert {"unknown object", "invalid_blank_selection_field", "unknownobject"} <= set(values)
