"""Run settings: where the provider is, how to authenticate, how politely to ask.

Resolution order: command line, then environment (ONEROSTER_*), then the --profile YAML file,
then defaults. A bad value raises ConfigError with one sentence that says how to fix it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from oneroster_conformance.resources import load_yaml
from oneroster_conformance.spec.operations import ALL_SCOPES, SERVICE_ROOT, SERVICE_ROOTS, SERVICES


class ConfigError(Exception):
    """Bad configuration: reported as one plain sentence, never a traceback."""


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] = ALL_SCOPES


@dataclass
class Settings:
    base_url: str | None = None
    token_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    auth_style: str = "basic"  # "basic" (HTTP Basic) or "body" (client_id/secret in the form body)
    scopes: tuple[str, ...] = ALL_SCOPES
    binding: str | None = None  # v1p2 / v1p1; detected from the base URL when absent
    timeout: float = 15.0
    rate_limit: float = 10.0  # requests per second, global; 0 = unlimited
    max_concurrency: int = 4
    retry_after_cap: float = 30.0
    max_body_bytes: int = 64 * 1024 * 1024
    ca_bundle: str | None = None
    insecure: bool = False
    report_dir: str = "reports"
    profile_name: str | None = None
    extra_clients: dict[str, ClientCredentials] = field(default_factory=dict)
    probe_writes: bool = True  # 405 probes (sent to made-up sourcedIds only)
    evidence: str | None = None  # "full" or "redacted"; default depends on the target
    sweep: str | None = None  # "full" or "sample"; default full for the embedded provider, sample otherwise
    sample_records: int = 5000  # records read per collection in a sample sweep
    page_size: int = 100  # limit= of the crawl's pages (a large district sweeps faster with 1000-10000)
    workers: int = 4  # threads crawling collections and fetching ahead (in flight still <= max_concurrency)
    embedded: bool = False
    embedded_faults: tuple[str, ...] = ()
    embedded_flavour: str | None = None  # "aeries": the embedded reference provider behaves like Aeries (1.1)
    auth: str = "oauth2"  # "oauth2" (bearer tokens) or "oauth1" (OAuth 1.0a request signing, a 1.1 option)
    readiness: str | None = None  # consumer readiness checks: a consumer name or "all"
    # requirement id -> a publicly reported explanation for this kind of provider, appended to findings
    known_behaviour: dict[str, str] = field(default_factory=dict)
    scopes_given: bool = field(default=False, repr=False)  # scopes came from the user, not the default
    # The other 1.2 services: found on the rostering root's origin unless given; which to check; which are required.
    gradebook_url: str | None = None
    resources_url: str | None = None
    services: str | None = None  # comma-separated: rostering,gradebook,resources (default: all three)
    require: str | None = None  # comma-separated conformance profiles that must be offered (see certificate)

    def service_root(self, service: str) -> str:
        """The root URL of a 1.2 service: given explicitly, else the rostering root's origin + its root path."""
        given = {"gradebook": self.gradebook_url, "resources": self.resources_url}.get(service)
        if given:
            return given.rstrip("/")
        if service == "rostering" or not self.base_url:
            return self.base_url or ""
        base = (self.base_url or "").rstrip("/")
        rostering = SERVICE_ROOTS["rostering"]
        prefix = base[: -len(rostering)] if base.endswith(rostering) else self.origin
        return prefix + SERVICE_ROOTS[service]

    @property
    def checked_services(self) -> tuple[str, ...]:
        if (self.binding or "v1p2") != "v1p2":
            return ("rostering",)
        if not self.services:
            return SERVICES
        chosen = {x.strip() for x in self.services.split(",") if x.strip()}
        return tuple(s for s in SERVICES if s in chosen or s == "rostering")

    @property
    def required_profiles(self) -> frozenset[str]:
        return frozenset(x.strip() for x in (self.require or "").split(",") if x.strip())

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url or "")
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def sweep_mode(self) -> str:
        return self.sweep or ("full" if self.embedded else "sample")

    @property
    def evidence_mode(self) -> str:
        return self.evidence or ("full" if self.embedded else "redacted")

    def credentials(self) -> ClientCredentials:
        assert self.client_id is not None and self.client_secret is not None
        return ClientCredentials(self.client_id, self.client_secret, self.scopes)


ENV = {
    "base_url": "ONEROSTER_BASE_URL",
    "token_url": "ONEROSTER_TOKEN_URL",
    "client_id": "ONEROSTER_CLIENT_ID",
    "client_secret": "ONEROSTER_CLIENT_SECRET",
}
PROFILE_KEYS = {f.name for f in fields(Settings)} - {"embedded", "embedded_faults", "embedded_flavour", "extra_clients",
                                                      "scopes_given"} | {
    "clients", "name"
}
_TYPES = {"timeout": (int, float), "rate_limit": (int, float), "max_concurrency": int,
          "retry_after_cap": (int, float), "max_body_bytes": int, "sample_records": int, "insecure": bool,
          "probe_writes": bool, "known_behaviour": dict, "page_size": int, "workers": int}


def load_profile(path: str) -> dict:
    from oneroster_conformance.client.profiles import bundled, locate

    p = locate(path)
    if p is None:
        raise ConfigError(f"the profile file {path} does not exist: check the --profile path "
                          f"(or name a bundled profile: {', '.join(bundled())}).")
    try:
        doc = load_yaml(p) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"the profile file {path} is not valid YAML: {str(e).splitlines()[0]}.") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"the profile file {path} must be a YAML mapping of settings.")
    unknown = sorted(set(doc) - PROFILE_KEYS)
    if unknown:
        raise ConfigError(
            f"the profile file {path} has unknown key(s) {', '.join(unknown)}; "
            f"known keys are {', '.join(sorted(PROFILE_KEYS))}."
        )
    for key, typ in _TYPES.items():
        if key in doc and (not isinstance(doc[key], typ) or (typ is not bool and isinstance(doc[key], bool))):
            raise ConfigError(f"the profile file {path}: '{key}' must be a {getattr(typ, '__name__', 'number')}, "
                              f"not {doc[key]!r}.")
    if "sweep" in doc and doc["sweep"] not in ("full", "sample"):
        raise ConfigError(f"the profile file {path}: 'sweep' must be 'full' or 'sample'.")
    if "auth_style" in doc and doc["auth_style"] not in ("basic", "body"):
        raise ConfigError(f"the profile file {path}: 'auth_style' must be 'basic' or 'body'.")
    if not all(isinstance(v, str) for v in (doc.get("known_behaviour") or {}).values()):
        raise ConfigError(f"the profile file {path}: 'known_behaviour' must map requirement ids to sentences.")
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


def resolve(cli: dict, environ: dict[str, str] | None = None) -> Settings:
    """Merge command line (``cli``: option name -> value or None), environment and profile."""
    environ = os.environ if environ is None else environ
    profile: dict = {}
    if cli.get("profile"):
        from oneroster_conformance.client.profiles import expand

        profile = expand(load_profile(cli["profile"]), cli.get("district_host") or environ.get(
            "ONEROSTER_DISTRICT_HOST"), cli["profile"], ConfigError)
    merged: dict = {}
    for key in PROFILE_KEYS - {"clients", "name"}:
        value = cli.get(key)
        if value is None and key in ENV:
            value = environ.get(ENV[key]) or None
        if value is None:
            value = profile.get(key)
        if value is not None:
            merged[key] = value
    if isinstance(merged.get("scopes"), str):
        merged["scopes"] = tuple(merged["scopes"].split())
    elif "scopes" in merged:
        merged["scopes"] = tuple(merged["scopes"])
    settings = Settings(**merged)
    settings.scopes_given = "scopes" in merged
    settings.profile_name = profile.get("name") or (Path(cli["profile"]).stem if cli.get("profile") else None)
    settings.extra_clients = _clients(profile.get("clients"), f"the profile file {cli.get('profile')}")
    validate(settings)
    return settings


def apply_binding_defaults(s: Settings) -> None:
    """Once the binding is known: a 1.1 token request asks for no 1.2 scope (unless scopes were given)."""
    from oneroster_conformance.spec.v1p1 import token_scopes

    default = token_scopes(s.binding or "v1p2")
    if default is not None and not s.scopes_given:
        s.scopes = default


def _validate_services(s: Settings) -> None:
    from oneroster_conformance.certificate import PROFILES

    unknown = {x.strip() for x in (s.services or "").split(",") if x.strip()} - set(SERVICES)
    if unknown:
        raise ConfigError(f"--services {s.services!r}: {', '.join(sorted(unknown))} is not a OneRoster 1.2 service; "
                          f"use a comma-separated list of {', '.join(SERVICES)}.")
    unknown = s.required_profiles - set(PROFILES)
    if unknown:
        raise ConfigError(f"--require {s.require!r}: {', '.join(sorted(unknown))} is not a conformance profile; "
                          f"use a comma-separated list of {', '.join(PROFILES)}.")
    for name, url in (("--gradebook-url", s.gradebook_url), ("--resources-url", s.resources_url)):
        if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
            raise ConfigError(f"{name} {url!r} is not an http(s) URL: pass the service root, e.g. "
                              f"https://sis.example.org{SERVICE_ROOTS[name[2:-4]]}.")


def _validate_choices(s: Settings) -> None:
    _validate_services(s)
    if s.auth not in ("oauth2", "oauth1"):
        raise ConfigError(f"auth {s.auth!r} is not known: use oauth2 (bearer tokens) or oauth1 (OAuth 1.0a signing).")
    if s.auth == "oauth1" and (s.binding or "v1p1") != "v1p1":
        raise ConfigError("--auth oauth1 is a OneRoster 1.1 option: 1.2 removed OAuth 1.0a signing "
                          "(use --binding v1p1, or a v1p1 base URL).")
    if s.readiness is not None:
        from oneroster_conformance.readiness.consumers import consumer_names

        known = consumer_names()
        if s.readiness not in (*known, "all"):
            raise ConfigError(f"--readiness {s.readiness!r} names no consumer: use one of {', '.join(known)} or all.")
    if s.embedded_flavour not in (None, "aeries"):
        raise ConfigError(f"embedded flavour {s.embedded_flavour!r} is not known: use aeries.")
    if s.embedded_flavour == "aeries" and s.binding == "v1p2":
        raise ConfigError("the embedded Aeries flavour serves OneRoster 1.1: drop --binding v1p2 (or use v1p1).")


def validate(s: Settings) -> None:
    _validate_choices(s)
    if s.page_size < 1 or s.workers < 1:
        raise ConfigError("page_size and workers must be positive integers.")
    if s.base_url is None:
        return  # the embedded reference provider will be used
    parts = urlsplit(s.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"the base URL {s.base_url!r} is not an http(s) URL: pass the service root, e.g. "
                          "https://sis.example.org/ims/oneroster/rostering/v1p2.")
    s.base_url = s.base_url.rstrip("/")
    detected = detect_binding(s.base_url)
    if s.binding is None:
        if detected is None:
            raise ConfigError(
                f"the base URL {s.base_url} does not end with a OneRoster service root "
                "(/ims/oneroster/rostering/v1p2 or /ims/oneroster/v1p1): pass the service root, or --binding.")
        s.binding = detected
    if s.binding not in SERVICE_ROOT:
        raise ConfigError(f"unknown binding {s.binding!r}: use v1p2 or v1p1.")
    _validate_choices(s)
    apply_binding_defaults(s)
    missing = [n for n, v in (("--client-id", s.client_id), ("--client-secret", s.client_secret)) if not v]
    if missing:
        raise ConfigError(f"{' and '.join(missing)} missing: a provider at {s.base_url} needs client credentials "
                          "(or set ONEROSTER_CLIENT_ID / ONEROSTER_CLIENT_SECRET).")
    if s.token_url is None:
        s.token_url = f"{parts.scheme}://{parts.netloc}/token"
    elif urlsplit(s.token_url).scheme not in ("http", "https"):
        raise ConfigError(f"the token URL {s.token_url!r} is not an http(s) URL.")
    if s.rate_limit < 0 or s.max_concurrency < 1 or s.timeout <= 0:
        raise ConfigError("rate_limit must be >= 0, max_concurrency >= 1 and timeout > 0.")
