"""Static coverage: the catalogue, the checks and the faults name each other completely.

Adding a requirement without a check, a check naming an unknown requirement, or a MUST / SHOULD
requirement that no fault declares it breaks, fails here.
"""

import ast
from pathlib import Path

import yaml

from oneroster_conformance import proof
from oneroster_conformance.provider.faults import FAULTS
from oneroster_conformance.resources import suites_dir
from oneroster_conformance.spec.requirements import catalogue


def named_in_suites() -> dict[str, list[str]]:
    """requirement id -> where a check names it (marker decorators and YAML case rows)."""
    found: dict[str, list[str]] = {}
    for path in sorted(suites_dir().rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "requirement"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.setdefault(node.args[0].value, []).append(f"{path.name}:{node.lineno}")
    for path in sorted(suites_dir().rglob("cases/*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found.setdefault(row["requirement"], []).append(f"{path.name}:{row['id']}")
    return found


def test_every_requirement_is_checked():
    named = named_in_suites()
    unchecked = sorted(r.id for r in catalogue() if r.id not in named)
    assert unchecked == [], f"requirements no check decides: {unchecked}"


def test_every_check_names_a_known_requirement():
    unknown = {rid: where for rid, where in named_in_suites().items() if rid not in catalogue()}
    assert unknown == {}


def test_every_must_and_should_is_broken_by_a_declared_fault():
    declared = {rid for case in proof.cases() for rid in case.breaks}
    missing = sorted(r.id for r in catalogue() if r.level in ("MUST", "SHOULD") and r.id not in declared)
    assert missing == [], f"no fault declares it breaks: {missing}"


def test_faults_name_known_requirements():
    bad = {f.name: [r for r in f.breaks + f.also if r not in catalogue()] for f in FAULTS.values()}
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_coverage_check_itself_can_fail(monkeypatch):
    """A requirement added to the catalogue without a check is caught."""
    from oneroster_conformance.spec import requirements

    real = requirements.catalogue()
    fake = requirements.Requirement(id="pagination/made-up-rule", level="MUST", area="pagination", section="x",
                                    summary="a rule nobody checks", bindings=("v1p2",))
    extended = requirements.Catalogue(real.version, {**real.requirements, fake.id: fake})
    monkeypatch.setattr("tests.proof.test_coverage.catalogue", lambda: extended)
    try:
        test_every_requirement_is_checked()
    except AssertionError as e:
        assert "pagination/made-up-rule" in str(e)
    else:
        raise AssertionError("an unchecked requirement went unnoticed")
    assert Path(__file__).exists()
