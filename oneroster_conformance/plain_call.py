"""An operation's plain call (its path, no query), asked once with a token holding one granting scope.

The plain call answers "does the operation work" (the sample every check builds on, the default-limit
page); a scope cell of the matrix asks the same URL with a token holding that one scope and wants the
same 200. Asked with the narrowest scope that grants the operation, one request answers both. Where
that token is refused (a wrong scope table), the scope cell keeps the refusal and the plain call is
asked again with the run's own token, so the checks that build on it judge the operation, not the
scope table.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from oneroster_conformance.spec.operations import Operation, rostering_scopes, scopes_of

if TYPE_CHECKING:
    from oneroster_conformance.client.http import Reply
    from oneroster_conformance.harness import Harness


def cell_key(scope: str, op: Operation) -> tuple[str, str, str]:
    """The harness.once key of a scope cell's reply: the matrix and the plain call share it."""
    return ("scope-call", scope, op.operation_id)


def run_scopes(harness: Harness) -> tuple[str, ...]:
    """The scopes whose single-scope tokens the matrix asks for, in the matrix's order."""
    if harness.binding == "v1p2":
        return scopes_of(harness.settings.checked_services)
    return rostering_scopes(harness.binding)


def granting_scope(harness: Harness, op: Operation) -> str | None:
    """The run's scope that grants the operation and the fewest others (the core split before the full scope)."""
    mine = [s for s in run_scopes(harness) if s in op.scopes]
    if not mine:
        return None
    reach: Counter[str] = Counter(s for other in harness.operations for s in other.scopes)
    return min(mine, key=lambda s: reach[s])


def plain(harness: Harness, op: Operation, ids: dict[str, str]) -> Reply:
    path = op.url_path(**ids)
    scope = None if harness.scope_matrix_reason else granting_scope(harness, op)
    scoped = harness.scoped(scope) if scope is not None else "no granting scope"
    if not isinstance(scoped, str):
        creds, scopes = scoped
        assert scope is not None
        reply = harness.once(cell_key(scope, op),
                             lambda: harness.client.once("GET", path, creds=creds, scopes=scopes))
        if reply.status == 200 and not reply.error:
            return reply
    return harness.client.once("GET", path)
