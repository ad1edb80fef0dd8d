"""Everything about a run's configuration that is checked before any check runs (exit status 4 on a mistake)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from oneroster_conformance.client.configure import readiness_error, resolve, validate
from oneroster_conformance.client.settings import ConfigError, Settings
from oneroster_conformance.report.expectations import Expectation


@dataclass
class RunConfig:
    settings: Settings
    expectations: dict[str, Expectation] = field(default_factory=dict)

    @property
    def report_dir(self) -> Path:
        return Path(self.settings.report_dir)

    @property
    def gate_levels(self) -> set[str]:
        s = self.settings
        levels = {"MUST"}
        if s.gate_levels:
            levels = {x.strip().upper() for x in s.gate_levels.split(",") if x.strip()}
        if s.gate_should:
            levels.add("SHOULD")
        return levels


def writable_dir(path: Path, what: str) -> None:
    """ConfigError unless ``path`` is a folder that exists or can be made, and can be written to."""
    if path.exists():
        if not path.is_dir():
            raise ConfigError(f"{what} {path} is a file, not a folder: pass a folder (it is made if missing).")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ConfigError(f"{what} {path} cannot be written to: pass a folder you may write in.")
        return
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(f"{what} {path} cannot be made: {parent} is a file, not a folder.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"{what} {path} cannot be made: {parent} cannot be written to.")


def configure(cli: Mapping[str, object], environ: Mapping[str, str] | None = None) -> RunConfig:
    """The checked configuration of a run, or ConfigError with one sentence."""
    s = resolve(cli, environ)
    if s.base_url is None and s.binding is None:
        # The embedded provider's binding must be known before collection parametrizes by it.
        s.binding = "v1p1" if s.only_v1p1 else "v1p2"
    validate(s)  # the embedded binding was only known now
    from oneroster_conformance.readiness.consumers import FLOWS, consumer_names

    problem = readiness_error(s, (*consumer_names(), *FLOWS))
    if problem:
        raise ConfigError(problem)
    writable_dir(Path(s.report_dir), "--report-dir")
    if s.write_expectations:
        target = Path(s.write_expectations)
        if target.is_dir():
            raise ConfigError(f"--write-expectations {target} is a folder: pass a file name, e.g. expectations.yaml.")
        writable_dir(target.parent, "--write-expectations: the folder")
    expectations: dict[str, Expectation] = {}
    if s.expectations:
        from oneroster_conformance.report.expectations import load_expectations

        if not Path(s.expectations).is_file():
            raise ConfigError(f"--expectations {s.expectations}: no such file; pass the YAML file "
                              "--write-expectations made.")
        try:
            expectations = load_expectations(s.expectations)
        except (OSError, ValueError) as e:
            raise ConfigError(f"--expectations {s.expectations}: {e}.".replace("..", ".")) from None
    return RunConfig(s, expectations)
