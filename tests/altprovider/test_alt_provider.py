"""The independent provider's own behaviour: each free choice it makes the other way, and the
rules it keeps (scopes, 404 / 405 bodies, paging), over HTTP on loopback."""

from __future__ import annotations

import httpx
import pytest

from oneroster_conformance.altprovider import params
from oneroster_conformance.altprovider.server import DISCOVERY_NAME, AltConfig, serve_in_thread
from oneroster_conformance.altprovider.tokens import PREFIX
from oneroster_conformance.spec.operations import DISCOVERY_FILE

ALL = ("conformance-all", "r7onspAeqEut5eZcY8kZPJMu0U5opJJ9")
CORE = ("conformance-core", "yH26n3FGSl1DbAlpuiRwEL2nveMNID0l")
SCOPES = ("roster.readonly", "roster-core.readonly", "roster-demographics.readonly")


def _scopes(binding: str, *names: str) -> str:
    return " ".join(PREFIX[binding] + n for n in names)


class Api:
    def __init__(self, provider, binding: str) -> None:
        self.p, self.binding, self.http = provider, binding, httpx.Client(timeout=10)

    def token(self, creds=ALL, scope: str | None = None, **data) -> httpx.Response:
        form = {"grant_type": "client_credentials", **data}
        if scope is None:
            scope = _scopes(self.binding, *SCOPES)
        if scope:
            form["scope"] = scope
        return self.http.post(self.p.token_url, auth=creds, data=form)

    def get(self, path: str, params: dict | None = None, token: str | None = None, method: str = "GET"):
        token = token or self.token().json()["access_token"]
        return self.http.request(method, self.p.base_url + path, params=params,
                                 headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def api():
    with serve_in_thread(AltConfig(busy_every=0)) as provider:
        yield Api(provider, "v1p2")


@pytest.fixture(scope="module")
def api11():
    with serve_in_thread(AltConfig(binding="v1p1", busy_every=0)) as provider:
        yield Api(provider, "v1p1")


def _minor(reply) -> str:
    return reply.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def test_token_is_bearer_capitalised_and_not_cached(api):
    reply = api.token()
    assert reply.status_code == 200
    body = reply.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1800
    assert set(body["scope"].split()) == set(_scopes("v1p2", *SCOPES).split())
    assert "no-store" in reply.headers["cache-control"]


def test_token_requests_need_scopes_the_client_holds(api):
    assert api.token(scope="").json()["error"] == "invalid_scope"
    assert api.token(CORE, scope=_scopes("v1p2", "roster.readonly")).json()["error"] == "invalid_scope"
    assert api.token(("conformance-all", "wrong")).status_code == 401


def test_scopes_are_enforced_per_operation(api):
    core = api.token(CORE, scope=_scopes("v1p2", "roster-core.readonly")).json()["access_token"]
    assert api.get("/users", token=core).status_code == 200
    denied = api.get("/demographics", token=core)
    assert denied.status_code == 403 and _minor(denied) == "forbidden"
    assert api.get("/schools/sch-north/classes", token=core).status_code == 403
    assert api.get("/users", token="not-a-token").status_code == 401


def test_v1p1_requires_the_v1p1_scope_uris(api11):
    assert api11.token(scope="").json()["error"] == "invalid_scope"
    assert api11.token(scope=_scopes("v1p2", *SCOPES)).json()["error"] == "invalid_scope"
    reply = api11.get("/users", {"limit": 1})
    assert reply.status_code == 200 and "role" in reply.json()["users"][0] and "roles" not in reply.json()["users"][0]


def test_other_methods_are_405_unsupported(api):
    reply = api.get("/users/x", method="DELETE")
    assert reply.status_code == 405 and reply.json()["imsx_codeMajor"] == "unsupported"
    assert reply.headers["allow"] == "GET, HEAD"


def test_collections_use_charset_relative_links_and_newest_first(api):
    reply = api.get("/users", {"limit": 5, "offset": 5, "fields": "sourcedId,dateLastModified"})
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    links = reply.headers["link"]
    assert '<users?fields=sourcedId%2CdateLastModified&limit=5&offset=10>; rel="next"' in links
    assert "://" not in links
    whole = api.get("/users", {"limit": 60}).json()["users"]
    stamps = [u["dateLastModified"] for u in whole]
    assert stamps == sorted(stamps, reverse=True)
    assert int(reply.headers["x-total-count"]) > 60  # the page cap (60) is announced by the total


def test_every_tenth_request_is_busy():
    with serve_in_thread(AltConfig()) as provider:
        api = Api(provider, "v1p2")
        token = api.token().json()["access_token"]  # the first request
        statuses = [api.get("/orgs", token=token) for _ in range(19)]
    assert [r.status_code for r in statuses] == [200] * 8 + [429] + [200] * 9 + [429]  # requests 10 and 20
    first, second = statuses[8], statuses[18]
    assert first.headers["retry-after"] == "0" and _minor(first) == "server_busy"
    assert second.headers["retry-after"].endswith(" GMT")  # the HTTP-date form


def test_unknown_objects_and_parents_are_404_empty_sets_are_not(api):
    assert _minor(api.get("/users/no-such-user")) == "unknownobject"
    assert api.get("/schools/no-such-school/classes").status_code == 404
    assert api.get("/schools/org-district/classes").status_code == 404  # an org, but not a school
    assert api.get("/students/tch-001/classes").status_code == 404  # a user, but not a student
    assert api.get("/schools/sch-lakeside/classes/cls-alg1-p1/students").status_code == 404  # not that school's
    empty = api.get("/users/par-001/classes")  # a known user without enrolments: an empty set
    assert empty.status_code == 200 and empty.json() == {"classes": []}
    assert api.get("/users/stu-0023/classes").json()["classes"]


def test_query_errors(api):
    bad = api.get("/users", {"filter": "familyName='unterminated"})
    assert bad.status_code == 422 and _minor(bad) == "invaliddata"
    unknown = api.get("/users", {"filter": "noSuchField='x'"})
    assert unknown.status_code == 400 and _minor(unknown) == "invalid_filter_field"
    assert api.get("/users", {"sort": "noSuchField"}).status_code == 422
    blank = api.get("/users", {"fields": "sourcedId,,status"})
    assert blank.status_code == 400 and _minor(blank) == "invalid_selection_field"
    assert len(api.get("/users", {"limit": "abc"}).json()["users"]) == 60  # ignored: the default, capped
    assert api.get("/users", {"offset": "9" * 5000}).json() == {"users": []}


def test_unknown_field_names_return_every_field(api):
    mixed = api.get("/users", {"fields": "sourcedId,noSuchField", "limit": 1}).json()["users"][0]
    assert {"sourcedId", "status", "familyName"} <= set(mixed)
    only = api.get("/users", {"fields": "sourcedId,familyName", "limit": 1}).json()["users"][0]
    assert set(only) == {"sourcedId", "familyName"}


def test_discovery_under_the_certification_guides_name(api):
    served = api.http.get(f"{api.p.base_url}/{DISCOVERY_NAME}")
    assert served.status_code == 200
    doc = served.json()
    assert doc["servers"][0]["variables"]["hostName"]["default"] == api.p.origin.split("://")[1]
    assert doc["components"]["securitySchemes"]["OAuth2CC"]["flows"]["clientCredentials"]["tokenUrl"] == api.p.token_url
    assert api.http.get(f"{api.p.base_url}/{DISCOVERY_FILE}").status_code == 404


RECORD = {"sourcedId": "a", "grades": ["09", "10"], "title": "Ångström",
          "dateLastModified": "2025-01-10T13:37:00.123Z", "school": {"sourcedId": "sch-north"}}


@pytest.mark.parametrize(("text", "matches"), [
    ("grades='09,10'", True), ("grades='10, 09'", True), ("grades='09'", False),  # '=': set equality
    ("grades~'10,11'", True), ("grades>'09'", False),  # '~' any piece; ordering on the first element
    ("title='ÅNGSTRÖM'", True), ("title~'gstr'", True), ("title!='x'", True),
    ("metadata.ext:x!='y'", False),  # a missing value satisfies no predicate, '!=' included
    ("dateLastModified='2025-01-10T13:37:00.123+00:00'", True),  # datetimes compare as instants
    ("dateLastModified>'2025-01-10'", True), ("dateLastModified<'2025-01-10T13:37:00Z'", False),
    ("school.sourcedId='SCH-NORTH' OR title='x'", True), ("title='x' OR grades='09' AND grades~'1'", False),
])
def test_filter_readings(text, matches):
    assert (params.apply_filter(text, [RECORD], "classes", "v1p2") != []) == matches


def test_filter_field_names_come_from_the_schema():
    assert params.known_field("users", "roles.org.sourcedId", "v1p2")
    assert params.known_field("users", "metadata.ext:anything", "v1p2")
    assert not params.known_field("users", "lastName", "v1p2")
    assert params.known_field("users", "role", "v1p1") and not params.known_field("users", "role", "v1p2")


def test_client_credentials_only_by_http_basic(api):
    form = {"grant_type": "client_credentials", "client_id": ALL[0], "client_secret": ALL[1],
            "scope": _scopes("v1p2", "roster.readonly")}
    refused = api.http.post(api.p.token_url, data=form)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert "basic" in refused.headers["www-authenticate"].lower()


def test_wire_form_lower_case_headers_sorted_keys_gzip_and_empty_arrays(api):
    token = api.token().json()["access_token"]
    raw = api.http.get(api.p.base_url + "/users", params={"limit": 3}, headers={
        "Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert "x-total-count" in [k.decode() for k, _ in raw.headers.raw]  # sent in lower case
    user = raw.json()["users"][0]
    assert list(user) == sorted(user)
    parent = api.get("/users/par-001").json()["user"]
    assert parent["grades"] == [] and parent["userProfiles"] == []  # optional arrays served empty, not absent
