"""Scale benchmark of the harness (not a test): a full data sweep of generated districts of
10,000, 50,000 and 100,000 students, each served by the reference provider in its own process on
loopback, with the harness in another process pinned (with the provider) to two cores.

The sweep is every suite but the endpoint-parameter ones, with --sweep full: every record of every
collection is read once, schema-checked, fed to the per-record data checks and spilled to the
on-disk record store; every GUIDRef is resolved; every nested operation is compared with the
relation computed from the store. (The endpoint-parameter suites walk whole collections again for
each filter, sort and page-size variant by design; at this size that is hours of requests whatever
the harness does, so they are left to the default run.)

Printed per district: records read, requests, wall time of the harness process, records checked
per second, the harness's peak RSS; then how time and memory grow from the smallest district.

    python benchmarks/scale.py [--students 10000 50000 100000] [--page-size 5000] [--keep DIR] [--results FILE]

Building a district takes ~0.4 s per 1,000 students; --keep DIR keeps the databases for the next run.
--results FILE keeps each district's row in FILE (JSON) and prints the rows of earlier runs with
this run's: a 1,000,000-student sweep takes about an hour and can be run on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from _common import REPO, Provider, pin, remove, run_harness, scratch, target_args, two_cores

RSS_GOAL_MB = 300
FLAT_FROM, FLAT_GOAL = 100_000, 1.10
TARGET = 1_000_000  # the largest districts


def build(db: Path, students: int) -> float:
    """Generate the district into ``db`` (reused when it is already there); seconds spent."""
    from oneroster_conformance.provider.app import open_store
    from oneroster_conformance.provider.config import ProviderConfig

    started = time.perf_counter()
    open_store(ProviderConfig(db_path=str(db), students=students)).close()
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    ap.add_argument("--page-size", type=int, default=5_000, help="the harness's --page-size (default 5000, "
                    "within what consumers of large districts ask for)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", metavar="DIR", help="keep (and reuse) the generated databases in DIR")
    ap.add_argument("--evidence", choices=["redacted", "full"], default="redacted", help="evidence mode "
                    "(default redacted, as against a real provider: the redactor learns every personal value)")
    ap.add_argument("--results", metavar="FILE", help="keep the rows in FILE and print them with earlier ones")
    ap.add_argument("--print-only", action="store_true", help="print the rows kept in --results, sweep nothing")
    a = ap.parse_args()
    if a.print_only:
        a.students = []
    pin()
    folder = scratch("bench-scale-")
    dbs = Path(a.keep) if a.keep else folder
    dbs.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in sorted(a.students):
            db = dbs / f"district-{n}.sqlite"
            built = build(db, n)
            with Provider("--db", str(db), "--students", str(n)) as provider:
                args, env = target_args(provider, folder)
                args = [*args, f"--ignore={REPO / 'suites' / 'endpoint_parameters'}", f"--page-size={a.page_size}",
                        f"--workers={a.workers}", f"--evidence={a.evidence}",
                        # On a shared machine a deep page of 5,000 records may wait longer than the default 15 s
                        # for a core: a timed-out page would end the collection's walk early.
                        "--request-timeout=300"]
                # About 25 records per student, read at several thousand records a second.
                run = run_harness(args, folder, env, timeout=max(1800, n / 100))
            run.pop("log", None)
            run.pop("who", None)
            rows.append((n, built, os.path.getsize(db) / 1e6, run))
    finally:
        remove(folder)
    if a.results:
        path = Path(a.results)
        earlier = {row[0]: row for row in (json.loads(path.read_text()) if path.exists() else [])}
        earlier.update({row[0]: list(row) for row in rows})
        path.write_text(json.dumps(sorted(earlier.values())), encoding="utf-8")
        rows = [tuple(row) for row in sorted(earlier.values())]
    print(f"harness scale: full data sweep (every suite but endpoint_parameters, --sweep full, --page-size "
          f"{a.page_size}, {a.evidence} evidence), provider and harness on {len(two_cores() or [])} cores")
    print(f"{'students':>9} {'records':>10} {'requests':>8} {'wall s':>7} {'CPU s':>6} {'records/s':>10} "
          f"{'peak RSS MB':>11} {'outcomes'}")
    for n, _, _, run in rows:
        records = run["records_swept"]
        print(f"{n:>9,} {records:>10,} {run['requests']:>8,} {run['process_s']:>7.1f} {run['cpu_s']:>6.0f} "
              f"{records / run['process_s']:>10,.0f} {run['peak_rss_mb']:>11.0f} {run['outcomes']}")
    base = rows[0][3]
    for n, _, _, run in rows[1:]:
        def x(key: str, r=run) -> float:
            return r[key] / base[key]
        print(f"{n:,} vs {rows[0][0]:,} students: records x{x('records_swept'):.1f}, wall time x{x('process_s'):.1f}, "
              f"harness CPU x{x('cpu_s'):.1f}, peak RSS x{x('peak_rss_mb'):.2f}")
    print("district build (not part of the sweep): " + ", ".join(
        f"{n:,}: {built:.0f} s, {size:,.0f} MB" for n, built, size, _ in rows))
    for n, *_, run in rows:
        if run.get("crawl_errors"):
            print(f"INCOMPLETE at {n:,} students (the row does not count): {run['crawl_errors']}")
    worst = max(run["peak_rss_mb"] for *_, run in rows)
    print(f"largest harness peak RSS: {worst:.0f} MB (goal < {RSS_GOAL_MB} MB)")
    # Flat: from the first district of 100,000 students or more to the largest, within 10 %.
    big = [run for n, *_, run in rows if n >= FLAT_FROM] or [rows[-1][3]]
    flat = max(r["peak_rss_mb"] for r in big) / big[0]["peak_rss_mb"]
    print(f"peak RSS from {rows[-len(big)][0]:,} to {rows[-1][0]:,} students: x{flat:.2f} (goal: flat, within "
          f"x{FLAT_GOAL})")
    n, _, _, last = rows[-1]
    if n < TARGET:
        # The harness's CPU per record of the largest district, carried to the target (memory does not grow).
        per_student = last["records_swept"] / n
        cpu_per_record = last["cpu_s"] / last["records_swept"]
        print(f"projected for {TARGET:,} students: ~{TARGET * per_student / 1e6:.1f} M records, ~"
              f"{TARGET * per_student * cpu_per_record / 60:.0f} min of harness CPU at the {n:,}-student rate")
    complete = not any(run.get("crawl_errors") for *_, run in rows)
    return 0 if worst < RSS_GOAL_MB and flat <= FLAT_GOAL and complete else 1

if __name__ == "__main__":
    sys.exit(main())
