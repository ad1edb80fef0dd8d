"""Harness overhead (not a test): a full default run against the reference provider, against the
same requests replayed by a bare httpx.Client loop.

The reference provider (the embedded default's sample roster) runs in its own process on
loopback, so its CPU is not the harness's. Each round runs the whole harness in a fresh process
(interpreter start, collection, every check, the reports) with its request log on, then replays
exactly those requests (method, URL, headers, body) in order from one httpx.Client, and prints
harness wall time / bare replay time. Everything runs pinned to two cores.

The ratio depends on how fast the server answers: on loopback the reference provider answers in
about a millisecond, so the harness's own work (Python and pytest, ~2-3 ms of CPU per request)
dominates; a server across a network answers in tens of milliseconds and the same work becomes a
small share. ``--latency-ms`` runs the provider with each response delayed (default: 0, then 20).

Last, it times pytest alone running the same number of no-op checks (same interpreter and
third-party plugins, no requests): the floor any pytest-based harness with this many checks pays,
printed as a share of the bare replay, beside the harness's own work beyond it.

    python benchmarks/harness_overhead.py [--rounds 3] [--latency-ms 0 20] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from _common import NOT_INSTALLED_BY_USERS, Provider, pin, remove, replay, run_harness, scratch, target_args, two_cores

GOAL = 1.25


def measure(latency_ms: float, rounds: int, extra: list[str], folder) -> list[dict]:
    rows = []
    with Provider("--latency-ms", str(latency_ms)) as provider:
        args, env = target_args(provider, folder)
        run_harness(["--collect-only", *args], folder, env)  # warm the bytecode caches once
        for _ in range(rounds):
            cpu_before = provider.cpu_seconds()
            run = run_harness([*args, *extra], folder, env, keep_log=True)
            provider_cpu = provider.cpu_seconds() - cpu_before
            rows.append({"run": run, "bare": replay(run["log"]), "provider_cpu": provider_cpu})
    return rows


def pytest_floor(checks: int, folder, rounds: int) -> float:
    """Wall time (median) of pytest alone running ``checks`` no-op checks: the runner's floor.

    The same interpreter, pytest and third-party plugins the harness runs under (hypothesis,
    allure-pytest), the harness's own plugin left out: what any pytest-based harness with this many
    checks pays before it sends a request or judges an answer."""
    module = folder / "floor" / "test_floor.py"
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(f"import pytest\n\n\n@pytest.mark.parametrize('i', range({checks}))\n"
                      "def test_noop(i):\n    assert i >= 0\n", encoding="utf-8")
    env = {**os.environ, "CI": "true"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:oneroster",
           *NOT_INSTALLED_BY_USERS, str(module)]
    times = []
    for i in range(rounds + 1):  # the first run only warms the bytecode caches
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=str(module.parent), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        pin(proc.pid)
        if proc.wait() != 0:
            raise SystemExit("the pytest floor run failed")
        if i:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3, help="rounds on loopback (one round at each other latency)")
    ap.add_argument("--latency-ms", type=float, nargs="+", default=[0, 20], help="provider response delays to "
                    "measure at (the goal is judged at the first)")
    ap.add_argument("--workers", type=int, help="pass --workers N to the harness")
    a = ap.parse_args()
    pin()
    folder = scratch("bench-overhead-")
    extra = ["--workers", str(a.workers)] if a.workers else []
    results = {}
    try:
        for i, latency in enumerate(a.latency_ms):
            results[latency] = measure(latency, a.rounds if i == 0 else 1, extra, folder)
        checks = sum(next(iter(results.values()))[-1]["run"]["outcomes"].values())
        floor = pytest_floor(checks, folder, a.rounds)
    finally:
        remove(folder)
    print(f"harness overhead: full default run (suites, certification profile) vs a bare httpx replay of the same "
          f"requests, {len(two_cores() or [])} cores")
    print(f"{'latency':>8} {'round':>5} {'requests':>8} {'harness s':>10} {'harness cpu s':>13} {'in-session s':>12} "
          f"{'replay s':>9} {'provider cpu s':>14} {'ratio':>6}")
    for latency, rows in results.items():
        for i, row in enumerate(rows, 1):
            run, bare = row["run"], row["bare"]
            print(f"{latency:>6.0f}ms {i:>5} {len(run['log']):>8} {run['process_s']:>10.2f} {run['cpu_s']:>13.2f} "
                  f"{run['session_s']:>12.2f} {bare:>9.2f} {row['provider_cpu']:>14.2f} "
                  f"{run['process_s'] / bare:>6.2f}")
    first = next(iter(results.values()))
    last = first[-1]["run"]
    print(f"outcomes of the last loopback round: {last['outcomes']}; {last['tail'][-1] if last['tail'] else ''}")
    ratios = {}
    for latency, rows in results.items():
        ratios[latency] = statistics.median(r["run"]["process_s"] / r["bare"] for r in rows)
        session = statistics.median(r["run"]["session_s"] / r["bare"] for r in rows)
        print(f"harness wall time / bare replay time at {latency:.0f} ms per response (median): {ratios[latency]:.2f}"
              f"  (in-session only: {session:.2f}; goal <= {GOAL})")
    loopback = next(iter(results))
    bare = statistics.median(r["bare"] for r in first)
    harness = statistics.median(r["run"]["process_s"] for r in first)
    print(f"pytest alone running {checks} no-op checks (interpreter, pytest and its plugins, no requests): "
          f"{floor:.2f} s = {floor / bare:.2f} of the bare replay at {loopback:.0f} ms; the harness's own work "
          f"beyond that floor and the requests: {harness - floor - bare:.2f} s")
    print(f"a pytest harness that sent the same requests one after another and judged nothing would be at "
          f"(floor + replay) / replay = {(floor + bare) / bare:.2f}")
    return 0 if next(iter(ratios.values())) <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
