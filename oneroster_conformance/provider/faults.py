"""The fault catalogue: named switches that each make the reference provider break one rule.

A fault is one registry entry here plus one ``config.has("name")`` check at the point where the
provider deviates. ``breaks`` names the requirement ids (schemas/requirements.yaml) the deviation
violates, so the harness can prove every requirement fails on at least one fault.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    breaks: tuple[str, ...]
    # Requirements the deviation may also break as a consequence (e.g. through a hypothesis draw
    # that happens to use the broken feature): allowed to fail, not required to.
    also: tuple[str, ...] = ()


FILTER_PROPERTIES = ("filter/predicates", "filter/logical-and", "filter/logical-or")
WRITE_SCOPE = "gradebook-write/scope-enforced"  # a fault that drops scope checks lets writes through as well


def _f(name: str, description: str, *breaks: str, also: tuple[str, ...] = ()) -> tuple[str, Fault]:
    return name, Fault(name, description, tuple(breaks), tuple(a for a in also if a not in breaks))


FAULTS: dict[str, Fault] = dict(
    [
        # ------------------------------------------------------------ pagination
        _f(
            "ignores-offset",
            "offset is ignored: every page starts at the first record.",
            "pagination/window",
            "pagination/complete-walk",
            "pagination/offset-past-end",
        ),
        _f(
            "offset-off-by-one",
            "a non-zero offset skips one record too many.",
            "pagination/complete-walk",
            "pagination/window",
        ),
        _f(
            "silent-limit-cap",
            "pages are capped at 25 rows and neither X-Total-Count nor Link is sent.",
            "pagination/no-silent-cap",
            "pagination/default-limit",
            "pagination/link-header",
            "pagination/total-count-header",
        ),
        _f("default-limit-10", "without limit a page holds 10 records instead of 100.", "pagination/default-limit"),
        _f("no-total-count", "X-Total-Count is never sent.", "pagination/total-count-header"),
        _f(
            "total-count-page",
            "X-Total-Count counts the rows of the page, not the collection.",
            "pagination/total-count-correct",
        ),
        _f("no-link-header", "the Link header is never sent.", "pagination/link-header"),
        _f("bad-link-next", "Link rel=next points at the current offset.", "pagination/link-header"),
        _f(
            "offset-past-end-error",
            "an offset beyond the end (offset > total) answers 404 instead of an empty page.",
            "pagination/offset-past-end",
            also=("pagination/window",),  # a drawn window that starts past the end
        ),
        _f("paging-500", "a non-numeric or negative limit/offset answers 500.", "pagination/malformed-values"),
        # ------------------------------------------------------------ filter
        # The filter properties draw arbitrary clauses, so a filter fault may also show in them.
        _f(
            "case-sensitive-filter",
            "filter values are matched case-sensitively.",
            "filter/case-insensitive",
            also=FILTER_PROPERTIES,
        ),
        _f("or-as-and", "OR in a filter is evaluated as AND.", "filter/logical-or", also=FILTER_PROPERTIES),
        _f("and-as-or", "AND in a filter is evaluated as OR.", "filter/logical-and", also=FILTER_PROPERTIES),
        _f(
            "filter-ne-broken",
            "'!=' behaves as '=' (a parser that split on '=').",
            "filter/predicates",
            also=FILTER_PROPERTIES,
        ),
        _f(
            "filter-500",
            "any '>=' or '<=' filter answers 500.",
            "filter/predicates",
            "filter/delta-sync",
            "filter/logical-and",
            also=FILTER_PROPERTIES,
        ),
        _f(
            "no-dot-notation",
            "filters on a dotted field answer 400 invalid_filter_field.",
            "filter/dot-notation",
            also=FILTER_PROPERTIES,
        ),
        _f(
            "array-equals-any",
            "'=' on an array field matches when ANY listed value is present.",
            "filter/array-semantics",
            also=FILTER_PROPERTIES,
        ),
        _f(
            "delta-sync-date-only",
            "dateLastModified comparisons use only the date part.",
            "filter/delta-sync",
            also=FILTER_PROPERTIES,
        ),
        _f(
            "unknown-filter-ignored",
            "a filter on an unknown field is ignored: 200 with all data.",
            "filter/invalid-field",
        ),
        # ------------------------------------------------------------ sort
        _f(
            "sort-ignored",
            "the sort parameter is ignored.",
            "sort/order",
            also=("sort/collation", "sort/dot-notation", "sort/order-by"),
        ),
        _f("orderby-ignored", "orderBy=desc is ignored.", "sort/order-by"),
        _f("sort-bytewise", "strings sort in byte order, not by the Unicode Collation Algorithm.", "sort/collation"),
        _f("sort-dot-ignored", "a dotted sort field is ignored (default order).", "sort/dot-notation"),
        _f("sort-unknown-500", "sorting on an unknown field answers 500.", "sort/unknown-field"),
        # ------------------------------------------------------------ fields
        _f("fields-ignored", "the fields parameter is ignored.", "fields/subset", "fields/blank-field"),
        _f("fields-unknown-400", "an unknown field name answers 400 invalid_selection_field.", "fields/unknown-field"),
        _f("blank-fields-accepted", "blank field selections are accepted (all data).", "fields/blank-field"),
        # ------------------------------------------------------------ scopes
        _f("scope-not-enforced", "any valid token reaches every operation.", "scopes/deny",
           also=(WRITE_SCOPE,)),
        _f(
            "scope-all-required",
            "an operation needs ALL the scopes it lists (the OpenAPI's literal reading).",
            "scopes/grant",
        ),
        _f("scope-401", "a token lacking the operation's scope gets 401 instead of 403.", "scopes/forbidden-403"),
        _f(
            "scope-prefix-match",
            "a requested scope that starts with or contains a real scope string is granted as that scope.",
            "scopes/exact-match",
        ),
        # ------------------------------------------------------------ auth / token endpoint
        _f("no-auth", "no token is needed at all.", "auth/token-required", "auth/invalid-token", "scopes/deny",
           also=("auth/expired-token", WRITE_SCOPE)),
        _f("any-token-accepted", "any non-empty bearer token is accepted.", "auth/invalid-token"),
        _f("expired-token-accepted", "token expiry is not enforced.", "auth/expired-token"),
        _f("bad-secret-accepted", "the token endpoint ignores the client secret.", "auth/invalid-client"),
        _f("basic-refused", "the token endpoint refuses HTTP Basic client authentication (401 invalid_client) and "
           "accepts the same id and secret in the form body.", "auth/token-issued"),
        _f("token-get-only", "the token endpoint answers POST with 405 and issues tokens to GET only.",
           "auth/token-issued"),
        _f("token-no-scope", "the token response has no scope member (the binding: the authorization server MUST "
           "provide the scopes made available).", "auth/token-scope-granted"),
        _f("token-type-mac", "token_type is 'mac'.", "auth/token-type-bearer"),
        _f(
            "token-scope-superset",
            "the token response lists all three scopes whatever was asked.",
            "auth/token-scope-granted",
        ),
        _f("token-no-expires-in", "the token response has no expires_in.", "auth/token-expires-in"),
        _f(
            "token-cacheable",
            "the token response has no Cache-Control: no-store / Pragma: no-cache.",
            "auth/token-no-store",
        ),
        _f("token-in-link", "Link header URLs carry access_token=<token>.", "auth/credentials-not-in-url"),
        # ------------------------------------------------------------ discovery
        _f("no-discovery", "the discovery file answers 404.", "discovery/openapi-file"),
        _f(
            "discovery-not-localized",
            "the discovery file's servers url is left as example.org.",
            "discovery/localized-server",
        ),
        _f(
            "discovery-overclaims",
            "the demographics operations answer 404 but discovery still lists them.",
            "discovery/operations-served",
            "operations/success",
        ),
        # ------------------------------------------------------------ operations
        _f("endpoint-500", "getAllCourses answers 500.", "operations/success"),
        _f("deep-page-500", "getAllEnrollments answers 500 to a page starting at its 200th record or later "
           "(a deep page the server cannot build).", "operations/success"),
        _f("wrong-content-type", "200 bodies are served as text/html.", "operations/content-type"),
        _f("extra-property", "user records carry an undeclared top-level property.", "operations/response-schema"),
        _f(
            "typed-wrapper",
            "typed single objects are wrapped as 'student', 'teacher', 'school', 'term', "
            "'gradingPeriod' instead of 'user' / 'org' / 'academicSession'.",
            "operations/wrapper-key",
            "operations/response-schema",
        ),
        _f(
            "single-object-mixup",
            "getUser / getStudent / getClass return the next record, not the requested one.",
            "operations/single-object-identity",
        ),
        # ------------------------------------------------------------ errors
        _f("bad-404-body", '404 bodies are {"error": "Not found"}.', "errors/unknown-object", "errors/unknown-parent"),
        _f(
            "unknown-parent-empty",
            "a nested collection of an unknown parent answers 200 with an empty set.",
            "errors/unknown-parent",
        ),
        _f(
            "plain-error-bodies",
            '401 / 403 / 400 / 405 bodies are {"message": ...}.',
            "errors/status-info-body",
            "fields/blank-field",
            "filter/invalid-field",
            "pagination/malformed-values",
        ),
        _f(
            "wrong-code-minor",
            "401 carries codeMinor forbidden and 403 carries unauthorisedrequest.",
            "errors/code-minor",
        ),
        _f("writes-accepted", "POST / PUT / PATCH / DELETE answer 200 (nothing changes).", "errors/method-not-allowed"),
        # ------------------------------------------------------------ data
        _f(
            "bad-datetime",
            "dateLastModified has no 'T' and no zone ('2024-03-01 10:00:00').",
            "data/datetime-utc",
            "operations/response-schema",
            "data/datetime-format",
            also=("filter/delta-sync", *FILTER_PROPERTIES),
        ),
        _f(
            "datetime-no-millis",
            "dateLastModified has no milliseconds ('2024-03-01T10:00:00Z').",
            "data/datetime-format",
            also=("filter/delta-sync", *FILTER_PROPERTIES),
        ),
        _f(
            "enum-ext-not-prefix",
            "one org's type is 'district-ext:region' (contains, but does not start with, ext:).",
            "data/enum-extension",
        ),
        _f("students-include-teachers", "/students also returns teachers.", "data/typed-collection"),
        _f(
            "class-students-include-teachers",
            "/classes/{id}/students also returns the class's teachers.",
            "data/nested-matches",
        ),
        _f(
            "dangling-reference",
            "one class's course reference points to a sourcedId that does not exist.",
            "data/references-resolve",
            also=("data/nested-matches",),
        ),
        # ------------------------------------------------------------ gradebook and resources
        _f(
            "line-item-range-inverted",
            "one lineItem's resultValueMin is above its resultValueMax.",
            "gradebook/result-value-range",
        ),
        _f(
            "result-class-mismatch",
            "one result names a class other than its lineItem's.",
            "gradebook/result-class-consistent",
            # the served class no longer sorts or filters where the stored one does
            also=("sort/dot-notation", *FILTER_PROPERTIES, "filter/case-insensitive", "filter/dot-notation"),
        ),
        _f(
            "result-student-dangling",
            "one result's student names a user the Rostering service does not know.",
            "data/references-resolve",
            also=("data/nested-matches", *FILTER_PROPERTIES, "filter/case-insensitive", "filter/dot-notation"),
        ),
        _f(
            "gradebook-core-overgrants",
            "gradebook-core.readonly also reads the class-nested Gradebook operations (the core/full split ignored).",
            "scopes/deny",
        ),
        _f("relative-href", "hrefs are relative ('~/ims/oneroster/rostering/v1p2/orgs/x').", "data/href-usable"),
        _f("two-primary-roles", "one user has two primary roles at the same org.", "data/primary-role"),
        _f(
            "demographics-own-ids",
            "demographics sourcedIds are prefixed 'demo-' instead of the user's id.",
            "data/demographics-ids",
        ),
        _f(
            "duplicate-ids",
            "one user appears twice in the /users collection.",
            "data/unique-ids",
            "pagination/complete-walk",
        ),
        # ------------------------------------------------------------ gradebook writes
        _f("write-without-scope", "PUT / POST / DELETE are accepted with a token holding read scopes only.",
           WRITE_SCOPE),
        _f("put-partial-store", "PUT stores only the fields the record's DType requires (description, score, "
           "comment, weight, ... are dropped).", "gradebook-write/put-reads-back"),
        _f("put-update-duplicates", "PUT on an existing sourcedId keeps the old record as well: the collection "
           "shows it twice (the single GET shows the new one).", "gradebook-write/put-updates"),
        _f("delete-keeps-record", "DELETE answers 204 but the record still reads back, active.",
           "gradebook-write/delete-removes"),
        _f("post-no-pairs", "POST creates the records but answers 201 with an empty body (no sourcedIdPairs).",
           "gradebook-write/post-pairs"),
        _f("result-unknown-student", "results for unknown students, or students not enrolled in the lineItem's "
           "class, are accepted.", "gradebook-write/refuses-bad-references"),
        _f("write-accepts-invalid", "write bodies missing required fields or with values outside an enumeration "
           "are accepted and stored.", "gradebook-write/refuses-invalid"),
        _f("put-id-mismatch-accepted", "a PUT body whose sourcedId differs from the path's is accepted (stored "
           "under the path's).", "gradebook-write/refuses-invalid"),
        _f("nested-post-wrong-parent", "a nested POST ignores the parent named in the path and keeps the body's.",
           "gradebook-write/nested-parent"),
        _f("delete-twice-204", "DELETE of a record that is not there (e.g. deleted already) answers 204, not 404.",
           "gradebook-write/delete-removes"),
        # ------------------------------------------------------------ transport
        _f(
            "tls-legacy",
            "with TLS on, TLS 1.0 and 1.1 are accepted as well (minimum version TLS 1.0).",
            "transport/tls-version",
        ),
        _f(
            "wrong-base-path",
            "operations are served under /ims/oneroster/v1p2 instead of "
            "/ims/oneroster/rostering/v1p2 (discovery advertises that root).",
            "operations/base-path",
        ),
    ]
)

# Faults of the OneRoster 1.1 provider in its Aeries flavour (ProviderConfig(binding="v1p1",
# flavour="aeries")): the consumer-readiness checks and 1.1 behaviour need breakages of their own.
FAULTS_V1P1: dict[str, Fault] = dict(
    [
        _f("permission-missing-terms", "the consumer API records (Claris, Incident IQ, ...) lack Read on "
           "School Information → Terms: /terms and /academicSessions answer 403 to them.",
           "readiness/operation-served"),
        _f("record-oneroster-off", "the consumer API records have OneRoster unticked: their consumer id and "
           "secret get no token.", "readiness/consumer-connects"),
        _f("teachers-without-email", "teacher records carry no email.", "readiness/data-populated"),
        _f("null-fields", "orgs carry 'identifier': null and 'metadata': null (as one SIS is reported to).",
           "operations/response-schema"),
    ]
)
ALL_FAULTS: dict[str, Fault] = {**FAULTS, **FAULTS_V1P1}


def describe() -> str:
    """One line per fault, for --list-faults (1.1 / Aeries-flavour faults marked)."""
    width = max(map(len, ALL_FAULTS))
    return "\n".join(f"{f.name:<{width}}  {'[1.1 aeries] ' if f.name in FAULTS_V1P1 else ''}{f.description}  "
                     f"[{', '.join(f.breaks)}]" for f in ALL_FAULTS.values())
