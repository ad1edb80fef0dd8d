"""The import rules of docs/architecture.md, enforced: an AST scan of every module's imports."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from oneroster_conformance.outcome import OUTCOMES
from oneroster_conformance.spec.requirements import catalogue

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "oneroster_conformance"


def rules() -> tuple[dict[str, str], dict[str, set[str]]]:
    """(unit -> layer, layer -> layers it may import) from the table in docs/architecture.md."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("<!-- layers:begin -->")[1].split("<!-- layers:end -->")[0]
    layer_of: dict[str, str] = {}
    allowed: dict[str, set[str]] = {}
    for row in table.strip().splitlines()[2:]:
        layer, units, may = (cell.strip() for cell in row.strip("|").split("|"))
        for unit in re.findall(r"`([^`]+)`", units):
            layer_of[unit] = layer
        allowed[layer] = {layer} | {x.strip() for x in may.split(",") if x.strip()}
    return layer_of, allowed


def unit_of(module: str) -> str:
    """'oneroster_conformance.client.http' -> 'client'; a suite module -> 'suites'."""
    if not module.startswith(PACKAGE):
        return "suites"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path, module: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith(PACKAGE)}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith(PACKAGE):
            if node.module == PACKAGE:
                found |= {f"{PACKAGE}.{a.name}" for a in node.names}
            else:
                found.add(str(node.module))
    return found


def graph() -> dict[str, set[str]]:
    out = {}
    for folder in (ROOT / PACKAGE, ROOT / "suites"):
        for path in folder.rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out[module] = imports(path, module)
    return out


def violations(modules: dict[str, set[str]]) -> list[str]:
    layer_of, allowed = rules()
    bad = []
    for module, targets in sorted(modules.items()):
        own = layer_of.get(unit_of(module))
        if own is None:
            bad.append(f"{module} belongs to no layer of docs/architecture.md")
            continue
        for target in sorted(targets):
            layer = layer_of.get(unit_of(target))
            if layer is None:
                # a name imported from the package root (e.g. __version__) or an unknown unit
                if unit_of(target) not in layer_of and "." in target[len(PACKAGE) + 1:]:
                    bad.append(f"{module} imports {target}, which belongs to no layer")
                continue
            if layer not in allowed[own]:
                bad.append(f"{module} ({own}) imports {target} ({layer})")
    return bad


def test_the_package_follows_the_layers():
    assert violations(graph()) == []


def test_a_wrong_import_is_caught():
    fake = {
        f"{PACKAGE}.client.http": {f"{PACKAGE}.report.model"},  # the transport reaching for a report type
        f"{PACKAGE}.client.settings": {f"{PACKAGE}.readiness.consumers"},
        f"{PACKAGE}.query.filter": {f"{PACKAGE}.provider.store"},  # the oracle peeking at the provider
        "suites.scopes.test_scope_matrix": {f"{PACKAGE}.plugin"},
        f"{PACKAGE}.report.html": {f"{PACKAGE}.spec.requirements"},  # allowed
    }
    found = violations(fake)
    assert len(found) == 4, found
    assert any("client.http (transport) imports oneroster_conformance.report.model (report)" in f for f in found)


def test_every_module_has_a_layer():
    layer_of, _ = rules()
    units = {unit_of(m) for m in graph()}
    assert units <= set(layer_of), units - set(layer_of)


def test_the_results_schema_agrees_with_the_catalogue_and_the_outcomes():
    schema = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["area"]["enum"] == [a.id for a in catalogue().areas]
    assert schema["$defs"]["outcome"]["enum"] == [o.value for o in OUTCOMES]
    for req in catalogue():
        assert req.id.split("/")[0] == req.area and catalogue().area(req.area) is not None
