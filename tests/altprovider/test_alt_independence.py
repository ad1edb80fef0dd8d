"""The independent provider shares no code with the reference provider nor with the harness's oracle:
it may use only the standard library, pyuca and PyYAML, spec data (oneroster_conformance.spec) and
the data files (oneroster_conformance.resources)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import oneroster_conformance.altprovider as alt_package

FOLDER = Path(alt_package.__file__).resolve().parent
ALLOWED_OWN = ("oneroster_conformance.altprovider", "oneroster_conformance.spec", "oneroster_conformance.resources")
ALLOWED_THIRD_PARTY = {"pyuca", "yaml"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved inside the altprovider package
                base = "oneroster_conformance.altprovider" + (f".{base}" if base else "")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_altprovider_imports_neither_the_reference_provider_nor_the_oracle() -> None:
    modules = sorted(FOLDER.glob("*.py"))
    assert len(modules) >= 4
    for module in modules:
        for name in _imports(module):
            top = name.split(".")[0]
            if top == "oneroster_conformance":
                assert name.startswith(ALLOWED_OWN), f"{module.name} imports {name}"
            else:
                assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY or top == "__future__", (
                    f"{module.name} imports {name}")


def test_the_import_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from oneroster_conformance.provider import app\nfrom oneroster_conformance.query import filter\n")
    names = _imports(bad)
    assert not any(n.startswith(ALLOWED_OWN) for n in names if n.startswith("oneroster_conformance."))


def test_the_stack_is_not_the_reference_providers() -> None:
    for module in FOLDER.glob("*.py"):
        names = _imports(module)
        assert not {"starlette", "uvicorn", "sqlite3"} & {n.split(".")[0] for n in names}, module.name
