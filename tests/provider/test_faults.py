"""Every named fault really deviates: one small check per fault, next to the clean behaviour."""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest
import yaml

from oneroster_conformance.provider.auth import load_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.faults import FAULTS
from oneroster_conformance.resources import schemas_dir
from oneroster_conformance.spec.operations import (
    ALL_SCOPES,
    DISCOVERY_FILE,
    GRADEBOOK_CORE,
    GRADEBOOK_READ,
    ROSTER_CORE,
    ROSTERING,
    SERVICE_ROOT,
    SERVICE_ROOTS,
)
from oneroster_conformance.spec.schemas import issues
from tests.provider.writing import CLASS, NOT_ENROLLED, OTHER_CLASS, READ_ONLY, WriteClient
from tests.support import FaultChecks, per_faults

CHECKS = FaultChecks()
check = CHECKS.check


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    (records,) = response.json().values()
    return [r["sourcedId"] for r in records]


def minor(response) -> str:
    return response.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def core_token(c) -> str:
    return c.token_response("conformance-core", scopes=[ROSTER_CORE]).json()["access_token"]


# ------------------------------------------------------------------ pagination
@check("ignores-offset")
def _(c, ok):
    assert ids(c.get("/users", {"limit": 5, "offset": 5})) == ids(ok.get("/users", {"limit": 5}))


@check("offset-off-by-one")
def _(c, ok):
    whole = ids(ok.get("/users", {"limit": 1000}))
    assert ids(c.get("/users", {"limit": 5, "offset": 5})) == whole[6:11]


@check("silent-limit-cap")
def _(c, ok):
    r = c.get("/users", {"limit": 100})
    assert len(ids(r)) == 25 and "x-total-count" not in r.headers and "link" not in r.headers


@check("default-limit-10")
def _(c, ok):
    assert len(ids(c.get("/enrollments"))) == 10 and len(ids(ok.get("/enrollments"))) == 100


@check("no-total-count")
def _(c, ok):
    assert "x-total-count" not in c.get("/users").headers


@check("total-count-page")
def _(c, ok):
    assert c.get("/users", {"limit": 5}).headers["x-total-count"] == "5"


@check("no-link-header")
def _(c, ok):
    assert "link" not in c.get("/users", {"limit": 5}).headers


@check("bad-link-next")
def _(c, ok):
    link = c.get("/users", {"limit": 5, "offset": 10}).headers["link"]
    assert re.search(r'offset=10>; rel="next"', link)


@check("offset-past-end-error")
def _(c, ok):
    assert c.get("/users", {"offset": 10_000}).status_code == 404
    assert ok.get("/users", {"offset": 10_000}).status_code == 200


@check("paging-500")
def _(c, ok):
    assert c.get("/users", {"limit": "abc"}).status_code == 500
    assert c.get("/users", {"limit": "-1"}).status_code == 500
    assert ok.get("/users", {"limit": "abc"}).status_code == 400


# ------------------------------------------------------------------ filter
def flt(client, text, path="/users"):
    return set(ids(client.get(path, {"filter": text, "limit": 1000})))


@check("case-sensitive-filter")
def _(c, ok):
    assert len(flt(ok, "familyName='smith'")) == 2 and len(flt(c, "familyName='smith'")) == 1


@check("or-as-and")
def _(c, ok):
    text = "familyName='Smith' OR familyName='Smythe'"
    assert len(flt(ok, text)) == 3 and flt(c, text) == set()


@check("and-as-or")
def _(c, ok):
    text = "familyName~'o' AND givenName~'a'"
    assert flt(c, text) == flt(ok, "familyName~'o' OR givenName~'a'") != flt(ok, text)


@check("filter-ne-broken")
def _(c, ok):
    assert flt(c, "familyName!='smith'") == flt(ok, "familyName='smith'")


@check("filter-500")
def _(c, ok):
    assert c.get("/users", {"filter": "dateLastModified>='2025-01-01'"}).status_code == 500
    assert c.get("/users", {"filter": "dateLastModified>'2025-01-01'"}).status_code == 200


@check("no-dot-notation")
def _(c, ok):
    r = c.get("/classes", {"filter": "school.sourcedId='sch-north'"})
    assert r.status_code == 400 and minor(r) == "invalid_filter_field"


@check("array-equals-any")
def _(c, ok):
    assert flt(c, "grades='09,10'", "/classes") > flt(ok, "grades='09,10'", "/classes")


@check("delta-sync-date-only")
def _(c, ok):
    text = "dateLastModified>'2025-03-03T12:00:00.000Z'"
    assert flt(ok, text) and not flt(c, text)


@check("unknown-filter-ignored")
def _(c, ok):
    r = c.get("/users", {"filter": "nope='x'"})
    assert r.status_code == 200 and len(ids(r)) == len(ids(ok.get("/users")))


# ------------------------------------------------------------------ sort
def names(client, **params):
    r = client.get("/users", {"limit": 1000, **params})
    assert r.status_code == 200
    return [u["familyName"] for u in r.json()["users"]]


@check("sort-ignored")
def _(c, ok):
    assert names(c, sort="familyName") == names(ok) != names(ok, sort="familyName")


@check("orderby-ignored")
def _(c, ok):
    assert names(c, sort="familyName", orderBy="desc") == names(ok, sort="familyName")


@check("sort-bytewise")
def _(c, ok):
    got = names(c, sort="familyName")
    assert got == sorted(got) and got != names(ok, sort="familyName")


@check("sort-dot-ignored")
def _(c, ok):
    params = {"sort": "school.sourcedId", "limit": 1000}
    assert ids(c.get("/classes", params)) == ids(ok.get("/classes", {"limit": 1000}))
    assert ids(ok.get("/classes", params)) != ids(ok.get("/classes", {"limit": 1000}))


@check("sort-unknown-500")
def _(c, ok):
    assert c.get("/users", {"sort": "nope"}).status_code == 500


# ------------------------------------------------------------------ fields
@check("fields-ignored")
def _(c, ok):
    assert len(c.get("/users/stu-0001", {"fields": "givenName"}).json()["user"]) > 1


@check("fields-unknown-400")
def _(c, ok):
    r = c.get("/users", {"fields": "nope"})
    assert r.status_code == 400 and minor(r) == "invalid_selection_field"


@check("blank-fields-accepted")
def _(c, ok):
    assert c.get("/users", {"fields": ""}).status_code == 200
    assert c.get("/users", {"fields": "givenName,,familyName"}).status_code == 200


# ------------------------------------------------------------------ scopes
@check("scope-not-enforced")
def _(c, ok):
    assert c.get("/demographics", token=core_token(c)).status_code == 200
    assert ok.get("/demographics", token=core_token(ok)).status_code == 403


@check("scope-all-required")
def _(c, ok):
    assert c.get("/users", token=core_token(c)).status_code == 403
    assert ok.get("/users", token=core_token(ok)).status_code == 200


@check("scope-401")
def _(c, ok):
    assert c.get("/demographics", token=core_token(c)).status_code == 401


@check("scope-prefix-match")
def _(c, ok):
    evil = ROSTER_CORE + "-evil"
    assert ok.token_response(scopes=[evil]).status_code == 400
    r = c.token_response(scopes=[evil])
    assert r.status_code == 200
    assert c.get("/users", token=r.json()["access_token"]).status_code == 200


# ------------------------------------------------------------------ auth / token endpoint
@check("no-auth")
def _(c, ok):
    assert c.client.get(SERVICE_ROOT["v1p2"] + "/users").status_code == 200
    assert c.get("/users", token="made-up").status_code == 200


@check("any-token-accepted")
def _(c, ok):
    assert c.get("/users", token="made-up").status_code == 200
    assert c.client.get(SERVICE_ROOT["v1p2"] + "/users").status_code == 401


@check("expired-token-accepted")
def _(c, ok):
    from oneroster_conformance.provider.app import create_app

    app = create_app(ProviderConfig(faults=frozenset({"expired-token-accepted"}), token_lifetime=1,
                                    db_path=c.config.db_path))
    from starlette.testclient import TestClient

    client = TestClient(app)
    secret = load_clients()["conformance-all"].client_secret
    token = client.post("/token", data={"grant_type": "client_credentials", "scope": " ".join(ALL_SCOPES)},
                        auth=("conformance-all", secret)).json()["access_token"]
    time.sleep(1.1)
    r = client.get(SERVICE_ROOT["v1p2"] + "/orgs", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


@check("bad-secret-accepted")
def _(c, ok):
    data = {"grant_type": "client_credentials", "scope": ROSTER_CORE}
    assert c.client.post("/token", data=data, auth=("conformance-all", "wrong")).status_code == 200
    assert ok.client.post("/token", data=data, auth=("conformance-all", "wrong")).status_code == 401


@check("basic-refused")
def _(c, ok):
    assert c.token_response().status_code == 401 and c.token_response().json()["error"] == "invalid_client"
    secret = load_clients()["conformance-all"].client_secret
    form = {"grant_type": "client_credentials", "scope": ROSTER_CORE, "client_id": "conformance-all",
            "client_secret": secret}
    assert c.client.post("/token", data=form).status_code == 200


@check("token-get-only")
def _(c, ok):
    assert c.token_response().status_code == 405 and ok.token_response().status_code == 200
    secret = load_clients()["conformance-all"].client_secret
    query = {"grant_type": "client_credentials", "scope": ROSTER_CORE}
    assert c.client.get("/token", params=query, auth=("conformance-all", secret)).status_code == 200


@check("token-no-scope")
def _(c, ok):
    assert "scope" not in c.token_response().json() and "scope" in ok.token_response().json()


@check("token-type-mac")
def _(c, ok):
    assert c.token_response().json()["token_type"] == "mac"


@check("token-scope-superset")
def _(c, ok):
    body = c.token_response("conformance-core", scopes=[ROSTER_CORE]).json()
    assert set(body["scope"].split()) == set(ALL_SCOPES)


@check("token-no-expires-in")
def _(c, ok):
    assert "expires_in" not in c.token_response().json()


@check("token-cacheable")
def _(c, ok):
    headers = c.token_response().headers
    assert "cache-control" not in headers and "pragma" not in headers


@check("token-in-link")
def _(c, ok):
    assert f"access_token={c.token}" in c.get("/users", {"limit": 5}).headers["link"]
    assert "access_token" not in ok.get("/users", {"limit": 5}).headers["link"]


# ------------------------------------------------------------------ discovery
DISCOVERY = f"{SERVICE_ROOT['v1p2']}/{DISCOVERY_FILE}"


@check("no-discovery")
def _(c, ok):
    assert c.client.get(DISCOVERY).status_code == 404 and ok.client.get(DISCOVERY).status_code == 200


@check("discovery-not-localized")
def _(c, ok):
    assert "example.org" in c.client.get(DISCOVERY).json()["servers"][0]["url"]


@check("discovery-overclaims")
def _(c, ok):
    assert c.get("/demographics").status_code == 404
    assert c.get("/demographics/stu-0001").status_code == 404
    operation_ids = {m["operationId"] for p in c.client.get(DISCOVERY).json()["paths"].values() for m in p.values()
                     if isinstance(m, dict) and "operationId" in m}
    assert {"getAllDemographics", "getDemographics"} <= operation_ids


# ------------------------------------------------------------------ operations
@check("endpoint-500")
def _(c, ok):
    r = c.get("/courses")
    assert r.status_code == 500 and minor(r) == "internal_server_error"
    assert c.get("/classes").status_code == 200


@check("deep-page-500")
def _(c, ok):
    assert c.get("/enrollments?limit=100&offset=100").status_code == 200
    r = c.get("/enrollments?limit=100&offset=200")
    assert r.status_code == 500 and minor(r) == "internal_server_error"
    assert ok.get("/enrollments?limit=100&offset=200").status_code == 200


@check("wrong-content-type")
def _(c, ok):
    assert c.get("/users").headers["content-type"].startswith("text/html")


@check("extra-property")
def _(c, ok):
    body = c.get("/users/stu-0001").json()
    assert "role" in body["user"] and issues("SingleUser", body)
    assert issues("SingleUser", ok.get("/users/stu-0001").json()) == []


@check("typed-wrapper")
def _(c, ok):
    assert list(c.get("/students/stu-0001").json()) == ["student"]
    assert list(c.get("/schools/sch-north").json()) == ["school"]
    assert list(c.get("/terms/as-term-2025-fall").json()) == ["term"]
    assert list(c.get("/users/stu-0001").json()) == ["user"]


@check("single-object-mixup")
def _(c, ok):
    for path, sid in (("/users/stu-0001", "stu-0001"), ("/students/stu-0001", "stu-0001"),
                      ("/classes/cls-alg1-p1", "cls-alg1-p1")):
        (record,) = c.get(path).json().values()
        assert record["sourcedId"] != sid
    assert c.get("/courses/crs-alg1").json()["course"]["sourcedId"] == "crs-alg1"


# ------------------------------------------------------------------ errors
@check("bad-404-body")
def _(c, ok):
    assert c.get("/users/nope").json() == {"error": "Not found"}


@check("unknown-parent-empty")
def _(c, ok):
    r = c.get("/schools/nope/classes")
    assert r.status_code == 200 and r.json() == {"classes": []}


@check("plain-error-bodies")
def _(c, ok):
    assert "message" in c.client.get(SERVICE_ROOT["v1p2"] + "/users").json()
    assert "message" in c.get("/users", {"filter": "nope='x'"}).json()
    assert "message" in c.get("/demographics", token=core_token(c)).json()


@check("wrong-code-minor")
def _(c, ok):
    assert minor(c.client.get(SERVICE_ROOT["v1p2"] + "/users")) == "forbidden"
    assert minor(c.get("/demographics", token=core_token(c))) == "unauthorisedrequest"


@check("writes-accepted")
def _(c, ok):
    before = c.get("/users/stu-0001").json()
    headers = {"Authorization": f"Bearer {c.token}"}
    r = c.client.delete(SERVICE_ROOT["v1p2"] + "/users/stu-0001", headers=headers)
    assert r.status_code == 200
    assert c.get("/users/stu-0001").json() == before


# ------------------------------------------------------------------ data
@check("bad-datetime")
def _(c, ok):
    body = c.get("/users/stu-0001").json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", body["user"]["dateLastModified"])
    assert issues("SingleUser", body)


@check("datetime-no-millis")
def _(c, ok):
    value = c.get("/users/stu-0001").json()["user"]["dateLastModified"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value)


@check("enum-ext-not-prefix")
def _(c, ok):
    body = c.get("/orgs/org-district").json()
    assert body["org"]["type"] == "district-ext:region"
    assert issues("SingleOrg", body) == []  # the spec's unanchored pattern lets it through


@check("students-include-teachers")
def _(c, ok):
    assert "tch-001" in flt(c, "status='active'", "/students")
    assert "tch-001" not in flt(ok, "status='active'", "/students")


@check("class-students-include-teachers")
def _(c, ok):
    teachers = set(ids(ok.get("/classes/cls-alg1-p1/teachers")))
    assert teachers <= set(ids(c.get("/classes/cls-alg1-p1/students")))
    assert not teachers & set(ids(ok.get("/classes/cls-alg1-p1/students")))


@check("dangling-reference")
def _(c, ok):
    first = c.get("/classes", {"limit": 1}).json()["classes"][0]
    assert c.get(f"/courses/{first['course']['sourcedId']}").status_code == 404


@check("relative-href")
def _(c, ok):
    href = c.get("/classes/cls-alg1-p1").json()["class"]["school"]["href"]
    assert href == "~/ims/oneroster/rostering/v1p2/orgs/sch-north"


@check("two-primary-roles")
def _(c, ok):
    student = c.get("/students", {"limit": 1}).json()["users"][0]
    per_org = Counter(r["org"]["sourcedId"] for r in student["roles"] if r["roleType"] == "primary")
    assert max(per_org.values()) == 2


@check("demographics-own-ids")
def _(c, ok):
    sid = c.get("/demographics", {"limit": 1}).json()["demographics"][0]["sourcedId"]
    assert sid.startswith("demo-") and c.get(f"/users/{sid}").status_code == 404
    assert c.get(f"/demographics/{sid}").status_code == 200


@check("duplicate-ids")
def _(c, ok):
    got = ids(c.get("/users", {"limit": 1000}))
    assert len(got) == len(set(got)) + 1
    assert c.get("/users").headers["x-total-count"] == str(len(got))


@check("tls-legacy")
def _(c, ok):
    # The handshake itself is exercised in test_tls.py; here: the TLS context the fault builds.
    import ssl

    import trustme

    from oneroster_conformance.provider.server import uvicorn_config

    cert = trustme.CA().issue_cert("127.0.0.1")
    with cert.private_key_and_cert_chain_pem.tempfile() as certfile, cert.private_key_pem.tempfile() as keyfile:
        legacy = uvicorn_config(c.client.app, c.config, certfile, keyfile).ssl
        modern = uvicorn_config(ok.client.app, ok.config, certfile, keyfile).ssl
    assert legacy.minimum_version < ssl.TLSVersion.TLSv1_2 <= modern.minimum_version


@check("wrong-base-path")
def _(c, ok):
    headers = {"Authorization": f"Bearer {c.token}"}
    assert c.client.get("/ims/oneroster/v1p2/users", headers=headers).status_code == 200
    assert c.get("/users").status_code == 404


# ------------------------------------------------------------------ gradebook
def gradebook(c, path: str, scopes=(GRADEBOOK_READ, GRADEBOOK_CORE), params=None):
    token = c.token_response(scopes=scopes).json()["access_token"]
    return c.client.get(SERVICE_ROOTS["gradebook"] + path, params=params, headers={"Authorization": f"Bearer {token}"})


def _first(c, path: str) -> dict:
    response = gradebook(c, path, params={"limit": 1})
    assert response.status_code == 200, response.text
    (records,) = response.json().values()
    return records[0]


@check("line-item-range-inverted")
def _(c, ok):
    bad, good = _first(c, "/lineItems"), _first(ok, "/lineItems")
    assert bad["resultValueMin"] > bad["resultValueMax"] and good["resultValueMin"] <= good["resultValueMax"]


@check("result-class-mismatch")
def _(c, ok):
    bad, good = _first(c, "/results"), _first(ok, "/results")
    assert bad["sourcedId"] == good["sourcedId"] and bad["class"]["sourcedId"] != good["class"]["sourcedId"]
    assert bad["lineItem"] == good["lineItem"]


@check("result-student-dangling")
def _(c, ok):
    bad, good = _first(c, "/results"), _first(ok, "/results")
    assert bad["student"]["sourcedId"] == "stu-does-not-exist" != good["student"]["sourcedId"]


@check("gradebook-core-overgrants")
def _(c, ok):
    path = "/classes/cls-alg1-p1/lineItems"
    assert gradebook(c, path, scopes=(GRADEBOOK_CORE,)).status_code == 200
    assert gradebook(ok, path, scopes=(GRADEBOOK_CORE,)).status_code == 403
    assert gradebook(ok, "/lineItems", scopes=(GRADEBOOK_CORE,)).status_code == 200


# ------------------------------------------------------------------ the table itself
@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_deviates(name: str, faulty) -> None:
    assert name in CHECKS, f"fault {name!r} has no check"
    CHECKS[name](faulty(name), faulty())


def test_every_check_names_a_fault() -> None:
    assert set(CHECKS) == set(FAULTS)


def test_faults_name_real_requirements() -> None:
    doc = yaml.safe_load((schemas_dir() / "requirements.yaml").read_text(encoding="utf-8"))
    known = {r["id"] for r in doc["requirements"]}
    for fault in FAULTS.values():
        assert fault.breaks and set(fault.breaks) <= known, fault.name
        assert set(fault.also) <= known and not set(fault.also) & set(fault.breaks), fault.name
        assert fault.description


def test_unknown_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="ignores-offset"):
        ProviderConfig(faults=frozenset({"no-such-fault"}))
    assert ProviderConfig(faults=["no-auth"]).faults == frozenset({"no-auth"})


def test_clean_provider_has_no_fault() -> None:
    config = ProviderConfig()
    assert not any(config.has(name) for name in FAULTS)
    with pytest.raises(KeyError):
        config.has("typo")


# ------------------------------------------------------------------ gradebook writes
# Writes change data: each runs on a provider with a database of its own, never the shared sample file.
writer = per_faults(lambda faults, **config: WriteClient(faults, **config))


def _both(name: str) -> tuple[WriteClient, WriteClient]:
    return writer(name), writer()


@check("write-without-scope")
def _(c, ok):
    bad, good = _both("write-without-scope")
    item = good.template("lineItems", "orc-f-scope")
    assert good.put("lineItems", "orc-f-scope", item, scopes=READ_ONLY).status_code == 403
    assert bad.put("lineItems", "orc-f-scope", item, scopes=READ_ONLY).status_code == 201
    assert bad.delete("lineItems", "orc-f-scope", scopes=READ_ONLY).status_code == 204


@check("put-partial-store")
def _(c, ok):
    for w in _both("put-partial-store"):
        w.put("lineItems", "orc-f-partial", w.template("lineItems", "orc-f-partial"))
    bad, good = (w.one("lineItems", "orc-f-partial") for w in _both("put-partial-store"))
    assert "description" in good and "description" not in bad and bad["title"] == good["title"]


@check("put-update-duplicates")
def _(c, ok):
    for w in _both("put-update-duplicates"):
        item = w.template("categories", "orc-f-dup")
        assert w.put("categories", "orc-f-dup", item).status_code == 201
        assert w.put("categories", "orc-f-dup", {**item, "title": "New"}).status_code == 201
        assert w.one("categories", "orc-f-dup")["title"] == "New"
    bad, good = (sorted(r["title"] for r in w.all("categories") if r["sourcedId"] == "orc-f-dup")
                 for w in _both("put-update-duplicates"))
    assert good == ["New"] and len(bad) == 2 and "New" in bad
    assert writer("put-update-duplicates").delete("categories", "orc-f-dup").status_code == 204
    assert not [r for r in writer("put-update-duplicates").all("categories") if r["sourcedId"] == "orc-f-dup"]


@check("delete-keeps-record")
def _(c, ok):
    bad, good = _both("delete-keeps-record")
    assert bad.delete("categories", "cat-cls-alg1-p3-1").status_code == 204
    assert bad.one("categories", "cat-cls-alg1-p3-1")["status"] == "active"
    assert good.delete("categories", "cat-cls-alg1-p3-1").status_code == 204
    assert good.one("categories", "cat-cls-alg1-p3-1") is None


@check("post-no-pairs")
def _(c, ok):
    bad, good = _both("post-no-pairs")
    for w in (bad, good):
        w.before = len(w.all("lineItems"))  # type: ignore[attr-defined]
    r_bad = bad.post(f"/classes/{CLASS}/lineItems", "lineItems", [bad.template("lineItems", "orc-f-pairs")])
    r_good = good.post(f"/classes/{CLASS}/lineItems", "lineItems", [good.template("lineItems", "orc-f-pairs")])
    assert r_bad.status_code == r_good.status_code == 201
    assert r_bad.content == b"" and r_good.json()["sourcedIdPairs"][0]["suppliedSourcedId"] == "orc-f-pairs"
    assert len(bad.all("lineItems")) == bad.before + 1  # type: ignore[attr-defined]


@check("result-unknown-student")
def _(c, ok):
    bad, good = _both("result-unknown-student")
    for student, sid in ((NOT_ENROLLED, "orc-f-ne"), ("no-such-student", "orc-f-unknown")):
        rec = {**good.template("results", sid), "student": good.ref(ROSTERING, "users", "user", student)}
        assert good.put("results", sid, rec).status_code == 422
        assert bad.put("results", sid, rec).status_code == 201
        assert bad.one("results", sid)["student"]["sourcedId"] == student


@check("write-accepts-invalid")
def _(c, ok):
    bad, good = _both("write-accepts-invalid")
    item = good.template("lineItems", "orc-f-invalid")
    for body in ({k: v for k, v in item.items() if k != "title"}, {**item, "status": "deleted"}):
        assert good.put("lineItems", "orc-f-invalid", body).status_code == 422
        assert bad.put("lineItems", "orc-f-invalid", body).status_code == 201
    assert bad.one("lineItems", "orc-f-invalid")["status"] == "deleted"


@check("put-id-mismatch-accepted")
def _(c, ok):
    bad, good = _both("put-id-mismatch-accepted")
    item = good.template("lineItems", "orc-f-other")
    assert good.put("lineItems", "orc-f-path", item).status_code == 422
    assert bad.put("lineItems", "orc-f-path", item).status_code == 201
    assert bad.one("lineItems", "orc-f-path")["sourcedId"] == "orc-f-path"


@check("nested-post-wrong-parent")
def _(c, ok):
    served = []
    for w in _both("nested-post-wrong-parent"):
        item = w.template("lineItems", "orc-f-parent")  # the body names CLASS; the path OTHER_CLASS
        r = w.post(f"/classes/{OTHER_CLASS}/lineItems", "lineItems", [item])
        assert r.status_code == 201, r.text
        served.append(w.one("lineItems", r.json()["sourcedIdPairs"][0]["allocatedSourcedId"])["class"]["sourcedId"])
    assert served == [CLASS, OTHER_CLASS]


@check("delete-twice-204")
def _(c, ok):
    bad, good = _both("delete-twice-204")
    assert [bad.delete("categories", "cat-cls-alg1-p3-2").status_code for _ in range(2)] == [204, 204]
    assert [good.delete("categories", "cat-cls-alg1-p3-2").status_code for _ in range(2)] == [204, 404]
