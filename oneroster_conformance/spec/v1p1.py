"""Run-time facts of the OneRoster 1.1 binding, read from schemas/v1p1/differences.yaml.

The schema-level differences are applied once by scripts/derive_v1p1.py; the ones that change how a
check judges an answer (codeMinor spellings, error-body wrappers, what OAuth 1.0a signing makes
inapplicable, the 1.1 scopes a token request asks for) are the ``harness`` facets read here, so the
suites stay binding-agnostic and the differences stay in one reviewable file.
"""

from __future__ import annotations

from functools import cache

from oneroster_conformance.resources import load_yaml, schemas_dir


@cache
def differences() -> dict:
    return load_yaml(schemas_dir() / "v1p1" / "differences.yaml")


@cache
def _facets() -> dict:
    merged: dict = {}
    for diff in differences()["differences"]:
        for key, value in (diff.get("harness") or {}).items():
            merged[key] = value
    return merged


def code_minor_spellings(binding: str) -> dict[str, frozenset[str]]:
    """1.2 codeMinor value -> the other spellings a provider of this binding may use for it."""
    if binding != "v1p1":
        return {}
    return {k: frozenset(v) for k, v in (_facets().get("code_minor_spellings") or {}).items()}


def status_info_wrappers(binding: str) -> tuple[str, ...]:
    """Keys under which a provider of this binding may wrap a list of imsx_StatusInfo objects."""
    return tuple(_facets().get("status_info_wrappers") or ()) if binding == "v1p1" else ()


def token_scopes(binding: str) -> tuple[str, ...] | None:
    """The scopes a token request asks for on this binding (None: the 1.2 default, all three)."""
    if binding != "v1p1":
        return None
    return tuple(_facets().get("token_scopes") or ())


def other_scopes(binding: str) -> tuple[str, ...]:
    """Scopes of this binding outside the rostering tables (1.1: resource and gradebook), which a
    provider may grant and the harness asks for only when told to (--scope)."""
    return tuple(_facets().get("other_scopes") or ()) if binding == "v1p1" else ()


def signature_method() -> str:
    return str(_facets().get("oauth1_signature_method", "HMAC-SHA256"))


def not_applicable_with_oauth1() -> frozenset[str]:
    """Requirements about the OAuth 2 token endpoint: not applicable when requests are signed."""
    return frozenset(_facets().get("not_applicable_with_oauth1") or ())


def requirement_bindings() -> dict[str, frozenset[str]]:
    """Requirement id -> the bindings the differences say it applies to (for the catalogue test)."""
    out: dict[str, frozenset[str]] = {}
    for diff in differences()["differences"]:
        reqs = diff.get("requirements") or {}
        for rid in reqs.get("v1p2-only", []):
            out[rid] = frozenset({"v1p2"})
        for rid in reqs.get("both", []):
            out[rid] = frozenset({"v1p2", "v1p1"})
    return out


def only_v1p1(flavour: str | None, auth: str | None) -> bool:
    """Only OneRoster 1.1 is possible: the Aeries flavour and OAuth 1.0a request signing exist only there."""
    return flavour == "aeries" or auth == "oauth1"
