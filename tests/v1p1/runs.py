"""Run the conformance suites as a user would (a subprocess, the secret in the environment) and read
what the run wrote. Shared by tests/v1p1 and tests/readiness."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from oneroster_conformance.resources import suites_dir


@dataclass
class Run:
    status: int
    output: str  # stdout + stderr
    results: list[dict]  # the result lines of results.jsonl
    report_dir: Path
    header: dict  # its header line (target, binding, profile, ...)

    def outcomes(self, requirement: str) -> list[str]:
        return [r["outcome"] for r in self.results if r["requirement"] == requirement]

    def broken(self) -> list[dict]:
        return [r for r in self.results if r["outcome"] in ("fail", "warn", "errored")]

    def messages(self, requirement: str) -> list[str]:
        return [r.get("message", "") for r in self.results if r["requirement"] == requirement]

    def everything(self) -> str:
        """Every byte the run left behind (terminal, JSON Lines, HTML, JUnit), for secret searches."""
        files = [p.read_text(encoding="utf-8", errors="replace") for p in self.report_dir.glob("*") if p.is_file()]
        return self.output + "".join(files)


def run_suites(tmp_path: Path, *args: str, secret: str | None = None, timeout: int = 300) -> Run:
    report_dir = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEROSTER_")}
    env["CI"] = "true"
    if secret is not None:
        env["ONEROSTER_CLIENT_SECRET"] = secret
    proc = subprocess.run([sys.executable, "-m", "pytest", str(suites_dir()), "-q", "-p", "no:cacheprovider",
                           "--report-dir", str(report_dir), "--hypothesis-profile", "quick", *args],
                          capture_output=True, text=True, env=env, timeout=timeout, cwd=str(tmp_path))
    lines = []
    jsonl = report_dir / "results.jsonl"
    if jsonl.exists():
        lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    results = [d for d in lines if d.get("type") == "result"]
    header = next((d for d in lines if d.get("type") == "header"), {})
    return Run(proc.returncode, proc.stdout + proc.stderr, results, report_dir, header)
