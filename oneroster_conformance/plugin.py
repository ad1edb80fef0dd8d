"""The pytest adapter: it only translates between pytest and the run engine (``oneroster_conformance.run``).

Registered through the ``pytest11`` entry point, so an installed harness works from any folder. It stays
inert unless the collected tests carry ``@pytest.mark.requirement`` (the conformance suites): the
harness's own tests run with it loaded but untouched. Exit statuses: see ``report/gate.py``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Generator
from typing import Any

import pytest

from oneroster_conformance import __version__, checks, hypothesis_profiles
from oneroster_conformance.client import evidence, tally
from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.client.options import command_line
from oneroster_conformance.client.settings import ConfigError
from oneroster_conformance.option_docs import argparse_specs
from oneroster_conformance.pytest_fixtures import (  # noqa: F401 - fixtures are found in the plugin's namespace
    STATE,
    State,
    _oneroster_allure_labels,
    _state,
    client,
    crawl,
    harness,
    writer,
)
from oneroster_conformance.pytest_fixtures import (
    active as _active,
)
from oneroster_conformance.report import allure_view
from oneroster_conformance.report.terminal import certificate_lines
from oneroster_conformance.run import allocator, outcomes, redact_result
from oneroster_conformance.run.applicability import plan
from oneroster_conformance.run.cases import case_fields
from oneroster_conformance.run.config import configure
from oneroster_conformance.run.parametrize import cases
from oneroster_conformance.run.session import Run
from oneroster_conformance.run.sinks import default_sinks
from oneroster_conformance.run.sinks.allure import AllureSink
from oneroster_conformance.run.sinks.expectations import ExpectationsSink
from oneroster_conformance.run.sinks.terminal import TerminalSink
from oneroster_conformance.spec.requirements import catalogue

hypothesis_profiles.register()  # at import: hypothesis loads --hypothesis-profile in its own pytest_configure


def pytest_addoption(parser: pytest.Parser) -> None:
    """Every harness option, derived from the settings declarations (``client/settings.py``), by group."""
    for group, flag, kw in argparse_specs():
        parser.getgroup(f"oneroster: {group}", f"OneRoster conformance: {group}").addoption(flag, **kw)


def _cli(config: pytest.Config) -> dict[str, object]:
    cli = {o.name: getattr(config.option, o.name, None) for o in command_line()}
    if getattr(config.option, "strict", False):  # pytest's --strict: the gate's SHOULD switch too
        cli["gate_should"] = "true"
    return cli


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    from oneroster_conformance.pinning import misspelt_option, pin_conformance_run

    problem = misspelt_option(parser, args)
    if problem:
        raise pytest.UsageError(problem)
    pin_conformance_run(early_config, args)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(id): the requirement (schemas/requirements.yaml) a check decides")
    config.addinivalue_line("markers", "in_turn(argument, variants): each operation is asked one variant, in turn")
    hypothesis_profiles.load_default(config.getoption("hypothesis_profile", None))
    allocator.keep_large_buffers_mapped()  # a large sweep's page bodies must not pin the heap
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and config.option.verbose == 0:
        config.option.verbose = -1  # quiet in CI, never silent: area lines, summary and verdict remain
    try:
        config.stash[STATE] = State(configure(_cli(config)))
    except ConfigError as e:
        config.stash[STATE] = State(None)
        raise pytest.UsageError(str(e)) from None


def pytest_report_header(config: pytest.Config) -> list[str]:
    rc = _state(config).config
    if rc is None:
        return []
    s = rc.settings
    target = s.base_url or "the embedded reference provider (no --base-url given)"
    return [f"oneroster-conformance {__version__}: target {MASKER.mask(target)}, binding {s.binding or 'v1p2'}"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    rc = _state(metafunc.config).config
    binding = (rc.settings.binding if rc else None) or "v1p2"
    services = rc.settings.checked_services if rc else ("rostering",)
    marker = metafunc.definition.get_closest_marker("in_turn")
    turns = (marker.args[0], tuple(marker.args[1])) if marker else None
    for name, values, ids in cases(metafunc.fixturenames, binding, rc.settings.readiness if rc else None, services,
                                   turns):
        metafunc.parametrize(name, values, ids=ids)


@pytest.hookimpl(trylast=True)  # after -k / -m have chosen: the progress counts what will run
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    state, cat = _state(config), catalogue()
    rids = {i: m.args[0] for i in items if (m := i.get_closest_marker("requirement"))}
    if not rids or state.config is None:
        return
    for item, rid in rids.items():
        if rid not in cat:
            raise pytest.UsageError(f"{item.nodeid} names requirement {rid!r}, which schemas/requirements.yaml lacks")
    reqs = {i: cat[rid] for i, rid in rids.items()}
    chosen = plan(items, reqs, state.config.settings)
    for item, reason in chosen.not_applicable.items():
        item.add_marker(pytest.mark.skip(reason=reason), append=False)
    if chosen.dropped:
        config.hook.pytest_deselected(items=chosen.dropped)
        state.notes += [chosen.note] if chosen.note else []
    items[:] = keep = chosen.keep
    if config.option.collectonly:
        return  # listing the checks: no server is contacted and the last report is left as it is
    _start(state, config, [reqs[i] for i in keep if i in reqs], any("crawl" in i.fixturenames for i in keep))  # type: ignore[attr-defined]
    if state.run is not None and state.run.stopped:
        items[:] = []


def _start(state: State, config: pytest.Config, reqs: list[Any], crawl_needed: bool) -> None:
    assert state.config is not None
    tr: Any = config.pluginmanager.get_plugin("terminalreporter")
    live = tr is not None and tr.isatty and config.option.verbose == 0 and not os.environ.get("CI")
    if tr is not None and config.option.verbose == 0:
        config.option.verbose = -1  # the harness owns the progress: no per-check dots or file names
    state.terminal = TerminalSink(tr.write_line if tr else print, (lambda ln: tr.rewrite(ln, erase=True)) if live
                                  else None)
    state.expectations = ExpectationsSink(state.config.expectations, state.config.settings.write_expectations)
    extra = [AllureSink()] if allure_view.active(config) else []
    state.run = Run(state.config, [state.expectations, *default_sinks(), state.terminal, *extra])
    state.run.start(dict(Counter(req.area for req in reqs)), crawl_needed)
    for line in state.run.notes:  # e.g. the token endpoint refused HTTP Basic and the form body is used
        (tr.write_line if tr else print)(f"oneroster: {line}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    yield  # outermost wrapper: runs after allure-pytest has computed its own history id
    key = getattr(item, "_oneroster_key", None)
    if key and allure_view.active(item.config):
        allure_view.set_history_id(item, key)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    if item.get_closest_marker("requirement") and _active(item.config):
        evidence.start_capture()
        tally.start()
        checks.begin_check()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    marker, run = item.get_closest_marker("requirement"), _active(item.config)
    if marker is None or run is None:
        return report
    redact_result.install(item.config)  # terminal and Allure writers pass every text through the same gate
    if not (call.when == "call" or (call.when == "setup" and not report.passed)):
        redact_result.sanitize_report(report)
        return report
    req = catalogue()[marker.args[0]]
    operation, params = case_fields(getattr(getattr(item, "callspec", None), "params", {}))
    longrepr = report.longrepr
    done = outcomes.Finished(
        nodeid=item.nodeid, when=call.when, passed=report.passed, skipped=report.skipped,
        exc=call.excinfo.value if call.excinfo is not None else None, duration=call.duration,
        skip_reason=str(longrepr[2]) if isinstance(longrepr, tuple) else "", operation=operation, params=params,
        readings=checks.end_check()["readings"], evidence=evidence.stop_capture()[-6:],  # a shrunk example replays last
        requests=tally.stop())
    s = run.settings
    result = outcomes.to_result(req, done, s.known_behaviour.get(req.id), s.profile_name or "provider")
    redact_result.finish(result, report)  # secrets masked, personal values pseudonymised, pytest's report too
    result.evidence = evidence.materialize(result.evidence)  # masked and redacted only now: only kept evidence
    run.record(result)  # the expectations sink marks it first, then every view takes it
    item._oneroster_key = result.key  # type: ignore[attr-defined]
    report.oneroster_outcome = result.outcome
    report.longrepr = outcomes.explain(result, req) or report.longrepr
    if outcomes.shown_as_passed(result):
        report.outcome = "passed"
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    outcome = getattr(report, "oneroster_outcome", None)
    if outcome is None or (report.when == "setup" and outcome.value not in ("not-applicable", "errored")):
        return None
    word, letter, verbose = outcome.pytest_status
    return (word, "", "") if config.option.verbose < 0 else (word, letter, verbose)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> Generator[None, None, None]:
    """Decide before pytest's summary, print the verdict after it: the verdict is always the last line."""
    state = _state(session.config)
    run = state.run
    if run is not None and run.stopped:
        session.exitstatus = run.exit_status or 6
    elif run is not None:
        interrupted = exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR)
        run.finish(int(exitstatus) if interrupted else None)
        session.exitstatus = run.exit_status if run.exit_status is not None else exitstatus
    yield
    if run is None:
        return
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    write = tr.write_line if tr is not None else print
    notes = [*state.notes, state.expectations.note() if state.expectations and not run.stopped else None]
    for note in (n for n in notes if n):
        write(note)
    if run.stopped:
        write(f"oneroster: {run.stopped}; the run stopped before any check (exit status 6).")
        return
    if run.decision is not None and state.terminal is not None:
        colour = bool(tr is not None and tr.isatty)
        write(state.terminal.verdict(run.decision, run.info.report_dir / "report.html", color=colour))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = _state(config)
    if state.run is None or state.run.decision is None or state.terminal is None:
        return
    terminalreporter.section("OneRoster conformance")
    terminalreporter.write_line(state.terminal.summary(state.run.results))
    for line in certificate_lines(state.run.info.certificate) if state.run.info.certificate else ():
        terminalreporter.write_line(line)
    for line in state.run.writes.lines() if state.run.writes is not None else ():
        terminalreporter.write_line(line)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is not None and state.run is not None:
        state.run.close()
