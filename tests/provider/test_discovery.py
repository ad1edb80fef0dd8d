"""The localized OpenAPI discovery file."""

from __future__ import annotations

from oneroster_conformance.spec.operations import DISCOVERY_FILE, openapi


def test_discovery_is_localized_and_public(provider, http) -> None:
    response = http.get(f"{provider.base_url}/{DISCOVERY_FILE}")  # no token needed
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    doc = response.json()
    assert doc["servers"][0]["url"] == provider.base_url
    flow = doc["components"]["securitySchemes"]["OAuth2CC"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == provider.token_url
    original = openapi("v1p2")
    assert doc["paths"] == original["paths"] and doc["components"]["schemas"] == original["components"]["schemas"]
    assert original["servers"][0]["url"].startswith("https://example.org")  # the catalogue copy is untouched


def test_discovery_is_read_only(provider, http) -> None:
    response = http.post(f"{provider.base_url}/{DISCOVERY_FILE}", json={})
    assert response.status_code == 405
    assert response.json()["imsx_codeMajor"] == "failure"


def test_public_url_is_used(faulty) -> None:
    client = faulty(public_url="https://sis.example.edu/")
    doc = client.client.get(f"/ims/oneroster/rostering/v1p2/{DISCOVERY_FILE}").json()
    assert doc["servers"][0]["url"] == "https://sis.example.edu/ims/oneroster/rostering/v1p2"
    href = client.get("/classes/cls-alg1-p1").json()["class"]["school"]["href"]
    assert href == "https://sis.example.edu/ims/oneroster/rostering/v1p2/orgs/sch-north"
    assert "<https://sis.example.edu/ims/oneroster/rostering/v1p2/users?" in client.get("/users").headers["link"]


def test_index_names_the_endpoints(provider, http) -> None:
    body = http.get(provider.origin + "/").json()
    assert body["serviceRoot"] == provider.base_url and body["tokenUrl"] == provider.token_url


def test_unknown_paths_are_imsx_404(provider, http) -> None:
    for path in ("/nothing", "/ims/oneroster/rostering/v1p2/nothing", "/ims/oneroster/rostering/v1p2/users/a/b/c"):
        response = http.get(provider.origin + path)
        assert response.status_code == 404
        assert response.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == \
            "unknownobject"
