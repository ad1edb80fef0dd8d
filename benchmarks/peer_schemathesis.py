"""The harness beside a peer (not a test): schemathesis, with its own OpenAPI-driven checks, from
the same extracted OpenAPI (schemas/v1p2/openapi.json, its server URL replaced), against the same
reference provider on loopback, for the same wall time as the harness took.

Schemathesis is not a dependency of this project: ``python -m pip install schemathesis`` first.
Schemathesis gets a bearer token for every scope (it does not run OAuth 2 client credentials
itself), all its checks (--checks all), one worker and a fixed seed; its time budget (--max-time)
is the harness's wall time on the same provider. For each named fault of the reference provider
the table shows what each tool reports that it does not report on the clean provider.

    python benchmarks/peer_schemathesis.py [--faults NAME ...]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
from _common import REPO, Provider, pin, remove, run_harness, scratch, target_args, two_cores

FAULTS = ["endpoint-500", "filter-500", "wrong-content-type", "extra-property", "typed-wrapper", "plain-error-bodies",
          "no-auth", "writes-accepted", "bad-datetime", "ignores-offset", "single-object-mixup", "scope-not-enforced"]
BROKEN = {"fail", "warn"}


def schemathesis_exe() -> str:
    exe = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    if not Path(exe).exists():
        raise SystemExit("schemathesis is not installed: python -m pip install schemathesis (not a project dependency)")
    return exe


def token(provider: Provider) -> str:
    from oneroster_conformance.harness import load_builtin_clients
    from oneroster_conformance.spec.operations import ALL_SCOPES

    main = load_builtin_clients()["conformance-all"]
    reply = httpx.post(provider.token_url, data={"grant_type": "client_credentials", "scope": " ".join(ALL_SCOPES)},
                       auth=(main.client_id, main.client_secret), timeout=30)
    return reply.json()["access_token"]


def run_schemathesis(provider: Provider, folder: Path, budget_s: float) -> dict:
    """One schemathesis run: requests sent, wall time, and the (check, code) failures it reported."""
    spec = json.loads((REPO / "schemas" / "v1p2" / "openapi.json").read_text(encoding="utf-8"))
    spec["servers"] = [{"url": provider.base_url}]
    schema = folder / "openapi.json"
    schema.write_text(json.dumps(spec), encoding="utf-8")
    reports = folder / f"st-{time.monotonic_ns()}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [schemathesis_exe(), "run", str(schema), "--url", provider.base_url,
         "-H", f"Authorization: Bearer {token(provider)}", "--checks", "all",
         "--max-time", str(max(1, math.ceil(budget_s))), "--workers", "1", "--seed", "1",
         "--report", "har,ndjson", "--report-dir", str(reports)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pin(proc.pid)
    proc.wait(timeout=budget_s + 300)
    elapsed = time.perf_counter() - started
    har = json.loads(next(reports.glob("har-*.json")).read_text(encoding="utf-8"))
    failures: dict[str, int] = {}
    for line in next(reports.glob("ndjson-*.ndjson")).read_text(encoding="utf-8").splitlines():
        event = json.loads(line).get("ScenarioFinished")
        # schemathesis 4 puts the checks under the scenario's recorder (older releases beside it)
        recorded = (event or {}).get("recorder") or event or {}
        for checks in recorded.get("checks", {}).values():
            for check in checks:
                if check.get("status") == "failure":
                    info = (check.get("failure_info") or {}).get("failure") or {}
                    key = f"{check['name']} ({info.get('code', '?')})"
                    failures[key] = failures.get(key, 0) + 1
    return {"requests": len(har["log"]["entries"]), "wall_s": elapsed, "failures": failures}


def run_ours(provider: Provider, folder: Path) -> dict:
    from oneroster_conformance.proof import reduce

    args, env = target_args(provider, folder)
    run = run_harness(args, folder, env)
    run["outcomes_by_requirement"] = reduce(folder / "reports" / "results.jsonl")
    return run


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--faults", nargs="*", default=FAULTS)
    a = ap.parse_args()
    from oneroster_conformance.provider.faults import FAULTS as CATALOGUE

    schemathesis_exe()
    pin()
    folder = scratch("bench-peer-")
    rows = []
    try:
        for fault in [None, *a.faults]:
            with Provider(*(["--fault", fault] if fault else [])) as provider:
                ours = run_ours(provider, folder)
                theirs = run_schemathesis(provider, folder, ours["process_s"])
            rows.append((fault, ours, theirs))
    finally:
        remove(folder)
    _, clean_ours, clean_theirs = rows[0]
    base_ours = {r for r, o in clean_ours["outcomes_by_requirement"].items() if o in BROKEN}
    base_theirs = set(clean_theirs["failures"])
    print(f"peer: the harness vs schemathesis {_version()} (--checks all, same OpenAPI, same provider, same wall "
          f"time), {len(two_cores() or [])} cores")
    print(f"{'clean provider':<22} {'requests':>8} {'wall s':>7} {'req/s':>7}  reported on a conformant provider")
    for name, run, wall, found in (("harness", clean_ours, clean_ours["process_s"], sorted(base_ours)),
                                   ("schemathesis", clean_theirs, clean_theirs["wall_s"],
                                    [f"{k} x{n}" for k, n in sorted(clean_theirs["failures"].items())])):
        print(f"{name:<22} {run['requests']:>8} {wall:>7.1f} {run['requests'] / wall:>7.0f}  "
              f"{', '.join(found) or 'nothing'}")
    print()
    print("| fault | what it breaks | harness (requirements failing, new vs clean) | schemathesis (checks failing, "
          "new vs clean) |")
    print("|---|---|---|---|")
    found_ours = found_theirs = 0
    for fault, ours, theirs in rows[1:]:
        new_ours = sorted(r for r, o in ours["outcomes_by_requirement"].items() if o in BROKEN and r not in base_ours)
        new_theirs = sorted(set(theirs["failures"]) - base_theirs)
        found_ours += bool(new_ours)
        found_theirs += bool(new_theirs)
        print(f"| {fault} | {CATALOGUE[fault].description} | {_cell(new_ours)} | {_cell(new_theirs)} |")
    print(f"| **faults found** | {len(rows) - 1} named faults | **{found_ours}** | **{found_theirs}** |")
    return 0


def _cell(items: list[str]) -> str:
    return "found: " + ", ".join(items[:4]) + (f" (+{len(items) - 4})" if len(items) > 4 else "") if items else "—"


def _version() -> str:
    out = subprocess.run([schemathesis_exe(), "--version"], capture_output=True, text=True).stdout
    return out.strip().rsplit(" ", 1)[-1]


if __name__ == "__main__":
    sys.exit(main())
