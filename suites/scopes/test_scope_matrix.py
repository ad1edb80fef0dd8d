"""Security Framework › Scopes: each scope grants exactly the operations of its table.

For each of the three scopes a token holding that scope alone is requested, and every operation is
called with it: 200 where the scope's table lists the operation, a refusal where not. Where the
provider cannot issue a single-scope token, the cells are not applicable with that reason. On 1.1 the
same matrix runs with the 1.1 scope URIs where the provider uses them (harness.scope_matrix_reason).
"""

import pytest

from oneroster_conformance.checks import answered, expect, fail, not_applicable, observe, require_working
from oneroster_conformance.client import evidence
from oneroster_conformance.client.oauth import TokenError
from oneroster_conformance.spec.operations import SCOPE_PREFIXES, ScopeCase, by_id, roster_core, short_scope


def _call(harness, case):
    require_working(harness, case.op)
    scoped = harness.scoped(case.scope)
    if isinstance(scoped, str):
        not_applicable(scoped)
    creds, scopes = scoped
    ids = harness.crawl.ids_for(case.op)
    if ids is None:
        not_applicable(f"no id to call {case.op.operation_id} with")
    # One call per cell, shared by the checks that judge it (scopes/deny and scopes/forbidden-403) and,
    # for the operation's narrowest granting scope, by its plain call (plain_call).
    reply = harness.scope_cell(case.scope, case.op,
                               lambda: harness.client.once("GET", case.op.url_path(**ids), creds=creds, scopes=scopes))
    evidence.record(reply.exchange)  # the evidence of every check that judges it
    return reply


@pytest.mark.requirement("scopes/grant")
def test_scopes_grant(harness, crawl, scope_grant):
    reply = _call(harness, scope_grant)
    answered(reply)
    expect(reply.status == 200, f"a token holding only {short_scope(scope_grant.scope)} was refused "
           f"{scope_grant.op.operation_id} with {reply.status}, though that scope's table lists it",
           expected=200, actual=reply.status)


@pytest.mark.requirement("scopes/deny")
def test_scopes_deny(harness, crawl, scope_deny):
    reply = _call(harness, scope_deny)
    answered(reply)
    if reply.status == 200:
        fail(f"a token holding only {short_scope(scope_deny.scope)} read {scope_deny.op.operation_id}, which that "
             "scope does not grant", expected="401 or 403", actual="200 with data")
    expect(reply.status in (401, 403), f"{scope_deny.op.operation_id} answered {reply.status} to a token without "
           "its scope", expected="401 or 403", actual=reply.status)


@pytest.mark.requirement("scopes/forbidden-403")
def test_scopes_forbidden_403(harness, crawl, scope):
    denied = [op for op in harness.operations if scope not in op.scopes and not op.path_params]
    if not denied:
        not_applicable(f"{short_scope(scope)} grants every top-level collection")
    reply = _call(harness, ScopeCase(scope, denied[0]))
    answered(reply)
    if reply.status == 200:
        not_applicable("the operation was not refused at all; judged by scopes/deny")
    expect(reply.status == 403, f"{denied[0].operation_id} refused a valid token lacking its scope with "
           f"{reply.status}", expected=403, actual=reply.status)


NEAR_MISSES = {
    "suffix": lambda core: core + "-evil",
    "prefix": lambda core: "x" + core,
    "case": str.upper,
    "truncated": lambda core: core[:-len(".readonly")],
    "other-host": lambda core: core.replace("purl.imsglobal.org", "purl.example.org"),
}


@pytest.mark.requirement("scopes/exact-match")
@pytest.mark.parametrize("variant", sorted(NEAR_MISSES))
def test_scopes_exact_match(harness, variant):
    if harness.scope_matrix_reason:
        not_applicable(harness.scope_matrix_reason)
    near = NEAR_MISSES[variant](roster_core(harness.binding))
    creds = harness.settings.credentials()
    try:
        token = harness.client.tokens.fetch(creds, (near,))
    except TokenError:
        observe("the token endpoint refused the near-miss scope")
        return
    granted = set((token.granted or "").split())
    real = {s for s in granted if s.startswith(SCOPE_PREFIXES[harness.binding]) and s != near}
    users = by_id("getAllUsers", harness.binding)
    reply = harness.client.get(users.path, token=token.access_token)
    answered(reply)
    if reply.status == 200:
        fail(f"a token requested for the made-up scope {near!r} reads {users.path}",
             expected="no access for a near-miss scope", actual=f"200; granted scope {token.granted!r}")
    expect(not real, f"the near-miss scope {near!r} was granted as {sorted(real)}", expected="no real scope granted",
           actual=token.granted)
