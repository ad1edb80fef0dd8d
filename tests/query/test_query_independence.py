"""The oracle must stay independent of the reference provider (docs/architecture.md, layers)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import oneroster_conformance.query as query_pkg

QUERY_DIR = Path(query_pkg.__file__).resolve().parent
ALLOWED_THIRD_PARTY = {"pyuca", "hypothesis"}


def _imports(path: Path) -> list[str]:
    """Absolute module names a file imports, relative imports resolved against the package."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = ["oneroster_conformance", "query"][: 2 - (node.level - 1)]
                base = ".".join(parent + ([base] if base else []))
            names.append(base)
            names += [f"{base}.{alias.name}" for alias in node.names]  # `from .. import provider`
    return names


def test_query_modules_exist() -> None:
    assert {p.name for p in QUERY_DIR.glob("*.py")} >= {
        "filter.py",
        "evaluate.py",
        "collation.py",
        "sort.py",
        "projection.py",
        "paging.py",
        "strategies.py",
    }


def test_no_query_module_imports_the_provider() -> None:
    for path in QUERY_DIR.glob("*.py"):
        for name in _imports(path):
            assert not name.startswith("oneroster_conformance.provider"), f"{path.name} imports {name}"


def test_query_imports_only_stdlib_pyuca_hypothesis_and_itself() -> None:
    for path in QUERY_DIR.glob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "oneroster_conformance":
                assert name.startswith("oneroster_conformance.query"), f"{path.name} imports {name}"
            else:
                assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY or top == "__future__", (
                    f"{path.name} imports {name}"
                )


def test_relative_import_resolution_catches_a_provider_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from .. import provider\nfrom ..provider import app\n")
    assert "oneroster_conformance.provider" in _imports(bad)
