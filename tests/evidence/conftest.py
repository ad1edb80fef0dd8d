"""One faulty run, as a district runs the harness against a real provider, shared by the evidence tests.

The reference provider runs in this process with faults that make ordinary checks and hypothesis
properties fail; the harness runs as a user runs it (a subprocess, the secret in the environment,
default evidence, which for a real provider is redacted) with --alluredir. The provider stays up
while the tests replay the report's curl lines against it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from oneroster_conformance.harness import load_builtin_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import serve_in_thread
from oneroster_conformance.resources import suites_dir
from tests.support import issued_tokens

# Offsets ignored (walks and windows, a hypothesis property), OR read as AND (all collections and a
# property), case-sensitive filters on names (a property on personal fields), byte-order sorting of names.
FAULTS = ("ignores-offset", "or-as-and", "case-sensitive-filter", "sort-bytewise")


@dataclass
class FaultyRun:
    folder: Path
    base_url: str
    token_url: str
    client_id: str
    client_secret: str
    exit_status: int
    tokens: list[str] = field(default_factory=list)  # every token the provider issued

    @property
    def reports(self) -> Path:
        return self.folder / "reports"

    @property
    def allure(self) -> Path:
        return self.folder / "allure"

    @property
    def terminal(self) -> Path:
        return self.folder / "terminal.txt"

    def results(self) -> list[dict]:
        lines = (self.reports / "results.jsonl").read_text(encoding="utf-8").splitlines()
        return [d for d in map(json.loads, lines) if d.get("type") == "result"]

    def outputs(self) -> list[Path]:
        """Every file a user would share or a CI job would publish."""
        return [p for p in [*self.reports.rglob("*"), *self.allure.rglob("*"), self.terminal] if p.is_file()]


@pytest.fixture(scope="session")
def faulty_run(tmp_path_factory) -> FaultyRun:
    folder = tmp_path_factory.mktemp("evidence-run")
    main = load_builtin_clients()["conformance-all"]
    with issued_tokens() as issued, serve_in_thread(ProviderConfig(faults=frozenset(FAULTS))) as provider:
        args = [sys.executable, "-m", "pytest", str(suites_dir()), "--base-url", provider.base_url,
                "--token-url", provider.token_url, "--client-id", main.client_id, "--rate-limit", "0",
                "--sweep", "full", "--report-dir", str(folder / "reports"), "--alluredir", str(folder / "allure"),
                "-p", "no:cacheprovider"]
        env = {**os.environ, "ONEROSTER_CLIENT_SECRET": main.client_secret}
        env.pop("CI", None)  # the full terminal output, failures included
        proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=900, cwd=str(folder))
        (folder / "terminal.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        yield FaultyRun(folder, provider.base_url, provider.token_url, main.client_id, main.client_secret,
                        proc.returncode, issued)
