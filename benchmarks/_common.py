"""Shared helpers of the benchmarks (not tests): a reference provider in its own process on
loopback, a harness run in its own process, its requests, its peak memory."""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RUNNER = HERE / "_runner.py"
# pytest plugins of the dev extras and the peer benchmark that `pip install .` does not bring: blocked,
# so a development virtualenv measures what a user runs.
NOT_INSTALLED_BY_USERS = ["-p", "no:schemathesis", "-p", "no:xdist", "-p", "no:xdist.looponfail"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def two_cores() -> set[int] | None:
    """The first two CPUs this process may use: every benchmark process is pinned to them."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return None
    return set(allowed[:2])


def pin(pid: int = 0) -> None:
    cores = two_cores()
    if cores:
        os.sched_setaffinity(pid, cores)


class Provider:
    """The reference provider CLI in a subprocess on 127.0.0.1 (its CPU and memory are not ours)."""

    def __init__(self, *args: str, ready_timeout: float = 600) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.base_url = self.origin + "/ims/oneroster/rostering/v1p2"
        self.token_url = self.origin + "/token"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "oneroster_conformance.provider.cli", "--host", "127.0.0.1", "--port",
             str(self.port), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pin(self.proc.pid)
        deadline = time.monotonic() + ready_timeout
        while True:
            try:
                httpx.get(self.origin + "/", timeout=1)
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise SystemExit("the reference provider did not start") from None
                time.sleep(0.2)

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def __enter__(self) -> Provider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def profile_file(folder: Path) -> Path:
    """The built-in extra clients (scope tests, expiry), as the proof and the embedded default use."""
    from oneroster_conformance.harness import load_builtin_clients

    clients = load_builtin_clients()
    path = folder / "profile.yaml"
    path.write_text(yaml.safe_dump({"name": "benchmark", "clients": {
        name: {"client_id": c.client_id, "client_secret": c.client_secret, "scopes": list(c.scopes)}
        for name, c in clients.items() if name != "conformance-all"}}), encoding="utf-8")
    return path


def target_args(provider: Provider, folder: Path) -> tuple[list[str], dict[str, str]]:
    """Harness options and environment for a run against ``provider``, as the embedded default runs
    (full sweep, full evidence, no rate limit: it is our own server on loopback)."""
    from oneroster_conformance.harness import load_builtin_clients

    main = load_builtin_clients()["conformance-all"]
    # Paths as --option=value: pytest would otherwise take an existing path for a test argument.
    args = [str(REPO / "suites"), f"--base-url={provider.base_url}", f"--token-url={provider.token_url}",
            f"--client-id={main.client_id}", f"--profile={profile_file(folder)}", "--rate-limit=0", "--sweep=full",
            "--evidence=full"]
    return args, {"ONEROSTER_CLIENT_SECRET": main.client_secret}


def run_harness(pytest_args: list[str], folder: Path, env: dict[str, str] | None = None, keep_log: bool = False,
                cwd: Path = REPO, timeout: float = 900) -> dict:
    """Run the suites in a fresh process (as ``python -m pytest`` would) pinned to two cores.

    Returns the runner's record plus ``process_s``: the wall time of the whole process, startup,
    collection and report writing included."""
    out = folder / f"run-{time.monotonic_ns()}.json"
    child_env = {**os.environ, **(env or {}), "BENCH_KEEP_LOG": "1" if keep_log else "0", "CI": "true"}
    # As on a user's machine: bytecode (and pytest's rewritten test modules) cached after the first run.
    child_env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([sys.executable, str(RUNNER), str(out), "-q", "-p", "no:cacheprovider",
                             *NOT_INSTALLED_BY_USERS, f"--report-dir={folder / 'reports'}", *pytest_args],
                            cwd=str(cwd), env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pin(proc.pid)
    output, _ = proc.communicate(timeout=timeout)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not out.exists():
        raise SystemExit(f"the harness run produced no record (exit {proc.returncode}):\n{output[-3000:]}")
    record = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    record["process_s"] = elapsed
    record["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    record["exit_status"] = proc.returncode
    record["tail"] = output.strip().splitlines()[-3:]
    return record


def duplicates(log: list[dict]) -> Counter:
    """Requests made more than once for the same data: same method, URL, credentials and body."""
    keys = Counter((r["method"], r["url"], r["headers"].get("authorization", ""), r["body"]) for r in log)
    return Counter({k: n for k, n in keys.items() if n > 1})


def replay(log: list[dict]) -> float:
    """The same requests, in the same order, from a bare httpx.Client loop: seconds."""
    import base64

    requests = [(r["method"], r["url"], r["headers"], base64.b64decode(r["body"]) if r["body"] else None)
                for r in log]
    with httpx.Client(timeout=60) as client:
        started = time.perf_counter()
        for method, url, headers, body in requests:
            client.request(method, url, headers=headers, content=body).read()
        return time.perf_counter() - started


def scratch(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
