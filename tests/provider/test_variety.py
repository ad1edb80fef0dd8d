"""Conformant variety: other readings a real provider may choose, which must stay conformant."""

from __future__ import annotations

import pytest

from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.spec.discovery import DISCOVERY_FILES, DISCOVERY_REVISIONS, revision_of, server_urls
from oneroster_conformance.spec.operations import DISCOVERY_FILE, SERVICE_ROOT


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    (records,) = response.json().values()
    return [r["sourcedId"] for r in records]


def test_newest_first_default_order(faulty) -> None:
    client = faulty(default_order="dateLastModified-desc")
    response = client.get("/users", {"limit": 1000, "fields": "sourcedId,dateLastModified"})
    rows = response.json()["users"]
    keys = [(r["dateLastModified"], r["sourcedId"]) for r in rows]
    assert keys == sorted(keys, reverse=True)
    # paging stays complete and disjoint under that order
    pages = [client.get("/users", {"limit": 10, "offset": off}) for off in range(0, len(rows), 10)]
    walked = [sid for page in pages for sid in _ids(page)]
    assert walked == [r["sourcedId"] for r in rows]


def test_unknown_sort_field_as_an_error(faulty) -> None:
    client = faulty(unknown_sort="error")
    response = client.get("/users", {"sort": "nope"})
    assert response.status_code == 400
    assert response.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == \
        "invalid_filter_field"
    assert client.get("/users", {"sort": "familyName"}).status_code == 200


def test_omitted_operations_are_not_served_nor_listed(faulty) -> None:
    client = faulty(omit_operations=frozenset({"getAllDemographics", "getDemographics"}))
    assert client.get("/demographics").status_code == 404
    assert client.get("/demographics/stu-0001").status_code == 404
    doc = client.client.get(f"{SERVICE_ROOT['v1p2']}/{DISCOVERY_FILE}").json()
    listed = {m.get("operationId") for p in doc["paths"].values() for m in p.values() if isinstance(m, dict)}
    assert "getAllDemographics" not in listed and "getAllUsers" in listed


def test_variety_options_are_validated() -> None:
    with pytest.raises(ValueError):
        ProviderConfig(default_order="random")
    with pytest.raises(ValueError):
        ProviderConfig(unknown_sort="ignore")
    with pytest.raises(ValueError):
        ProviderConfig(page_cap=0)
    with pytest.raises(ValueError):
        ProviderConfig(discovery_name="elsewhere")
    with pytest.raises(ValueError):
        ProviderConfig(discovery_revision="draft")


def test_unsupported_code_major_for_405(faulty) -> None:
    client = faulty(unsupported_code_major=True)
    response = client.client.delete(f"{SERVICE_ROOT['v1p2']}/users/stu-0001",
                                    headers={"Authorization": f"Bearer {client.token}"})
    assert response.status_code == 405
    body = response.json()
    assert (body["imsx_codeMajor"], body["imsx_severity"]) == ("unsupported", "error")
    # other errors stay 'failure'
    assert client.get("/users/no-such-user").json()["imsx_codeMajor"] == "failure"


@pytest.mark.parametrize("name", sorted(DISCOVERY_FILES))
@pytest.mark.parametrize("revision", sorted(DISCOVERY_REVISIONS))
def test_discovery_name_and_revision(faulty, name, revision) -> None:
    client = faulty(discovery_name=name, discovery_revision=revision)
    doc = client.client.get(f"{SERVICE_ROOT['v1p2']}/{DISCOVERY_FILES[name]}").json()
    assert revision_of(doc) == revision
    assert server_urls(doc) == [f"http://testserver{SERVICE_ROOT['v1p2']}"]
    other = next(n for n in DISCOVERY_FILES if n != name)
    assert client.client.get(f"{SERVICE_ROOT['v1p2']}/{DISCOVERY_FILES[other]}").status_code == 404
