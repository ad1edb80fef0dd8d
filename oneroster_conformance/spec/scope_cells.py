"""Which cells of the operations x scopes matrix are asked: every grant, and the refusals that decide something.

A refusal is asked of every operation by every token of its own service that lacks its scope (the
core / full, demographics and assessment splits: where a provider's table can be wrong one
operation at a time). A token of another service is asked of each operation once, the foreign
tokens taken in turn (the least used first), so every operation meets a foreign token and every
foreign token meets every other service; asking all of them of every operation sent 5 or 6
requests per operation that a provider enforcing its services' scopes answers alike
(docs/requests.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from oneroster_conformance.spec.operations import READ_SCOPES, Operation, ScopeCase, short_scope

_SERVICE_OF = {short_scope(s): service for service, scopes in READ_SCOPES.items() for s in scopes}


def scope_service(scope: str) -> str | None:
    """The service whose scope table names this scope (any binding's prefix)."""
    return _SERVICE_OF.get(short_scope(scope))


def grant_cells(scopes: Sequence[str], ops: Sequence[Operation]) -> list[ScopeCase]:
    return [ScopeCase(s, op) for s in scopes for op in ops if s in op.scopes]


def deny_cells(scopes: Sequence[str], ops: Sequence[Operation]) -> list[ScopeCase]:
    """The refusals asked, in matrix order (scope, then operation)."""
    chosen: set[tuple[str, str]] = set()
    for s in scopes:
        # the scope's forbidden-403 probe (its first refused top-level collection) is always a cell:
        # the two checks share that one request
        first = next((op for op in ops if s not in op.scopes and not op.path_params), None)
        if first is not None:
            chosen.add((s, first.operation_id))
    used: Counter[tuple[str, str]] = Counter()  # (foreign token, service asked) -> cells
    for op in ops:
        denying = [s for s in scopes if s not in op.scopes]
        own = [s for s in denying if scope_service(s) == op.service]
        foreign = [s for s in denying if s not in own]
        chosen.update((s, op.operation_id) for s in own)
        if foreign and not any((s, op.operation_id) in chosen for s in foreign):
            pick = min(foreign, key=lambda s: (used[(s, op.service)], scopes.index(s)))
            chosen.add((pick, op.operation_id))
        for s in foreign:
            used[(s, op.service)] += (s, op.operation_id) in chosen
    # a foreign token that no operation of a service drew (fewer operations than tokens): one more cell
    for s in scopes:
        for service in {op.service for op in ops}:
            mine = [op for op in ops if op.service == service and s not in op.scopes]
            if mine and scope_service(s) != service and not used[(s, service)]:
                chosen.add((s, mine[0].operation_id))
    return [ScopeCase(s, op) for s in scopes for op in ops if (s, op.operation_id) in chosen]
