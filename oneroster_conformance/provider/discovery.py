"""The reference provider's discovery files (one per service) and its index page.

The rostering file is either published revision of the OpenAPI under either accepted file name
(variety options), localized to this server; the Gradebook and Resources files are their published
OpenAPI files pointed at this server.
"""

from __future__ import annotations

import copy

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from oneroster_conformance.provider.app import ProviderState, error_response, origin, token_path
from oneroster_conformance.provider.errors import ProviderError
from oneroster_conformance.spec.discovery import DISCOVERY_FILES, revision_document
from oneroster_conformance.spec.operations import ROSTERING, SERVICE_ROOTS, published


def discovery_document(request: Request, state: ProviderState) -> dict:
    doc = revision_document(state.config.discovery_revision)
    for path, item in list(doc["paths"].items()):
        if any(spec.get("operationId") in state.config.omit_operations for spec in item.values()
               if isinstance(spec, dict)):
            del doc["paths"][path]
    if state.config.has("discovery-not-localized"):
        return doc
    here = origin(request, state.config)
    if state.config.discovery_revision == "published":  # that revision localizes through its server variables
        scheme, host = here.split("://", 1)
        doc["servers"] = [{"url": scheme + "://{hostName}{basePath}", "description": "This reference provider.",
                           "variables": {"hostName": {"default": host},
                                         "basePath": {"default": state.root_path, "enum": [state.root_path]}}}]
    else:
        doc["servers"] = [{"url": here + state.root_path, "description": "This reference provider."}]
    for scheme in doc.get("components", {}).get("securitySchemes", {}).values():
        flow = scheme.get("flows", {}).get("clientCredentials")
        if flow is not None:
            flow["tokenUrl"] = here + "/token"
    return doc


def service_discovery_document(request: Request, state: ProviderState, service: str) -> dict:
    """The published OpenAPI file of the Gradebook or Resources service, pointed at this server."""
    doc = copy.deepcopy(published(service))
    here = origin(request, state.config)
    doc["servers"] = [{"url": here + SERVICE_ROOTS[service], "description": "This reference provider."}]
    for scheme in doc.get("components", {}).get("securitySchemes", {}).values():
        flow = scheme.get("flows", {}).get("clientCredentials")
        if flow is not None:
            flow["tokenUrl"] = here + "/token"
    return doc


def endpoint(state: ProviderState, service: str = ROSTERING):
    """The discovery file of a service (read-only)."""
    def endpoint(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return error_response(ProviderError(405, "The discovery file is read-only.",
                                                headers={"Allow": "GET, HEAD"}), state.config)
        if service != ROSTERING:
            return JSONResponse(service_discovery_document(request, state, service))
        return JSONResponse(discovery_document(request, state))

    return endpoint


def index_endpoint(state: ProviderState):
    """What is served here, for a person who opens the root URL."""
    def endpoint(request: Request) -> Response:
        here = origin(request, state.config)
        index = {
            "service": f"OneRoster {'1.1' if state.config.binding == 'v1p1' else '1.2'} rostering reference provider",
            "serviceRoot": here + state.root_path,
            "tokenUrl": here + token_path(state.config),
        }
        if state.config.binding == "v1p2":
            index["discovery"] = f"{here}{state.root_path}/{DISCOVERY_FILES[state.config.discovery_name]}"
        return JSONResponse(index)

    return endpoint
