"""Resolve the settings of a run: command line, then environment, then profile, then the declared default.

A bad value raises ConfigError with one sentence that names the option (or variable, or profile key),
the value and what would be accepted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from oneroster_conformance.client.options import by_name, convert, did_you_mean, profile_keys
from oneroster_conformance.client.settings import ClientCredentials, ConfigError, Settings
from oneroster_conformance.resources import load_yaml
from oneroster_conformance.spec.operations import ALL_SCOPES, SERVICE_ROOT, SERVICE_ROOTS, SERVICES


def load_profile(path: str) -> dict[str, Any]:
    from oneroster_conformance.client.profiles import bundled, locate

    p = locate(path)
    if p is None:
        raise ConfigError(f"the profile file {path} does not exist: check the --profile path "
                          f"(or name a bundled profile: {', '.join(bundled())}).")
    try:
        doc = load_yaml(p) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"the profile file {path} is not valid YAML{at}: {problem}.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"the profile file {path} cannot be read: {getattr(e, 'strerror', None) or e}.") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"the profile file {path} must be a YAML mapping of settings, not {type(doc).__name__}.")
    known = profile_keys()
    unknown = sorted(str(k) for k in set(doc) - known)
    if unknown:
        raise ConfigError(f"the profile file {path} has unknown key(s) {', '.join(unknown)}"
                          f"{did_you_mean(unknown[0], known)}; known keys are {', '.join(sorted(known))}.")
    return doc


def _clients(raw: object, source: str) -> dict[str, ClientCredentials]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: 'clients' must map a name to client_id / client_secret / scopes.")
    out = {}
    for name, c in raw.items():
        if not isinstance(c, dict) or "client_id" not in c or "client_secret" not in c:
            raise ConfigError(f"{source}: client '{name}' needs client_id and client_secret.")
        scopes = c.get("scopes", list(ALL_SCOPES))
        if isinstance(scopes, str):
            scopes = scopes.split()
        out[str(name)] = ClientCredentials(str(c["client_id"]), str(c["client_secret"]), tuple(scopes))
    return out


def detect_binding(base_url: str) -> str | None:
    path = urlsplit(base_url).path.rstrip("/")
    for binding, root in SERVICE_ROOT.items():
        if path.endswith(root):
            return binding
    return None


def _given(value: object) -> bool:
    return value is not None and value != [] and value != ()


def resolve(cli: Mapping[str, object], environ: Mapping[str, str] | None = None) -> Settings:
    """Merge the command line (``cli``: setting name -> raw value, None when not given), environment, profile."""
    env = os.environ if environ is None else environ
    opts = by_name()
    profile: dict[str, Any] = {}
    profile_path = cli.get("profile") or env.get("ONEROSTER_PROFILE") or None
    if profile_path:
        from oneroster_conformance.client.profiles import expand

        host = cli.get("district_host") or env.get("ONEROSTER_DISTRICT_HOST")
        profile = expand(load_profile(str(profile_path)), str(host) if host else None, str(profile_path),
                         ConfigError)
    merged: dict[str, object] = {}
    for name, opt in opts.items():
        if _given(cli.get(name)):
            merged[name] = convert(opt, cli[name], "cli")
        elif opt.env and env.get(opt.env):
            merged[name] = convert(opt, env[opt.env], "env")
        elif opt.profile_key and profile.get(opt.profile_key) is not None:
            merged[name] = convert(opt, profile[opt.profile_key], str(profile_path))
    settings = Settings(**merged)  # type: ignore[arg-type]
    settings.scopes_given = "scopes" in merged
    settings.profile_name = profile.get("name") or (Path(str(profile_path)).stem if profile_path else None)
    settings.extra_clients = _clients(profile.get("clients"), f"the profile file {profile_path}")
    validate(settings)
    return settings


def apply_binding_defaults(s: Settings) -> None:
    """Once the binding is known: a 1.1 token request asks for the 1.1 scope URIs, not the 1.2 ones
    (unless scopes were given), and so do the profile's clients that name no scopes of their own."""
    from oneroster_conformance.spec.v1p1 import token_scopes

    default = token_scopes(s.binding or "v1p2")
    if default is None:
        return
    if not s.scopes_given:
        s.scopes = default
    s.extra_clients = {name: ClientCredentials(c.client_id, c.client_secret, default) if c.scopes == ALL_SCOPES else c
                       for name, c in s.extra_clients.items()}


def _validate_combinations(s: Settings) -> None:
    if s.auth == "oauth1" and (s.binding or "v1p1") != "v1p1":
        raise ConfigError("--auth oauth1 is a OneRoster 1.1 option: 1.2 removed OAuth 1.0a signing "
                          "(use --binding v1p1, or a v1p1 base URL).")
    if s.embedded_flavour == "aeries" and s.binding == "v1p2":
        raise ConfigError("--embedded-flavour aeries serves OneRoster 1.1: drop --binding v1p2 (or use v1p1).")
    if s.readiness_only and not s.readiness:
        raise ConfigError("--readiness-only needs --readiness <consumer> (claris, incidentiq, illuminate or all).")
    if s.gate_scope == "readiness" and not s.readiness:
        raise ConfigError("--gate readiness needs --readiness <consumer> (claris, incidentiq, illuminate or all).")
    if s.gate_levels is not None:
        levels = [x.strip().upper() for x in s.gate_levels.split(",") if x.strip()]
        bad = [x for x in levels if x not in ("MUST", "SHOULD", "MAY")]
        if bad or not levels:
            raise ConfigError(f"--gate-levels {s.gate_levels!r} names no level {', '.join(bad)}: use a "
                              "comma-separated list of MUST, SHOULD and MAY, e.g. MUST,SHOULD.")
    if s.ca_bundle is not None and not Path(s.ca_bundle).is_file():
        raise ConfigError(f"--ca-bundle {s.ca_bundle}: no such file; pass a PEM file of CA certificates.")
    _validate_services(s)


def _validate_services(s: Settings) -> None:
    from oneroster_conformance.certificate import PROFILES

    unknown_services = {x.strip() for x in (s.services or "").split(",") if x.strip()} - set(SERVICES)
    if unknown_services:
        raise ConfigError(f"--services {s.services!r}: {', '.join(sorted(unknown_services))} is not a OneRoster 1.2 "
                          f"service; use a comma-separated list of {', '.join(SERVICES)}.")
    unknown = s.required_profiles - set(PROFILES)
    if unknown:
        raise ConfigError(f"--require {s.require!r}: {', '.join(sorted(unknown))} is not a conformance profile; "
                          f"use a comma-separated list of {', '.join(PROFILES)}.")
    for name, url in (("--gradebook-url", s.gradebook_url), ("--resources-url", s.resources_url)):
        if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
            raise ConfigError(f"{name} {url!r} is not an http(s) URL: pass the service root, e.g. "
                              f"https://sis.example.org{SERVICE_ROOTS[name[2:-4]]}.")


def validate(s: Settings) -> None:
    _validate_combinations(s)
    if s.base_url is None:
        return  # the embedded reference provider will be used
    parts = urlsplit(s.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"--base-url {s.base_url!r} is not an http(s) URL: pass the service root, e.g. "
                          "https://sis.example.org/ims/oneroster/rostering/v1p2.")
    s.base_url = s.base_url.rstrip("/")
    detected = detect_binding(s.base_url)
    if s.binding is None:
        if detected is None:
            raise ConfigError(
                f"--base-url {s.base_url} does not end with a OneRoster service root "
                "(/ims/oneroster/rostering/v1p2 or /ims/oneroster/v1p1): pass the service root, or --binding.")
        s.binding = detected
    elif detected is not None and detected != s.binding:
        want = {"v1p2": "1.2", "v1p1": "1.1"}
        raise ConfigError(f"--binding {s.binding} says OneRoster {want[s.binding]}, but the base URL {s.base_url} "
                          f"is a OneRoster {want[detected]} service root: drop --binding (or pass --binding "
                          f"{detected}).")
    _validate_combinations(s)
    apply_binding_defaults(s)
    missing = [n for n, v in (("--client-id", s.client_id), ("--client-secret", s.client_secret)) if not v]
    if missing:
        raise ConfigError(f"{' and '.join(missing)} missing: a provider at {s.base_url} needs client credentials "
                          "(or set ONEROSTER_CLIENT_ID / ONEROSTER_CLIENT_SECRET).")
    if s.token_url is None:
        s.token_url = f"{parts.scheme}://{parts.netloc}/token"
    elif urlsplit(s.token_url).scheme not in ("http", "https") or not urlsplit(s.token_url).netloc:
        raise ConfigError(f"--token-url {s.token_url!r} is not an http(s) URL.")


def readiness_error(s: Settings, known: tuple[str, ...]) -> str | None:
    """The sentence for a --readiness value that names no consumer (the consumers are readiness data)."""
    if s.readiness is None or s.readiness in (*known, "all"):
        return None
    return (f"--readiness {s.readiness!r} names no consumer{did_you_mean(s.readiness, known)}: use one of "
            f"{', '.join(known)} or all.")
