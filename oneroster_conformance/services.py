"""Which of the other OneRoster 1.2 services a provider offers, and the evidence.

Three signals, as a consumer would find them: the service's discovery file (either file name the
spec documents), the scopes the token endpoint grants, and a first GET of the profile's top-level
collections. A profile is offered when one of those GETs answers 200 with its wrapper list; only
then are its operations checked. A profile not offered is reported not applicable with the
evidence, never as a failure, unless the user required it (--require).
"""

from __future__ import annotations

from oneroster_conformance.certificate import Offer, probe_operations
from oneroster_conformance.client.oauth import TokenError
from oneroster_conformance.spec.discovery import SERVICE_DISCOVERY_NAMES as DISCOVERY_NAMES
from oneroster_conformance.spec.operations import READ_SCOPES, short_scope

UNITS = {"gradebook-pull": "gradebook", "assessment-results": "gradebook", "resources": "resources"}
# The certification guide names discovery files after the service; the binding after the OpenAPI file.

def detect(harness) -> dict[str, Offer]:
    settings = harness.settings
    required = settings.required_profiles
    offers: dict[str, Offer] = {}
    if harness.binding != "v1p2" or settings.auth == "oauth1":
        return {unit: Offer(unit, False, "OneRoster 1.1 is checked for Rostering only", unit in required)
                for unit in UNITS}
    tokens: dict[str, str] = {}  # service -> why its token is a problem ("" when there is none)
    for unit, service in UNITS.items():
        root = settings.service_root(service)
        if service not in settings.checked_services:
            offers[unit] = Offer(unit, False, f"the {service} service was not chosen (--services)", unit in required)
            continue
        if service not in tokens:
            tokens[service] = _token_problem(harness, service) or ""
        notes = [_discovery_note(harness, service, root)]
        if tokens[service]:
            notes.append(tokens[service])
        answered = []
        offered = False
        for op in probe_operations(unit) if not tokens[service] or "refused" not in tokens[service] else ():
            reply = harness.client.once("GET", op.path, {"limit": 1})
            body = reply.json_or_none()
            if reply.status == 200 and isinstance(body, dict) and isinstance(body.get(op.wrapper), list):
                offered = True
                answered.append(f"GET {root}{op.path} answered 200 with '{op.wrapper}'")
                break
            answered.append(f"GET {root}{op.path} answered {reply.error or reply.status}")
        evidence = "; ".join(n for n in [*answered, *notes] if n)
        offers[unit] = Offer(unit, offered, evidence, unit in required)
    return offers


def _token_problem(harness, service: str) -> str | None:
    """None when a token for the service's read scopes is granted some of them, else what happened."""
    wanted = READ_SCOPES[service]
    try:
        token = harness.client.tokens.token(harness.settings.credentials(), wanted)
    except TokenError as e:
        return f"the token endpoint refused the {service} scopes ({e})"
    if token.granted:
        granted = set(token.granted.split()) & set(wanted)
        if not granted:
            return f"the token endpoint granted none of {', '.join(short_scope(s) for s in wanted)}"
    return None


def _discovery_note(harness, service: str, root: str) -> str:
    for name in DISCOVERY_NAMES[service]:
        reply = harness.client.once("GET", f"{root}/{name}", token=False)
        if reply.status in (401, 403):
            reply = harness.client.once("GET", f"{root}/{name}")
        doc = reply.json_or_none() if reply.status == 200 else None
        if isinstance(doc, dict) and isinstance(doc.get("paths"), dict):
            return f"discovery file {root}/{name} lists {len(doc['paths'])} paths"
    return f"no discovery file at {root}/{DISCOVERY_NAMES[service][0]}"
