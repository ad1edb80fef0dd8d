"""Run settings, each declared once: name, type, default, help, group, env variable, profile key.

Every option of ``oneroster-conformance`` / ``python -m pytest`` is a field of :class:`Settings`
declared with :func:`setting`; the command-line options, ``--help`` grouping, environment and profile
loading and type checking are derived from these declarations (:mod:`.options`). Resolution order:
command line, then environment (ONEROSTER_*), then the --profile YAML file, then the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from oneroster_conformance.client.masking import pretty_repr
from oneroster_conformance.spec.operations import ALL_SCOPES, SERVICE_ROOTS, SERVICES

# The --help groups, in the order they are shown.
TARGET = "target and credentials"
POLITENESS = "politeness"
CHECKS = "what to check"
GATE = "gate"
REPORTS = "reports"
READINESS = "readiness"
V1P1 = "1.1 and Aeries"
WRITES = "gradebook writes"
GROUPS = (TARGET, POLITENESS, CHECKS, WRITES, GATE, REPORTS, READINESS, V1P1)


class ConfigError(Exception):
    """Bad configuration: reported as one plain sentence, never a traceback."""


def setting(default: Any = None, help: str = "", group: str | None = None, *, flag: str | None = None,
            env: bool = True, profile: bool = True, choices: tuple[str, ...] | None = None, repeat: bool = False,
            negate: bool = False, metavar: str | None = None, factory: Any = None,
            minimum: float | None = None, above: float | None = None) -> Any:
    """Declare one setting. ``group`` None: not a command-line option (profile or internal only).

    ``flag``: the option's spelling when it is not ``--`` + the name with dashes; ``negate``: the flag
    sets a true-by-default boolean to false; ``repeat``: the option may be given more than once."""
    meta = {"help": help, "group": group, "flag": flag, "env": env and group is not None, "profile": profile,
            "choices": choices, "repeat": repeat, "negate": negate, "metavar": metavar, "minimum": minimum,
            "above": above}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def internal(default: Any = None, factory: Any = None) -> Any:
    """Set by the run itself, never by the user."""
    return setting(default, env=False, profile=False, factory=factory)


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] = ALL_SCOPES
    _repr_pretty_ = pretty_repr  # hypothesis' printer would show the secret otherwise


@dataclass
class Settings:
    # ------------------------------------------------------------------ target and credentials
    base_url: str | None = setting(None, "the provider's service root, e.g. https://sis.example.org/ims/oneroster/"
                                   "rostering/v1p2; without it the embedded reference provider is tested", TARGET)
    token_url: str | None = setting(None, "OAuth 2 token endpoint (default <origin>/token)", TARGET)
    client_id: str | None = setting(None, "OAuth 2 client id", TARGET)
    client_secret: str | None = field(default=None, repr=False, metadata=dict(
        help="OAuth 2 client secret; prefer the environment variable (kept out of shell history)", group=TARGET,
        flag=None, env=True, profile=True, choices=None, repeat=False, negate=False, metavar=None, minimum=None,
        above=None))
    profile: str | None = setting(None, "YAML target profile (a file, or a bundled name such as aeries): the same "
                                  "settings as keys, plus extra clients for the scope checks", TARGET, profile=False)
    binding: str | None = setting(None, "OneRoster binding (default: detected from the base URL)", TARGET,
                                  choices=("v1p2", "v1p1"))
    auth_style: str = setting("basic", "client authentication at the token endpoint: HTTP Basic or form body",
                              TARGET, choices=("basic", "body"))
    scopes: tuple[str, ...] = setting(ALL_SCOPES, "a scope to request in the token (repeatable; the default asks "
                                      "for every scope of the binding)", TARGET, flag="--scope", repeat=True,
                                      metavar="SCOPE")
    ca_bundle: str | None = setting(None, "PEM file of CA certificates to trust (a district's own CA)", TARGET)
    gradebook_url: str | None = setting(None, "the Gradebook service root (default: the base URL's origin + "
                                        "/ims/oneroster/gradebook/v1p2)", TARGET)
    resources_url: str | None = setting(None, "the Resources service root (default: the base URL's origin + "
                                        "/ims/oneroster/resources/v1p2)", TARGET)
    insecure: bool = setting(False, "do not verify TLS certificates (transport security is then reported as "
                             "failed)", TARGET)
    # ------------------------------------------------------------------ politeness
    rate_limit: float = setting(10.0, "max requests per second, global (0 = no limit)", POLITENESS, minimum=0)
    max_concurrency: int = setting(4, "max requests in flight", POLITENESS, minimum=1)
    timeout: float = setting(15.0, "seconds per request", POLITENESS, flag="--request-timeout", above=0)
    probe_writes: bool = setting(True, "skip the 405 probes (they send POST/PUT/DELETE to made-up sourcedIds only)",
                                 POLITENESS, flag="--no-write-probes", negate=True)
    page_size: int = setting(100, "limit= of the crawl's pages; a large district sweeps in far fewer requests with "
                             "1000-10000", POLITENESS, minimum=1)
    workers: int = setting(4, "threads crawling collections and fetching pages ahead (rate limit and "
                           "--max-concurrency stay global)", POLITENESS, minimum=1)
    retry_after_cap: float = setting(30.0, "longest Retry-After honoured, in seconds", None, minimum=0)
    max_body_bytes: int = setting(64 * 1024 * 1024, "largest response body read", None, minimum=1)
    # ------------------------------------------------------------------ what to check
    sweep: str | None = setting(None, "data depth: full (every record schema-checked, every reference resolved; "
                                "default for the embedded provider) or sample (the first sample_records of each "
                                "collection; default for real providers)", CHECKS, choices=("full", "sample"))
    sample_records: int = setting(5000, "records read per collection in a sample sweep", None, minimum=1)
    services: str | None = setting(None, "the 1.2 services to check, comma-separated (default rostering,gradebook,"
                                   "resources); a service the provider does not offer is reported not applicable",
                                   CHECKS)
    embedded_faults: tuple[str, ...] = setting((), "run the embedded reference provider with this named fault "
                                               "(repeatable)", CHECKS, flag="--embedded-fault", repeat=True,
                                               metavar="NAME", profile=False)
    # ------------------------------------------------------------------ gradebook writes
    allow_writes: bool = setting(False, "check the Gradebook PUT / POST / DELETE operations on this provider: only "
                                 "records the harness creates (sourcedIds orc-test-...), journalled and deleted at "
                                 "the end; always on against the embedded provider", WRITES)
    write_class: str | None = setting(None, "the sourcedId of the class set aside for testing that the lineItems "
                                      "and results are written into (default: the first class with active "
                                      "students)", WRITES)
    plan_writes: bool = setting(False, "print every write the run would send (method, path, body) and send "
                                "none", WRITES, profile=False)
    # ------------------------------------------------------------------ gate
    gate_levels: str | None = setting(None, "comma-separated levels that gate, e.g. MUST,SHOULD (default MUST)",
                                      GATE, profile=False)
    require: str | None = setting(None, "conformance profiles that must be offered, comma-separated: rostering-core, "
                                  "rostering, demographics, gradebook-pull, resources, assessment-results (a required "
                                  "profile not offered fails the gate)", GATE)
    gate_should: bool = setting(False, "also fail the gate on SHOULD warnings (the same as --strict)", GATE,
                                profile=False)
    gate_normative_only: bool = setting(False, "ignore requirements stated in sections the spec heads NOT "
                                        "NORMATIVE when gating", GATE, profile=False)
    gate_scope: str = setting("all", "which results gate the exit status: all, or only the readiness checks",
                              GATE, flag="--gate", choices=("all", "readiness"), profile=False)
    expectations: str | None = setting(None, "YAML of known results (requirement id -> outcome, reason): gate on "
                                       "new failures only", GATE, profile=False)
    write_expectations: str | None = setting(None, "write the current failures to this YAML file as a starting "
                                             "point", GATE, profile=False)
    # ------------------------------------------------------------------ reports
    report_dir: str = setting("reports", "where results.jsonl, report.html and junit.xml go", REPORTS)
    evidence: str | None = setting(None, "evidence in reports: redacted (no personal data; default for real "
                                   "providers) or full (default for the embedded provider)", REPORTS,
                                   choices=("full", "redacted"))
    # ------------------------------------------------------------------ readiness
    readiness: str | None = setting(None, "consumer readiness: check what claris, incidentiq or illuminate (or "
                                    "all) reads, and name the SIS permission behind each gap; grade-passback runs "
                                    "a grade sync's writes (with --allow-writes)", READINESS)
    readiness_only: bool = setting(False, "run only the readiness checks (with --readiness)", READINESS,
                                   profile=False)
    # ------------------------------------------------------------------ 1.1 and Aeries
    auth: str = setting("oauth2", "oauth2 (bearer tokens from the token URL) or oauth1 (OneRoster 1.1's OAuth "
                        "1.0a HMAC-SHA256 request signing)", V1P1, choices=("oauth2", "oauth1"))
    district_host: str | None = setting(None, "with a bundled profile such as --profile aeries: your district's "
                                        "API host, e.g. mydistrictapi.aeries.net", V1P1, profile=False)
    embedded_flavour: str | None = setting(None, "run the embedded reference provider as Aeries serves OneRoster "
                                           "1.1 (/admin/ims/oneroster/v1p1, token at /admin/token/, API records)",
                                           V1P1, choices=("aeries",), profile=False)
    # ------------------------------------------------------------------ profile only
    # requirement id -> a publicly reported explanation for this kind of provider, appended to findings
    known_behaviour: dict[str, str] = setting(None, "", None, factory=dict)
    # ------------------------------------------------------------------ set by the run
    profile_name: str | None = internal()
    extra_clients: dict[str, ClientCredentials] = internal(factory=dict)
    embedded: bool = internal(False)
    scopes_given: bool = field(default=False, repr=False, metadata={"env": False, "profile": False, "group": None})
    _repr_pretty_ = pretty_repr  # hypothesis' printer would show client_secret otherwise

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
    def writes_on(self) -> bool:
        """Whether the write checks send (or, with --plan-writes, plan) writes: opt-in, except on our own server."""
        return self.allow_writes or self.plan_writes or self.embedded

    @property
    def evidence_mode(self) -> str:
        return self.evidence or ("full" if self.embedded else "redacted")

    @property
    def only_v1p1(self) -> bool:
        from oneroster_conformance.spec.v1p1 import only_v1p1

        return only_v1p1(self.embedded_flavour, self.auth)

    def credentials(self) -> ClientCredentials:
        assert self.client_id is not None and self.client_secret is not None
        return ClientCredentials(self.client_id, self.client_secret, self.scopes)
