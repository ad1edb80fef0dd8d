"""Requests a certification run sends, in all and per spec area (not a test): the default run against
the embedded provider (the three services, then Rostering alone, the run the first figures were
measured on), and a run against a generated district of a few hundred students, where walks span
several pages. Figures come from the run's request counter and from the results footer where the
harness writes one (its ``requests`` totals per area). docs/requests.md says what is asked and why.

    python benchmarks/requests_per_run.py [--students 300] [--hypothesis-profile quick]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _common import Provider, pin, remove, run_harness, scratch, target_args


def _areas(folder: Path) -> dict[str, int]:
    results = folder / "reports" / "results.jsonl"
    if not results.exists():
        return {}
    footer = json.loads(results.read_text(encoding="utf-8").splitlines()[-1])
    return (footer.get("requests") or {}).get("by_area", {})


def _show(label: str, record: dict, areas: dict[str, int]) -> None:
    print(f"{label}: {record['requests']} requests, outcomes {record['outcomes']}")
    if areas:
        print("  by area (sent on behalf of checks): " + ", ".join(f"{k} {v}" for k, v in areas.items()))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--hypothesis-profile", default=None, help="the run's hypothesis profile (default: certification)")
    a = ap.parse_args()
    extra = ["--hypothesis-profile", a.hypothesis_profile] if a.hypothesis_profile else []
    pin()
    folder = scratch("bench-requests-")
    try:
        default = run_harness(extra, folder)
        _show("default run (embedded provider, sample roster, three services)", default, _areas(folder))
        rostering = run_harness(["--services", "rostering", *extra], folder)
        _show("default run, Rostering alone (--services rostering)", rostering, _areas(folder))
        with Provider("--students", str(a.students), "--seed", "7") as provider:
            args, env = target_args(provider, folder)
            district = run_harness([*args, *extra], folder, env=env)
        _show(f"district of {a.students} students (reference provider, full sweep)", district, _areas(folder))
    finally:
        remove(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
