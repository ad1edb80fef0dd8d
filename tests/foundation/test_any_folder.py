"""The README's command gives the same run from any folder and with absolute paths in every path option,
and the last line of the terminal is always the verdict (passing, failing, expectations, preflight)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUBSET = ("-k", "discovery or transport or base_path", "--hypothesis-profile", "quick")


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEROSTER_") and k != "CI"}
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def outcomes(report_dir: Path) -> dict[str, str]:
    lines = [json.loads(x) for x in (report_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    return {d["nodeid"].split("/", 1)[-1]: d["outcome"] for d in lines if d["type"] == "result"}


def last_line(proc: subprocess.CompletedProcess) -> str:
    return [x for x in (proc.stdout + "\n" + proc.stderr).splitlines() if x.strip()][-1]


@pytest.fixture(scope="module")
def absolute_paths(tmp_path_factory) -> tuple[Path, list[str]]:
    import trustme

    folder = tmp_path_factory.mktemp("elsewhere")
    (folder / "district.yaml").write_text("name: district\nmax_concurrency: 3\n", encoding="utf-8")
    trustme.CA().cert_pem.write_to_path(str(folder / "ca.pem"))
    return folder, ["--profile", str(folder / "district.yaml"), "--ca-bundle", str(folder / "ca.pem")]


@pytest.fixture(scope="module")
def from_the_clone(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    out = tmp_path_factory.mktemp("clone-run")
    proc = run(ROOT, *SUBSET, "--report-dir", str(out))
    return proc, outcomes(out)


def test_a_passing_run_ends_with_the_verdict(from_the_clone):
    proc, results = from_the_clone
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert results and last_line(proc).startswith("CONFORMANT: ")


@pytest.mark.parametrize("where", ["clone", "other-folder"])
def test_absolute_paths_in_every_path_option_give_the_same_run(where, absolute_paths, from_the_clone, tmp_path):
    folder, path_args = absolute_paths
    cwd = ROOT if where == "clone" else tmp_path
    proc = run(cwd, *SUBSET, *path_args, "--report-dir", str(folder / f"reports-{where}"))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "tests/" not in proc.stdout and "import file mismatch" not in proc.stdout
    assert outcomes(folder / f"reports-{where}") == from_the_clone[1]
    assert last_line(proc).startswith("CONFORMANT: ")


def test_failing_and_expectations_runs_end_with_the_verdict(tmp_path):
    known = tmp_path / "known.yaml"
    args = ("-k", "errors", "--hypothesis-profile", "quick", "--embedded-fault", "bad-404-body")
    failing = run(ROOT, *args, "--report-dir", str(tmp_path / "a"), "--write-expectations", str(known))
    assert failing.returncode == 1
    assert last_line(failing).startswith("NOT CONFORMANT: ")
    assert f"to {known}" in failing.stdout  # what --write-expectations wrote, and how many entries
    adopted = run(ROOT, *args, "--report-dir", str(tmp_path / "b"), "--expectations", str(known))
    assert adopted.returncode == 0, adopted.stdout[-2000:]
    assert last_line(adopted).startswith("NOT CONFORMANT: ") and "exit status 0" in last_line(adopted)


def test_a_preflight_failure_removes_the_previous_report(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "report.html").write_text("an old report", encoding="utf-8")
    proc = run(tmp_path, "--base-url", "http://127.0.0.1:9/ims/oneroster/rostering/v1p2", "--client-id", "x",
               "--client-secret", "y", "--report-dir", str(reports))
    assert proc.returncode == 6
    assert last_line(proc).startswith("oneroster: cannot reach") and "was removed" in last_line(proc)
    assert not (reports / "report.html").exists()
