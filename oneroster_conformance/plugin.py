"""The pytest plugin: options, the one server-under-test fixture, outcome mapping, results and gate.

Registered through the ``pytest11`` entry point, so an installed harness works from any folder. It
stays inert unless the collected tests carry ``@pytest.mark.requirement`` (the conformance suites):
the harness's own tests run with it loaded but untouched.

Exit statuses: 0 conformant (gate passed); 1 gate failed; 4 bad configuration (one sentence, from
pytest's usage-error path); 6 preflight failed (provider unreachable, credentials refused, wrong
URL): nothing is reported as non-conformant then.
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from oneroster_conformance import __version__, checks
from oneroster_conformance.client import evidence
from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.client.redaction import REDACTOR
from oneroster_conformance.client.settings import ConfigError, resolve
from oneroster_conformance.harness import Harness, PreflightError, embedded_settings
from oneroster_conformance.report import allure_view
from oneroster_conformance.report.model import BROKEN_OUTCOME, Outcome, Result
from oneroster_conformance.spec.operations import ALL_SCOPES, short_scope
from oneroster_conformance.spec.requirements import catalogue

PREFLIGHT_EXIT = 6
RUN_LAST = ("auth/expired-token",)
VERSION = {"v1p2": "1.2", "v1p1": "1.1"}
STATE = pytest.StashKey["RunState"]()
OPERATION_FIXTURES = {
    "operation": lambda op: True,
    "collection_operation": lambda op: op.is_collection,
    "top_collection": lambda op: op.is_collection and not op.path_params,
    "nested_operation": lambda op: op.is_nested,
    "single_operation": lambda op: not op.is_collection,
}
STATUS_WORDS = {
    Outcome.PASS: ("passed", ".", "PASS"),
    Outcome.FAIL: ("failed", "F", "FAIL"),
    Outcome.WARN: ("warned", "W", "WARN"),
    Outcome.INFO: ("info", "i", "INFO"),
    Outcome.NOT_APPLICABLE: ("not-applicable", "n", "N/A"),
    Outcome.ERRORED: ("errored", "E", "ERRORED"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("oneroster", "OneRoster conformance")
    g.addoption("--base-url", help="the provider's service root, e.g. https://sis.example.org/ims/oneroster/rostering/v1p2"
                " (env ONEROSTER_BASE_URL). Without it the embedded reference provider is tested.")
    g.addoption("--token-url", help="OAuth 2 token endpoint (env ONEROSTER_TOKEN_URL); default <origin>/token")
    g.addoption("--client-id", help="OAuth 2 client id (env ONEROSTER_CLIENT_ID)")
    g.addoption("--client-secret",
                help="OAuth 2 client secret; prefer env ONEROSTER_CLIENT_SECRET (kept out of history)")
    g.addoption("--profile", help="YAML target profile: the same settings plus auth style, rate limit, extra clients")
    g.addoption("--binding", choices=["v1p2", "v1p1"], help="OneRoster binding (default: detected from the base URL)")
    g.addoption("--auth-style", dest="auth_style", choices=["basic", "body"], help="client authentication at the "
                "token endpoint: HTTP Basic (default) or form body")
    g.addoption("--rate-limit", dest="rate_limit", type=float,
                help="max requests per second (default 10; 0 = no limit)")
    g.addoption("--max-concurrency", dest="max_concurrency", type=int, help="max requests in flight (default 4)")
    g.addoption("--request-timeout", dest="timeout", type=float, help="seconds per request (default 15)")
    g.addoption("--ca-bundle", dest="ca_bundle", help="PEM file of CA certificates to trust (a district's own CA)")
    g.addoption("--insecure", action="store_true", default=None,
                help="do not verify TLS certificates (transport security is then reported as failed)")
    g.addoption("--report-dir", dest="report_dir", help="where results.jsonl, report.html and junit.xml go "
                "(default reports/)")
    g.addoption("--evidence", choices=["full", "redacted"], help="evidence in reports: redacted (default for real "
                "providers: no personal data) or full (default for the embedded provider)")
    g.addoption("--sweep", choices=["full", "sample"], help="data depth: full (every record of every collection "
                "schema-checked, every reference resolved; default for the embedded provider) or sample (the first "
                "sample_records of each collection, 5000 by default; default for real providers)")
    g.addoption("--page-size", dest="page_size", type=int, help="limit= of the crawl's pages (default 100); a large "
                "district sweeps in far fewer requests with 1000-10000")
    g.addoption("--workers", type=int, help="threads crawling collections and fetching pages ahead (default 4); the "
                "rate limit and --max-concurrency stay global")
    g.addoption("--no-write-probes", action="store_true", default=False, help="skip the 405 probes (they send "
                "POST/PUT/DELETE to made-up sourcedIds only)")
    # --strict is pytest's own flag (an alias of --strict-markers); the gate reads it too: SHOULD gates.
    g.addoption("--gate-levels", default=None, help="comma-separated levels that gate, e.g. MUST,SHOULD")
    g.addoption("--gate-normative-only", action="store_true", default=False,
                help="ignore requirements stated in sections the spec heads NOT NORMATIVE when gating")
    g.addoption("--expectations", help="YAML of known results (requirement id -> outcome, reason)")
    g.addoption("--write-expectations", help="write the current failures to this YAML file as a starting point")
    g.addoption("--embedded-fault", action="append", default=[], metavar="NAME",
                help="run the embedded reference provider with this named fault (repeatable)")
    g.addoption("--embedded-flavour", choices=["aeries"], help="run the embedded reference provider as Aeries "
                "serves OneRoster 1.1 (/admin/ims/oneroster/v1p1, token at /admin/token/, API records)")
    g.addoption("--auth", choices=["oauth2", "oauth1"], help="oauth2 (default: bearer tokens from the token URL) or "
                "oauth1 (OneRoster 1.1's OAuth 1.0a HMAC-SHA256 request signing with the consumer key and secret)")
    g.addoption("--district-host", dest="district_host", help="with a bundled profile such as --profile aeries: "
                "your district's API host, e.g. mydistrictapi.aeries.net (env ONEROSTER_DISTRICT_HOST)")
    g.addoption("--readiness", help="consumer readiness: check what claris, incidentiq or illuminate (or all) "
                "reads, and name the SIS permission behind each gap")
    g.addoption("--readiness-only", action="store_true", default=False,
                help="run only the readiness checks (with --readiness)")
    g.addoption("--gradebook-url", dest="gradebook_url", help="the Gradebook service root (default: the base URL's "
                "origin + /ims/oneroster/gradebook/v1p2)")
    g.addoption("--resources-url", dest="resources_url", help="the Resources service root (default: the base URL's "
                "origin + /ims/oneroster/resources/v1p2)")
    g.addoption("--services", help="the 1.2 services to check, comma-separated (default "
                "rostering,gradebook,resources); a service the provider does not offer is reported not applicable")
    g.addoption("--require", help="conformance profiles that must be offered, comma-separated: rostering-core, "
                "rostering, demographics, gradebook-pull, resources, assessment-results (a required profile not "
                "offered fails the gate)")
    g.addoption("--gate", dest="gate_scope", choices=["all", "readiness"], default="all",
                help="which results gate the exit status: all (default) or readiness (only the readiness checks)")


@dataclass(frozen=True)
class ScopeCase:
    """One cell of the operations × scopes matrix."""

    scope: str
    op: object


class RunState:
    """Everything the plugin keeps for one run."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.settings = None
        self.harness: Harness | None = None
        self.active = False
        self.results: list[Result] = []
        self.writer = None
        self.expectations: dict = {}
        self.decision = None
        self.header: dict = {}
        self.area_totals: dict[str, int] = {}
        self.area_done: dict[str, list[int]] = {}  # area -> [done, broken]
        self.started = time.time()
        self.report_dir = Path("reports")
        self.crawl_needed = False
        self.certificate: list = []  # certificate.Verdict per profile, at the end of the run


def _cli(config: pytest.Config) -> dict:
    o = config.option
    keys = ["base_url", "token_url", "client_id", "client_secret", "profile", "binding", "auth_style", "rate_limit",
            "max_concurrency", "timeout", "ca_bundle", "insecure", "report_dir", "evidence", "sweep", "auth",
            "page_size", "workers",
            "district_host", "readiness", "gradebook_url", "resources_url", "services", "require"]
    cli = {k: getattr(o, k, None) for k in keys}
    if o.no_write_probes:
        cli["probe_writes"] = False
    return cli


def _register_hypothesis_profiles() -> None:
    """quick / certification (default: fixed seed, bounded) / thorough; --hypothesis-profile picks one.

    Registered when this plugin is imported, not in pytest_configure: hypothesis' own pytest plugin
    loads the profile named by --hypothesis-profile in its pytest_configure, which may run before ours."""
    from hypothesis import HealthCheck, settings

    common = dict(deadline=None, database=None, print_blob=True,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                         HealthCheck.filter_too_much, HealthCheck.data_too_large])
    settings.register_profile("quick", max_examples=8, derandomize=True, **common)
    settings.register_profile("certification", max_examples=25, derandomize=True, **common)
    settings.register_profile("thorough", max_examples=200, derandomize=False, **common)


_register_hypothesis_profiles()


def _hypothesis_profiles(config: pytest.Config) -> None:
    from hypothesis import settings

    if not config.getoption("hypothesis_profile", None):
        settings.load_profile("certification")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers",
                            "requirement(id): the requirement id (schemas/requirements.yaml) a check decides")
    state = RunState(config)
    config.stash[STATE] = state
    _hypothesis_profiles(config)
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and config.option.verbose == 0:
        config.option.verbose = -1  # quiet in CI, never silent: area lines, summary and verdict remain
    try:
        state.settings = resolve(_cli(config))
    except ConfigError as e:
        raise pytest.UsageError(str(e)) from None
    state.settings.embedded_faults = tuple(config.option.embedded_fault)
    state.settings.embedded_flavour = config.option.embedded_flavour
    if state.settings.base_url is None and state.settings.binding is None:
        # The embedded provider's binding must be known before collection parametrizes by it.
        v1p1_only = state.settings.embedded_flavour == "aeries" or state.settings.auth == "oauth1"
        state.settings.binding = "v1p1" if v1p1_only else "v1p2"
    if config.option.readiness_only and not state.settings.readiness:
        raise pytest.UsageError("--readiness-only needs --readiness <consumer> (claris, incidentiq, illuminate or all)")
    if config.option.gate_scope == "readiness" and not state.settings.readiness:
        raise pytest.UsageError("--gate readiness needs --readiness <consumer> (claris, incidentiq, illuminate or all)")
    try:
        from oneroster_conformance.client.settings import validate

        validate(state.settings)  # the embedded flavour was only known now
    except ConfigError as e:
        raise pytest.UsageError(str(e)) from None
    if config.option.expectations:
        from oneroster_conformance.report.expectations import load_expectations

        try:
            state.expectations = load_expectations(config.option.expectations)
        except (OSError, ValueError) as e:
            raise pytest.UsageError(f"the expectations file {config.option.expectations}: {e}") from None
    state.report_dir = Path(state.settings.report_dir)


def _state(config: pytest.Config) -> RunState:
    return config.stash[STATE]


def pytest_report_header(config: pytest.Config) -> list[str]:
    s = _state(config).settings
    if s is None:
        return []
    target = s.base_url or "the embedded reference provider (no --base-url given)"
    return [f"oneroster-conformance {__version__}: target {MASKER.mask(target)}, binding {s.binding or 'v1p2'}"]


# ------------------------------------------------------------------------------------------ parametrization
def _binding(config: pytest.Config) -> str:
    s = _state(config).settings
    return (s.binding if s else None) or "v1p2"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    from oneroster_conformance.spec.operations import read_operations, scopes_of

    settings = _state(metafunc.config).settings
    services = settings.checked_services if settings else ("rostering",)
    ops = read_operations(_binding(metafunc.config), services)  # Rostering, then the other services' GETs
    all_scopes = scopes_of(services) if _binding(metafunc.config) == "v1p2" else ALL_SCOPES
    for name, keep in OPERATION_FIXTURES.items():
        if name in metafunc.fixturenames:
            chosen = [op for op in ops if keep(op)]
            metafunc.parametrize(name, chosen, ids=[op.operation_id for op in chosen])
    if "scope" in metafunc.fixturenames:
        metafunc.parametrize("scope", all_scopes, ids=[short_scope(s) for s in all_scopes])
    _parametrize_readiness(metafunc)
    scoped = any(op.scopes for op in ops)  # 1.1 defines no scopes: no cells (the requirement is n/a there)
    for name, granted in (("scope_grant", True), ("scope_deny", False)):
        if name in metafunc.fixturenames:
            cases = [ScopeCase(s, op) for s in all_scopes for op in ops if (s in op.scopes) == granted and scoped]
            metafunc.parametrize(name, cases, ids=[f"{short_scope(c.scope)}-{c.op.operation_id}" for c in cases])


def _parametrize_readiness(metafunc: pytest.Metafunc) -> None:
    """The consumers (and the operations each reads) of --readiness; nothing without it."""
    from oneroster_conformance.readiness.consumers import ReadCase, selected

    s = _state(metafunc.config).settings
    chosen = selected(s.readiness if s else None)
    if "readiness_consumer" in metafunc.fixturenames:
        metafunc.parametrize("readiness_consumer", chosen, ids=[c.name for c in chosen])
    for name, keep in (("readiness_read", lambda r: True), ("readiness_need", lambda r: r.needs_data)):
        if name in metafunc.fixturenames:
            cases = [ReadCase(c, r) for c in chosen for r in c.reads if keep(r)]
            metafunc.parametrize(name, cases, ids=[f"{c.consumer.name}-{c.read.operation}" for c in cases])


def _applicability(config: pytest.Config, items: list[pytest.Item]) -> list[pytest.Item]:
    """Deselect readiness checks unless asked for (and the rest with --readiness-only); mark the checks
    whose requirement does not apply to this run not applicable, with the reason (one place, not per suite)."""
    from oneroster_conformance.spec.v1p1 import not_applicable_with_oauth1

    s = _state(config).settings
    binding, cat = _binding(config), catalogue()
    oauth1 = not_applicable_with_oauth1() if s.auth == "oauth1" else frozenset()
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("requirement")
        req = cat[marker.args[0]] if marker else None
        readiness = req is not None and req.area == "readiness"
        if (readiness and not s.readiness) or (config.option.readiness_only and not readiness):
            drop.append(item)
            continue
        keep.append(item)
        if req is not None and binding not in req.bindings:
            item.add_marker(append=False, marker=pytest.mark.skip(
                reason=checks.NA_PREFIX + f"{req.id} is a OneRoster {' / '.join(VERSION[b] for b in req.bindings)} "
                f"requirement; this run checks OneRoster {VERSION[binding]} (schemas/v1p1/differences.yaml)"))
        elif req is not None and req.id in oauth1:
            item.add_marker(append=False, marker=pytest.mark.skip(
                reason=checks.NA_PREFIX + "requests are OAuth 1.0a signed (--auth oauth1): there is no OAuth 2 token "
                "endpoint to check"))
    if drop:
        config.hook.pytest_deselected(items=drop)
    return keep


# ------------------------------------------------------------------------------------------ activation
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    state = _state(config)
    marked = [i for i in items if i.get_closest_marker("requirement")]
    if not marked:
        return
    cat = catalogue()
    for item in marked:
        rid = item.get_closest_marker("requirement").args[0]
        if rid not in cat:
            raise pytest.UsageError(f"{item.nodeid} names requirement {rid!r}, which schemas/requirements.yaml lacks")
    items[:] = _applicability(config, items)
    # Checks that wait for time to pass (a token's expiry) run last: by then it has passed (stable sort).
    items.sort(key=lambda i: (m := i.get_closest_marker("requirement")) is not None and m.args[0] in RUN_LAST)
    if config.option.collectonly:
        return  # listing the checks: no server is contacted and the last report is left as it is
    state.active = True
    state.crawl_needed = any("crawl" in getattr(i, "fixturenames", ()) for i in marked)
    state.area_totals = {}
    for item in marked:
        area = cat[item.get_closest_marker("requirement").args[0]].area
        state.area_totals[area] = state.area_totals.get(area, 0) + 1
    _start(state)


# Areas whose oracle compares text by Unicode collation (string equality in filters, sort order).
COLLATING_AREAS = frozenset({"filter", "sort"})


def _start(state: RunState) -> None:
    s = state.settings
    provider = None
    try:
        if s.base_url is None:
            s, provider = embedded_settings(s)
        state.harness = Harness(s, provider=provider)
        checks.configure(state.harness.binding)
        REDACTOR.enabled = s.evidence_mode == "redacted"
        state.harness.preflight()
        state.harness.start_expiry_clock()  # the expired-token check then waits for (almost) nothing
        if state.crawl_needed:
            state.harness.crawl.start()  # checks will ask for the crawl: it starts now, in the background
            if state.area_totals.keys() & COLLATING_AREAS:
                from oneroster_conformance.query import collation

                collation.load_in_background()  # the oracle's tables (~26 MB, 0.2 s), parsed while the crawl waits
    except PreflightError as e:
        _abort(state, str(e))
    except Exception as e:  # the embedded provider failed to start, etc.
        _abort(state, f"the run could not start: {type(e).__name__}: {MASKER.mask(str(e))}")
    _open_record(state)
    # What exists now (modules, collected checks, compiled schemas, the catalogue) lives for the
    # whole run: frozen, the garbage collector stops re-scanning it on every pass.
    gc.freeze()


def _abort(state: RunState, sentence: str) -> None:
    if state.harness is not None:
        state.harness.close()
        state.harness = None
    state.active = False
    tr = state.config.pluginmanager.get_plugin("terminalreporter")
    if tr is None:
        pytest.exit(f"oneroster: {sentence}", returncode=PREFLIGHT_EXIT)
    tr.write_line(f"oneroster: {sentence}", red=True, bold=True)
    pytest.exit("the run stopped before any check (exit status 6)", returncode=PREFLIGHT_EXIT)


def _open_record(state: RunState) -> None:
    from oneroster_conformance.report.jsonl import ResultsWriter

    state.report_dir.mkdir(parents=True, exist_ok=True)
    state.writer = ResultsWriter(state.report_dir / "results.jsonl")
    state.header = state.writer.header(_meta(state))


def _meta(state: RunState) -> dict:
    s = state.harness.settings
    return {
        "harness_version": __version__,
        "catalogue_version": catalogue().version,
        "binding": state.harness.binding,
        "target": s.base_url,
        "embedded": s.embedded,
        "embedded_faults": list(s.embedded_faults),
        "profile": s.profile_name,
        "seed": os.environ.get("ONEROSTER_SEED", "0"),
        "evidence_mode": s.evidence_mode,
        "sweep": s.sweep_mode,
    }


# ------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def harness(request: pytest.FixtureRequest) -> Harness:
    state = _state(request.config)
    if state.harness is None:
        pytest.skip("no server under test (the plugin is inactive for unmarked tests)")
    return state.harness


@pytest.fixture(scope="session")
def client(harness: Harness):
    return harness.client


@pytest.fixture(scope="session")
def crawl(harness: Harness):
    harness.crawl.prefetch()
    return harness.crawl


@pytest.fixture(autouse=True)
def _oneroster_allure_labels(request: pytest.FixtureRequest):
    marker = request.node.get_closest_marker("requirement")
    state = _state(request.config)
    if marker is not None and state.active and allure_view.active(request.config):
        allure_view.label(request.node, catalogue()[marker.args[0]], state.harness.binding)
    yield


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item):
    yield  # outermost wrapper: runs after allure-pytest has computed its own history id
    key = getattr(item, "_oneroster_key", None)
    if key and allure_view.active(item.config):
        allure_view.set_history_id(item, key)


# ------------------------------------------------------------------------------------------ outcomes
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    if item.get_closest_marker("requirement") and _state(item.config).active:
        evidence.start_capture()
        checks.begin_check()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    state = _state(item.config)
    marker = item.get_closest_marker("requirement")
    if marker is None or not state.active:
        return
    finished = call.when == "call" or (call.when == "setup" and not report.passed)
    if not finished:
        return
    exchanges = evidence.stop_capture()[-6:]  # a shrunk hypothesis example replays last
    notes = checks.end_check()
    req = catalogue()[marker.args[0]]
    result = Result(requirement=req.id, level=req.level, area=req.area, section=req.section,
                    normative=req.normative, outcome=Outcome.PASS, nodeid=item.nodeid,
                    duration_s=round(call.duration, 4), evidence=exchanges)
    _fill_params(result, item)
    if notes["readings"]:
        result.reading = "; ".join(notes["readings"])
    known = state.settings.known_behaviour.get(req.id) if state.settings else None
    exc = call.excinfo.value if call.excinfo is not None else None
    if report.passed:
        result.outcome = Outcome.PASS
        result.evidence = []  # keep the record small: evidence is for what needs explaining
    elif report.skipped:
        result.outcome = Outcome.NOT_APPLICABLE
        reason = str(getattr(exc, "msg", "") or (report.longrepr[2] if isinstance(report.longrepr, tuple) else ""))
        result.message = reason.removeprefix("Skipped: ").removeprefix(checks.NA_PREFIX)
        result.evidence = []
    elif call.when == "call" and isinstance(exc, AssertionError):
        result.outcome = BROKEN_OUTCOME[req.level]
        result.message = MASKER.mask(getattr(exc, "message", None) or str(exc) or "assertion failed")
        if isinstance(exc, checks.NonConformance):
            result.expected = MASKER.mask(exc.expected) if exc.expected else None
            result.actual = MASKER.mask(exc.actual) if exc.actual else None
            result.schema_path = exc.schema_path
    else:
        result.outcome = Outcome.ERRORED
        result.message = MASKER.mask(f"{type(exc).__name__}: {exc}" if exc else "the check could not run")
    if known and (result.outcome not in (Outcome.PASS, Outcome.NOT_APPLICABLE) or result.reading):
        # Publicly reported behaviour of this kind of provider (the profile's known_behaviour): explained, not hidden.
        label = f"Known {state.settings.profile_name or 'provider'} behaviour: "
        result.message = f"{result.message} {label}{known}".strip()
    if REDACTOR.enabled:
        result.message = REDACTOR.text(result.message) or ""
        result.expected, result.actual = REDACTOR.text(result.expected), REDACTOR.text(result.actual)
        report.sections = [(name, REDACTOR.text(text) or "") for name, text in report.sections]
    if state.expectations:
        from oneroster_conformance.report.expectations import apply

        apply([result], state.expectations)
    result.evidence = evidence.materialize(result.evidence)  # masked and redacted only now: only kept evidence
    state.results.append(result)
    item._oneroster_key = result.key
    if allure_view.active(item.config):
        allure_view.attach(result)
    if state.writer is not None:
        state.writer.result(result)
    report.oneroster_outcome = result.outcome
    _rewrite_report(report, result, req)
    _progress(state, result)


def _progress(state: RunState, result: Result) -> None:
    """One line per spec area as it completes: what a person watching the run wants to know."""
    done = state.area_done.setdefault(result.area, [0, 0])
    done[0] += 1
    done[1] += result.outcome in (Outcome.FAIL, Outcome.WARN, Outcome.ERRORED)
    if done[0] != state.area_totals.get(result.area):
        return
    from oneroster_conformance.report.terminal import progress_line

    tr = state.config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None:
        tr.write_line(progress_line(result.area, done[0], state.area_totals[result.area], done[1]))


def _fill_params(result: Result, item: pytest.Item) -> None:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return
    for name, value in callspec.params.items():
        if name in OPERATION_FIXTURES:
            result.operation = value.operation_id
        elif isinstance(value, ScopeCase):
            result.operation = value.op.operation_id
            result.params["scope"] = short_scope(value.scope)
        elif name == "operation_id":
            result.operation = value
        elif name in ("readiness_read", "readiness_need"):
            result.operation = value.read.operation
            result.params["consumer"] = value.consumer.name
        elif name == "readiness_consumer":
            result.params["consumer"] = value.name
        elif name == "scope":
            result.params["scope"] = short_scope(value)
        elif isinstance(value, str | int):
            result.params[name] = str(value)


def _rewrite_report(report: pytest.TestReport, result: Result, req) -> None:
    """Show a broken rule as the requirement explains it, not as a Python traceback."""
    if result.outcome in (Outcome.FAIL, Outcome.WARN, Outcome.INFO, Outcome.ERRORED):
        lines = [f"{req.id} [{req.level}{'' if req.normative else ', NOT NORMATIVE section'}] {req.section}",
                 f"  {req.summary}", f"  {result.outcome.value.upper()}: {result.message}"]
        if result.expected or result.actual:
            lines.append(f"  expected: {result.expected}   actual: {result.actual}")
        if result.schema_path:
            lines.append(f"  at: {result.schema_path}")
        if req.consequence and result.outcome is not Outcome.ERRORED:
            lines.append(f"  consequence: {req.consequence}")
        for ex in result.evidence[-3:]:
            lines.append(f"  reproduce: {ex.curl}")
        report.longrepr = "\n".join(lines)
    if result.outcome in (Outcome.WARN, Outcome.INFO):
        report.outcome = "passed"  # not a wall of red: the level decides, the summary lists them
    if result.expectation == "expected-fail":
        report.outcome = "passed"


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    outcome = getattr(report, "oneroster_outcome", None)
    if outcome is None:
        return None
    if report.when == "setup" and outcome is not Outcome.NOT_APPLICABLE and outcome is not Outcome.ERRORED:
        return None
    return STATUS_WORDS[outcome]


# ------------------------------------------------------------------------------------------ the end of a run
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = _state(session.config)
    if not state.active or state.harness is None or state.writer is None:
        return
    from oneroster_conformance.report.expectations import apply, write_expectations
    from oneroster_conformance.report.gate import decide
    from oneroster_conformance.report.html import write_html
    from oneroster_conformance.report.junit import write_junit

    opt = session.config.option
    levels = {"MUST"}
    if opt.gate_levels:
        levels = {x.strip().upper() for x in opt.gate_levels.split(",") if x.strip()}
    if getattr(opt, "strict", False):
        levels.add("SHOULD")
    if state.expectations:
        apply(state.results, state.expectations)
    interrupted = exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR)
    gated = state.results
    if opt.gate_scope == "readiness":  # only the readiness checks decide the exit status
        gated = [r for r in state.results if r.area == "readiness"]
    state.decision = decide(gated, gate_levels=levels, include_non_normative=not opt.gate_normative_only)
    status = state.decision.exit_status if not interrupted else int(exitstatus)
    status = _certify(state, status, interrupted)
    footer = state.decision.to_footer()
    footer["exit_status"] = status
    footer["certificate"] = [v.to_dict() for v in state.certificate]
    state.writer.footer(footer)
    meta = {**(state.header or _meta(state)), "certificate": footer["certificate"]}
    write_html(state.results, state.report_dir / "report.html", meta, state.decision, catalogue())
    write_junit(state.results, state.report_dir / "junit.xml", meta, gate_levels=levels,
                include_non_normative=not opt.gate_normative_only)
    if opt.write_expectations:
        write_expectations(state.results, opt.write_expectations)
    session.exitstatus = status


def _certify(state: RunState, status: int, interrupted: bool) -> int:
    """The verdict per service and profile; a required profile that is not conformant fails the gate."""
    from oneroster_conformance.certificate import verdicts

    s = state.harness.settings
    if state.harness.binding != "v1p2":
        return status  # the profiles are those of OneRoster 1.2's three services
    state.certificate = verdicts(state.results, state.harness.offers if state.harness.binding == "v1p2" else {},
                                 s.required_profiles, s.checked_services, state.harness.answered_with_data)
    unmet = [v for v in state.certificate if v.profile.name in s.required_profiles and v.status != "CONFORMANT"]
    if unmet and not interrupted and state.config.option.gate_scope != "readiness":
        status = max(status, 1)
        names = ", ".join(f"{v.profile.title} ({v.status.lower()})" for v in unmet)
        state.decision.reason = f"NOT CONFORMANT: required profile(s) {names}; exit status {status}."
        state.decision.conformant, state.decision.exit_status = False, status
    return status


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    state = _state(config)
    if not state.active or state.decision is None:
        return
    from oneroster_conformance.report.terminal import summary_table, verdict_line

    terminalreporter.section("OneRoster conformance")
    terminalreporter.write_line(summary_table(state.results))
    if state.certificate:
        from oneroster_conformance.report.terminal import certificate_lines

        for line in certificate_lines(state.certificate):
            terminalreporter.write_line(line)
    terminalreporter.write_line(verdict_line(state.decision, state.report_dir / "report.html"))


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is not None and state.harness is not None:
        state.harness.close()
        state.harness = None
