"""The names and revisions a OneRoster 1.2 rostering discovery file may have.

The rostering binding names the file ``onerosterv1p2rostersservice_openapi3_v1p0.json`` (Service Discovery
section); 1EdTech's certification guide, and 1EdTech's own sample server, use
``imsorv1p2_rostering_openapi3_v1p0.json``. Both are accepted. The OpenAPI itself exists in two published
revisions with the same 41 operations: the listing inside the binding document (``schemas/v1p2/openapi.json``)
and the later file 1EdTech publishes on its own (``schemas/v1p2/published/``, schema names ending in
``DType``, a ``{hostName}{basePath}`` server template). Both are the spec.
"""

from __future__ import annotations

import json
import re
from functools import cache

from oneroster_conformance.resources import schemas_dir
from oneroster_conformance.spec.operations import DISCOVERY_FILES as OPERATIONS_DISCOVERY_FILES

DISCOVERY_FILES = {
    "binding": "discovery/onerosterv1p2rostersservice_openapi3_v1p0.json",
    "certification": "discovery/imsorv1p2_rostering_openapi3_v1p0.json",
}
DISCOVERY_REVISIONS = {
    "listing": "v1p2/openapi.json",
    "published": "v1p2/published/onerosterv1p2rostersservice_openapi3_v1p0.json",
}
# The Gradebook and Resources discovery files: the published file name, then the certification guide's.
SERVICE_DISCOVERY_NAMES = {
    service: (OPERATIONS_DISCOVERY_FILES[service], f"discovery/onerosterv1p2{service}service.json")
    for service in ("gradebook", "resources")
}
_VARIABLE = re.compile(r"{([^{}]+)}")


@cache
def _revision_text(revision: str) -> str:
    return (schemas_dir() / DISCOVERY_REVISIONS[revision]).read_text(encoding="utf-8")


def revision_document(revision: str) -> dict:
    """A fresh copy of one published revision of the rostering OpenAPI (callers may localize it)."""
    return json.loads(_revision_text(revision))


def revision_of(doc: object) -> str:
    """Which published revision a served OpenAPI document follows: 'published' when its schema names end
    in DType (the later file), 'listing' otherwise (the binding document's listing, or a provider's own)."""
    schemas = ((doc or {}).get("components") or {}).get("schemas") if isinstance(doc, dict) else None
    if isinstance(schemas, dict) and any(str(name).endswith("DType") for name in schemas):
        return "published"
    return "listing"


def server_urls(doc: object) -> list[str]:
    """servers[].url, each with its OpenAPI server variables replaced by their defaults (the published
    revision localizes through variables: 'https://{hostName}{basePath}')."""
    if not isinstance(doc, dict):
        return []
    urls = []
    for server in doc.get("servers") or []:
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        variables: dict = server["variables"] if isinstance(server.get("variables"), dict) else {}

        def default(match: re.Match, variables: dict = variables) -> str:
            var = variables.get(match.group(1))
            return str(var.get("default")) if isinstance(var, dict) and "default" in var else match.group(0)

        urls.append(_VARIABLE.sub(default, server["url"]))
    return urls
