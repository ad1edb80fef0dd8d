"""Harness overhead (not a test): a full default run against the reference provider, against the
same requests replayed by a bare httpx.Client loop.

The reference provider (the embedded default's sample roster) runs in its own process on
loopback, so its CPU is not the harness's. Each round runs the whole harness in a fresh process
(interpreter start, collection, every check, the reports) with its request log on, then replays
exactly those requests (method, URL, headers, body) in order from one httpx.Client, and prints
harness wall time / bare replay time. Everything runs pinned to two cores.

    python benchmarks/harness_overhead.py [--rounds 3] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from _common import Provider, pin, remove, replay, run_harness, scratch, target_args, two_cores

GOAL = 1.25


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, help="pass --workers N to the harness")
    a = ap.parse_args()
    pin()
    folder = scratch("bench-overhead-")
    extra = ["--workers", str(a.workers)] if a.workers else []
    rows = []
    try:
        with Provider() as provider:
            args, env = target_args(provider, folder)
            run_harness(["--collect-only", *args], folder, env)  # warm the bytecode caches once
            for _ in range(a.rounds):
                cpu_before = provider.cpu_seconds()
                run = run_harness([*args, *extra], folder, env, keep_log=True)
                provider_cpu = provider.cpu_seconds() - cpu_before
                bare = replay(run["log"])
                rows.append((run["process_s"], run["session_s"], bare, len(run["log"]), provider_cpu, run))
    finally:
        remove(folder)
    cache = "off" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "on"
    print(f"harness overhead: full default run (suites, certification profile) vs a bare httpx replay, "
          f"{len(two_cores() or [])} cores, bytecode cache {cache}")
    print(f"{'round':>5} {'requests':>8} {'harness s':>10} {'in-session s':>12} {'replay s':>9} {'provider cpu s':>14} "
          f"{'ratio':>6}")
    for i, (process_s, session_s, bare, n, cpu, _) in enumerate(rows, 1):
        print(f"{i:>5} {n:>8} {process_s:>10.2f} {session_s:>12.2f} {bare:>9.2f} {cpu:>14.2f} {process_s / bare:>6.2f}")
    ratio = statistics.median(r[0] / r[2] for r in rows)
    session_ratio = statistics.median(r[1] / r[2] for r in rows)
    last = rows[-1][5]
    print(f"outcomes of the last round: {last['outcomes']}; {last['tail'][-1] if last['tail'] else ''}")
    print(f"harness wall time / bare replay time (median): {ratio:.2f}  (goal <= {GOAL}; in-session only: "
          f"{session_ratio:.2f})")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
