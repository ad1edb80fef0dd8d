"""Synthetic results for the report tests and for rendering a realistic sample report.

Run as a script to write a sample run: ``python tests/report/report_samples.py /tmp/sample``
writes results.jsonl, report.html and junit.xml there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # when run as a script from a source checkout
    sys.path.insert(0, str(ROOT))

from oneroster_conformance.report.model import Exchange, Outcome, Result  # noqa: E402
from oneroster_conformance.spec.requirements import catalogue  # noqa: E402

BASE = "https://sis.example.org/ims/oneroster/rostering/v1p2"
SCOPE = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
META = {
    "harness_version": "0.1.0",
    "catalogue_version": "1.0.0",
    "binding": "v1p2",
    "target": "https://sis.example.org/ims/oneroster/rostering/v1p2",
    "profile": "certification",
    "seed": 20240611,
    "started_at": "2024-06-11T14:03:22Z",
    "evidence_mode": "redacted",
}


def curl(url: str) -> str:
    return f"curl -sS -H 'Authorization: Bearer ***MASKED***' -H 'Accept: application/json' '{url}'"


def exchange(path: str, status: int | None = 200, body: str = "", **headers: str) -> Exchange:
    url = BASE + path
    return Exchange(
        method="GET", url=url, status=status,
        request_headers={"Authorization": "Bearer ***MASKED***", "Accept": "application/json"},
        response_headers={"Content-Type": "application/json", **headers} if status else {},
        body_excerpt=body, elapsed_ms=84.2 if status else None, curl=curl(url),
        error=None if status else "ReadTimeout: no response within 30 s",
    )


def make(requirement: str, outcome: Outcome | str, operation: str | None = None,
         params: dict[str, str] | None = None, **kw) -> Result:
    req = catalogue()[requirement]
    op = f"[{operation}]" if operation else ""
    return Result(
        requirement=requirement, level=req.level, area=req.area, section=req.section,
        normative=req.normative, outcome=Outcome(outcome),
        nodeid=f"suites/{req.area}/test_{requirement.split('/')[-1].replace('-', '_')}.py::test{op}",
        operation=operation, params=params or {}, duration_s=0.05, **kw,
    )


def scope_results(broken: set[tuple[str, str]] = frozenset()) -> list[Result]:
    from oneroster_conformance.spec.operations import ALL_SCOPES, granted_by, operations

    out = []
    for op in operations():
        for scope in (SCOPE + "roster-core.readonly", SCOPE + "roster.readonly",
                      SCOPE + "roster-demographics.readonly"):
            assert scope in ALL_SCOPES
            granted = op.operation_id in {o.operation_id for o in granted_by(scope)}
            rid = "scopes/grant" if granted else "scopes/deny"
            short = scope.rsplit("/", 1)[-1]
            if (op.operation_id, short) in broken:
                path = op.path.replace("{", "").replace("}", "")
                out.append(make(rid, "fail", op.operation_id, {"scope": scope},
                                message=f"A token holding only {short} was served {op.operation_id}.",
                                expected="401 or 403 with an imsx_StatusInfo body", actual="200 with 250 records",
                                evidence=[exchange(path, 200, '{"demographics": [{"sourcedId": "…"}]}',
                                                   **{"X-Total-Count": "250"})]))
            else:
                out.append(make(rid, "pass", op.operation_id, {"scope": scope}))
    return out


def minimal_results() -> list[Result]:
    """A handful of results covering every outcome, for unit tests."""
    return [
        make("transport/tls-required", "pass"),
        make("auth/token-no-store", "fail", message="Cache-Control: no-store is missing from the token response.",
             expected="Cache-Control: no-store", actual="Cache-Control: max-age=3600",
             evidence=[Exchange("POST", "https://sis.example.org/oauth/token", 200,
                                {"Authorization": "Basic ***MASKED***"}, {"Cache-Control": "max-age=3600"},
                                '{"access_token": "***MASKED***", "token_type": "bearer"}', 12.0,
                                "curl -sS -u 'client:***MASKED***' -d grant_type=client_credentials "
                                "'https://sis.example.org/oauth/token'")]),
        make("auth/token-expires-in", "warn", message="expires_in is missing."),
        make("pagination/no-silent-cap", "fail", "getAllUsers", {"limit": "5000"},
             message="limit=5000 returned 500 records without a Link next.",
             expected="5000 records or a Link rel=next", actual="500 records, no Link header",
             evidence=[exchange("/users?limit=5000", 200, '{"users": [...]}', **{"X-Total-Count": "12000"})]),
        make("pagination/total-count-header", "warn", "getAllUsers", message="No X-Total-Count header."),
        make("sort/collation", "info", "getAllUsers", {"sort": "familyName"},
             reading="UCA 9.0 collation", message="Sorted by UCA 9.0."),
        make("filter/delta-sync", "not-applicable", "getAllUsers", message="No dateLastModified spread in the data."),
        make("data/datetime-utc", "errored", "getAllClasses", message="ReadTimeout after 30 s",
             evidence=[exchange("/classes", None)]),
        make("scopes/grant", "pass", "getAllUsers", {"scope": SCOPE + "roster.readonly"}),
        make("scopes/deny", "fail", "getAllDemographics", {"scope": SCOPE + "roster-core.readonly"},
             message="Served demographics to a core-only token.", expected="401 or 403", actual="200"),
    ]


def realistic_results() -> list[Result]:
    """A full-looking run of a provider with a few typical problems."""
    from oneroster_conformance.spec.operations import operations

    ops = operations()
    collections = [o for o in ops if o.is_collection and not o.is_nested]
    rs: list[Result] = []
    for rid in ("transport/tls-required", "transport/tls-version", "transport/certificate-valid"):
        rs.append(make(rid, "pass"))
    for rid in ("auth/token-issued", "auth/token-type-bearer", "auth/token-scope-granted", "auth/invalid-client",
                "auth/token-required", "auth/invalid-token", "auth/credentials-not-in-url"):
        rs.append(make(rid, "pass"))
    rs.append(make("auth/token-expires-in", "warn", message="The token response has no expires_in member.",
                   expected="expires_in (seconds), e.g. 3600", actual="absent",
                   evidence=[Exchange("POST", "https://sis.example.org/oauth/token", 200,
                                      {"Authorization": "Basic ***MASKED***",
                                       "Content-Type": "application/x-www-form-urlencoded"},
                                      {"Content-Type": "application/json", "Cache-Control": "private"},
                                      '{"access_token": "***MASKED***", "token_type": "Bearer", '
                                      '"scope": "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"}',
                                      31.5, "curl -sS -u 'district-client:***MASKED***' "
                                      "-d grant_type=client_credentials -d scope=... 'https://sis.example.org/oauth/token'")]))
    rs.append(make("auth/token-no-store", "fail",
                   message="The token response does not forbid caching: Cache-Control is 'private'.",
                   expected="Cache-Control: no-store", actual="Cache-Control: private",
                   evidence=[Exchange("POST", "https://sis.example.org/oauth/token", 200,
                                      {"Authorization": "Basic ***MASKED***"},
                                      {"Content-Type": "application/json", "Cache-Control": "private"},
                                      '{"access_token": "***MASKED***", "token_type": "Bearer"}', 29.0,
                                      "curl -sS -u 'district-client:***MASKED***' "
                                      "-d grant_type=client_credentials 'https://sis.example.org/oauth/token'")]))
    rs.append(make("auth/expired-token", "not-applicable",
                   message="Tokens live 24 h; an expired token cannot be obtained within the run."))
    rs += scope_results({("getAllDemographics", "roster-core.readonly"), ("getDemographics", "roster-core.readonly")})
    rs.append(make("scopes/forbidden-403", "warn", "getAllDemographics",
                   {"scope": SCOPE + "roster-core.readonly"},
                   message="A token without the scope was refused with 401, not 403.",
                   expected="403 Forbidden", actual="401 Unauthorized"))
    rs.append(make("scopes/exact-match", "pass"))
    rs += [make("discovery/openapi-file", "pass"), make("discovery/operations-served", "pass"),
           make("discovery/localized-server", "not-applicable", message="The OpenAPI file lists no servers.")]
    for op in ops:
        rs.append(make("operations/success", "pass", op.operation_id))
        rs.append(make("operations/content-type", "pass", op.operation_id))
        if op.operation_id == "getAllUsers":
            rs.append(make("operations/response-schema", "fail", op.operation_id,
                           message="Record 3 does not match UserSet: roles[0].roleType 'main' is not one of "
                                   "['primary', 'secondary'].",
                           expected="roleType in ['primary', 'secondary']", actual="'main'",
                           schema_path="#/properties/users/items/properties/roles/items/properties/roleType/enum",
                           evidence=[exchange("/users?limit=100", 200,
                                              json.dumps({"users": [{"sourcedId": "u-0003", "status": "active",
                                                                     "roles": [{"roleType": "main", "role": "student",
                                                                                "org": {"sourcedId": "s-1"}}]}]},
                                                         indent=2), **{"X-Total-Count": "12408"})]))
        else:
            rs.append(make("operations/response-schema", "pass", op.operation_id))
    rs += [make("operations/base-path", "pass"), make("operations/wrapper-key", "pass"),
           make("operations/single-object-identity", "pass")]
    rs += [make("errors/unknown-object", "pass", "getUser"),
           make("errors/unknown-parent", "pass", "getClassesForSchool"),
           make("errors/status-info-body", "fail", "getUser",
                message="The 404 body is an HTML page, not imsx_StatusInfo.",
                expected="application/json imsx_StatusInfo (codeMajor failure, severity error)",
                actual="text/html: <html><body><h1>Not Found</h1></body></html>",
                evidence=[exchange("/users/does-not-exist-7f3a", 404,
                                   "<html><body><h1>Not Found</h1></body></html>",
                                   **{"Content-Type": "text/html"})]),
           make("errors/code-minor", "warn", "getUser", message="codeMinor is missing from the 404 body."),
           make("errors/method-not-allowed", "pass", "getUser")]
    for op in collections:
        rs.append(make("pagination/window", "pass", op.operation_id, {"limit": "7", "offset": "3"}))
        rs.append(make("pagination/complete-walk", "pass", op.operation_id))
        rs.append(make("pagination/total-count-correct", "pass", op.operation_id))
        rs.append(make("pagination/link-header", "pass", op.operation_id))
    rs.append(make("pagination/default-limit", "pass", "getAllUsers"))
    rs.append(make("pagination/offset-past-end", "pass", "getAllUsers"))
    rs.append(make("pagination/malformed-values", "pass", "getAllUsers"))
    rs.append(make("pagination/total-count-header", "pass", "getAllUsers"))
    for op in ("getAllUsers", "getAllEnrollments"):
        path = "/users" if op == "getAllUsers" else "/enrollments"
        rs.append(make("pagination/no-silent-cap", "fail", op, {"limit": "5000"},
                       message="limit=5000 returned 1000 records and no Link rel=\"next\": the page looks like the "
                               "last one, but X-Total-Count says 12408.",
                       expected="5000 records, or fewer with a Link rel=\"next\"",
                       actual="1000 records, no Link header",
                       evidence=[exchange(f"{path}?limit=5000", 200, '{"users": [ … 1000 records … ]}',
                                          **{"X-Total-Count": "12408"})]))
    for rid in ("filter/predicates", "filter/logical-and", "filter/logical-or", "filter/dot-notation",
                "filter/array-semantics", "filter/delta-sync"):
        rs.append(make(rid, "pass", "getAllUsers", {"filter": "familyName='O''Brien'"}))
    rs.append(make("filter/case-insensitive", "fail", "getAllUsers", {"filter": "givenName='ana'"},
                   expectation="expected-fail", expectation_reason="https://tracker.example.org/SIS-4411",
                   message="filter=givenName='ana' matched 0 records; 3 records have givenName 'Ana'.",
                   expected="3 records", actual="0 records"))
    rs.append(make("filter/invalid-field", "pass", "getAllUsers", {"filter": "shoeSize='9'"},
                   expectation="stale", expectation_reason="https://tracker.example.org/SIS-4102"))
    for rid in ("sort/order", "sort/order-by", "sort/dot-notation"):
        rs.append(make(rid, "pass", "getAllUsers", {"sort": "familyName"}))
    rs.append(make("sort/collation", "info", "getAllUsers", {"sort": "familyName"},
                   reading="UCA 9.0 (DUCET) ordering", message="Names with accents sort by UCA 9.0."))
    rs.append(make("sort/unknown-field", "pass", "getAllUsers"))
    for rid in ("fields/subset", "fields/unknown-field", "fields/blank-field"):
        if rid in catalogue():
            rs.append(make(rid, "pass", "getAllUsers", {"fields": "sourcedId,givenName"}))
    for req in catalogue():
        if req.area == "data" and req.id != "data/datetime-format":
            rs.append(make(req.id, "pass"))
    rs.append(make("data/datetime-format", "warn", "getAllClasses",
                   message="dateLastModified '2024-05-02T10:11:12Z' has no milliseconds.",
                   expected="YYYY-MM-DDThh:mm:ss.sssZ", actual="2024-05-02T10:11:12Z"))
    rs.append(make("data/references-resolve", "errored", "getAllClasses",
                   message="The provider stopped answering while resolving class references (ReadTimeout after 30 s).",
                   evidence=[exchange("/terms/t-2024-fall", None)]))
    return rs


def main(argv: list[str]) -> None:
    from oneroster_conformance.report.gate import decide
    from oneroster_conformance.report.html import write_html
    from oneroster_conformance.report.jsonl import ResultsWriter
    from oneroster_conformance.report.junit import write_junit

    out = Path(argv[0] if argv else "/tmp/sample")
    out.mkdir(parents=True, exist_ok=True)
    results = realistic_results()
    decision = decide(results)
    w = ResultsWriter(out / "results.jsonl")
    w.header(META)
    for r in results:
        w.result(r)
    w.footer(decision.to_footer())
    write_html(results, out / "report.html", META, decision, catalogue())
    write_junit(results, out / "junit.xml", META, decision.gate_levels)
    print(decision.reason)


if __name__ == "__main__":
    main(sys.argv[1:])
