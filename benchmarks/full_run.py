"""The default run (not a test): ``python -m pytest`` with no options, i.e. every suite against the
embedded reference provider with the certification hypothesis profile, pinned to two cores.

Prints its wall time (the whole process: start-up, collection, checks, reports), how many
requests it sent, and every request sent more than once for the same data (same method, URL,
credentials and body), with how often.

    python benchmarks/full_run.py [--rounds 1] [--show 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from urllib.parse import urlsplit

from _common import duplicates, pin, remove, run_harness, scratch, two_cores

GOAL_S = 30.0


def _short(url: str) -> str:
    p = urlsplit(url)
    path = p.path.split("/v1p2", 1)[-1] or p.path
    return path + (f"?{p.query}" if p.query else "")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--show", type=int, default=40, help="duplicates listed")
    a = ap.parse_args()
    pin()
    folder = scratch("bench-full-run-")
    try:
        run_harness(["--collect-only"], folder)  # warm the bytecode caches once
        runs = [run_harness([], folder, keep_log=True) for _ in range(a.rounds)]
    finally:
        remove(folder)
    last = runs[-1]
    dupes = duplicates(last["log"])
    extra = sum(n - 1 for n in dupes.values())
    wall = statistics.median(r["process_s"] for r in runs)
    print(f"default run (python -m pytest: every suite vs the embedded provider, certification profile), "
          f"{len(two_cores() or [])} cores")
    for i, r in enumerate(runs, 1):
        print(f"  round {i}: {r['process_s']:.2f} s wall ({r['session_s']:.2f} s in pytest), {r['requests']} requests, "
              f"peak RSS {r['peak_rss_mb']:.0f} MB (harness and embedded provider), outcomes {r['outcomes']}")
    print(f"wall time: {wall:.2f} s (goal < {GOAL_S:.0f} s)")
    print(f"requests: {last['requests']}; distinct: {last['requests'] - extra}; sent again for the same data: {extra} "
          f"({len(dupes)} distinct requests)")
    checks: dict[tuple, list[str]] = {}
    for method, url, auth, check in last["who"]:
        checks.setdefault((method, url, auth), []).append(check.split("::", 1)[-1])
    for (method, url, auth, body), n in dupes.most_common(a.show):
        who = "no token" if not auth else auth.split(" ", 1)[0].lower() + " …" + auth[-6:]
        by = sorted(set(checks.get((method, url, auth), [])))
        print(f"  x{n}  {method} {_short(url)}  [{who}]{'  +body' if body else ''}  by {', '.join(by)[:150]}")
    return 0 if wall < GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
