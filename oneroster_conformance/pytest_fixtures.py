"""The pytest side of a run's state and the fixtures every suite uses (harness, client, crawl)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from oneroster_conformance.report import allure_view
from oneroster_conformance.run.config import RunConfig
from oneroster_conformance.run.session import Run
from oneroster_conformance.run.sinks.expectations import ExpectationsSink
from oneroster_conformance.run.sinks.terminal import TerminalSink
from oneroster_conformance.spec.requirements import catalogue

STATE = pytest.StashKey["State"]()


class State:
    def __init__(self, config: RunConfig | None) -> None:
        self.config = config
        self.run: Run | None = None
        self.terminal: TerminalSink | None = None
        self.expectations: ExpectationsSink | None = None
        self.notes: list[str] = []  # sentences shown before the verdict (deselection, files written)


def _state(config: pytest.Config) -> State:
    return config.stash[STATE]


def _run(config: pytest.Config) -> Run | None:
    state = config.stash.get(STATE, None)
    return state.run if state is not None else None


def active(config: pytest.Config) -> Run | None:
    run = _run(config)
    return run if run is not None and run.harness is not None else None


@pytest.fixture(scope="session")
def harness(request: pytest.FixtureRequest) -> Any:
    run = active(request.config)
    if run is None:
        pytest.skip("no server under test (the plugin is inactive for unmarked tests)")
    return run.harness


@pytest.fixture(scope="session")
def client(harness: Any) -> Any:
    return harness.client


@pytest.fixture(scope="session")
def crawl(harness: Any) -> Any:
    harness.crawl.prefetch()
    return harness.crawl


@pytest.fixture(scope="session")
def writer(harness: Any, request: pytest.FixtureRequest) -> Any:
    """The run's writer (writes.session.Writes): every PUT, POST and DELETE goes through it."""
    run = active(request.config)
    assert run is not None
    return run.writes


@pytest.fixture(autouse=True)
def _oneroster_allure_labels(request: pytest.FixtureRequest) -> Generator[None, None, None]:
    marker, run = request.node.get_closest_marker("requirement"), active(request.config)
    if marker is not None and run is not None and allure_view.active(request.config):
        allure_view.label(request.node, catalogue()[marker.args[0]], run.harness.binding)  # type: ignore[union-attr]
    yield
