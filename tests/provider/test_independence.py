"""The provider never imports the harness's oracle or client side (docs/architecture.md, layers)."""

from __future__ import annotations

import ast
from pathlib import Path

import oneroster_conformance.provider as provider_package

FORBIDDEN = ("oneroster_conformance.query", "oneroster_conformance.client", "oneroster_conformance.plugin",
             "oneroster_conformance.report", "oneroster_conformance.altprovider")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports stay inside the provider package
                found.add("oneroster_conformance.provider." + (node.module or ""))
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_provider_modules_do_not_import_the_oracle() -> None:
    folder = Path(provider_package.__file__).parent
    modules = sorted(folder.rglob("*.py"))
    assert len(modules) > 10
    for module in modules:
        bad = [name for name in _imports(module) if name.startswith(FORBIDDEN) or name in ("oneroster_conformance",)]
        assert not bad, f"{module.name} imports {bad}"
