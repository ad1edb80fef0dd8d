"""The three services' published OpenAPI files are the bytes 1EdTech publishes, never retyped."""

import hashlib
import json
from pathlib import Path

import pytest

PUBLISHED = Path(__file__).resolve().parents[2] / "schemas" / "v1p2" / "published"
SHA256 = {
    "onerosterv1p2rostersservice_openapi3_v1p0.json":
        "06cafc2234ae1cdc58a2fe8ea03a8e0a5bf57d0e39830468d9adf7cc16acd26f",
    "onerosterv1p2gradebookservice_openapi3_v1p0.json":
        "547131deef5d05b411cf49cfaea101fa91b0f9875bc45e06d48125fad3787a5f",
    "onerosterv1p2resourcesservice_openapi3_v1p0.json":
        "92f9c351e774070bb8684b54251e60bc8d2496beb00f80b95ed5066081394503",
}


@pytest.mark.parametrize("name", sorted(SHA256))
def test_published_file_is_byte_for_byte(name):
    data = (PUBLISHED / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == SHA256[name]
    assert json.loads(data)["openapi"].startswith("3.")


def test_no_other_file_is_published_beside_them():
    assert sorted(p.name for p in PUBLISHED.glob("*.json")) == sorted(SHA256)
