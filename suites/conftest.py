"""The checks of a Gradebook, Assessment Results or Resources operation run only where the provider
offers that profile (or the user required it): otherwise they are not applicable, with the evidence
of what the provider answered (oneroster_conformance.services)."""

import pytest

from oneroster_conformance.certificate import PROFILES, unit_of
from oneroster_conformance.checks import not_applicable
from oneroster_conformance.spec.operations import READ_SCOPES, Operation


def _units(callspec) -> list[set[str]]:
    """Groups of profiles a check builds on: each group needs one profile of it offered."""
    groups: list[set[str]] = []
    for name, value in callspec.params.items():
        op = getattr(value, "op", value)
        if isinstance(op, Operation) and unit_of(op):
            groups.append({unit_of(op)})
        scope = getattr(value, "scope", value if name == "scope" else None)
        if isinstance(scope, str):
            for service, scopes in READ_SCOPES.items():
                if scope in scopes and service != "rostering":  # a service's scope: any of its profiles offered
                    groups.append({u for u, p in PROFILES.items() if p.service == service and u != "rostering"})
    return groups


@pytest.fixture(autouse=True)
def _offered_service(request: pytest.FixtureRequest) -> None:
    callspec = getattr(request.node, "callspec", None)
    groups = _units(callspec) if callspec is not None else []
    if not groups:
        return
    harness = request.getfixturevalue("harness")
    for units in groups:
        if not any(harness.checks(u) for u in units):
            offer = harness.offers.get(sorted(units)[0])
            titles = " / ".join(PROFILES[u].title for u in sorted(units))
            not_applicable(f"{titles} not offered by this provider: {offer.evidence if offer else 'not checked'}")
