"""The cases a check is run for, from the fixtures it asks for: operations, scopes, scope cells, readiness.

Each case value describes itself (``case_fields``, see :mod:`.cases`), so results need no knowledge of
fixture names. A new kind of case is one more entry here (or one more source like readiness).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from oneroster_conformance.readiness.cases import Parametrization, readiness_cases
from oneroster_conformance.spec.in_turn import in_turn
from oneroster_conformance.spec.operations import (
    Operation,
    Scope,
    read_operations,
    rostering_scopes,
    scopes_of,
    short_scope,
)
from oneroster_conformance.spec.scope_cells import deny_cells, grant_cells

OPERATION_FIXTURES: dict[str, Callable[[Operation], bool]] = {
    "operation": lambda op: True,
    "collection_operation": lambda op: op.is_collection,
    "top_collection": lambda op: op.is_collection and not op.path_params,
    "nested_operation": lambda op: op.is_nested,
    "single_operation": lambda op: not op.is_collection,
}


def cases(fixturenames: Iterable[str], binding: str, readiness: str | None,
          services: tuple[str, ...] = ("rostering",),
          turns: tuple[str, Sequence[str]] | None = None) -> list[Parametrization]:
    """``turns``: (argument, variants) of a check marked ``in_turn``: each operation is asked one
    variant, taken in turn (spec/in_turn.py), instead of every variant."""
    names = set(fixturenames)
    ops = read_operations(binding, services)  # Rostering, then the other services' GETs
    out: list[Parametrization] = []
    for name, keep in OPERATION_FIXTURES.items():
        if name in names:
            chosen = [op for op in ops if keep(op)]
            if turns is not None and turns[0] in names:
                arg, variants = turns
                turned = [(op, in_turn(op, chosen, variants)) for op in chosen]
                values: list[object] = list(turned)
                out.append((f"{name},{arg}", values, [f"{op.operation_id}-{v}" for op, v in turned]))
                continue
            out.append((name, list(chosen), [op.operation_id for op in chosen]))
    scopes = scopes_of(services) if binding == "v1p2" else rostering_scopes(binding)
    if "scope" in names:
        out.append(("scope", [Scope(s) for s in scopes], [short_scope(s) for s in scopes]))
    out += readiness_cases(names, readiness)
    scoped = any(op.scopes for op in ops)  # an operation catalogue without scopes: no cells (n/a there)
    for name, pick in (("scope_grant", grant_cells), ("scope_deny", deny_cells)):
        if name in names:
            cells = pick(scopes, ops) if scoped else []
            out.append((name, list(cells), [c.case_id for c in cells]))
    return out
