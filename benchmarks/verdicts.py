"""Verdicts of every proof case (clean, variant, every fault, 1.1) at the default hypothesis profile,
kept so that a change meant to save requests can be shown to change no verdict (not a test).

    python benchmarks/verdicts.py record DIR [--only CASE ...] [--workers 2]
    python benchmarks/verdicts.py compare OLD_DIR NEW_DIR

``record`` runs each case as the proof does (its own reference provider over HTTPS, the suites in a
subprocess) but with the certification hypothesis profile of the default run, and keeps
``DIR/CASE/reports/results.jsonl`` and the number of requests each case sent. ``compare`` runs
``oneroster-report diff`` on every case present in both folders, prints the changed ones and the
requests before and after, then the proof's judgement of the new recording (every fault detected,
no false alarm, no collateral), and exits 1 when any verdict differs or the proof does not hold.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from oneroster_conformance import proof


def record(folder: Path, only: list[str] | None, workers: int) -> int:
    from concurrent.futures import ThreadPoolExecutor

    folder.mkdir(parents=True, exist_ok=True)
    selected = [c for c in proof.cases() if not only or c.name in only]
    certs = proof.certificates(folder)
    extra = ("--hypothesis-profile", "certification")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda c: proof.run_case(c, folder, certs, extra), selected))
    bad = [r.case.name for r in results if r.error]
    for name in bad:
        print(f"{name}: the run wrote no results")
    print(f"{len(results) - len(bad)} cases recorded in {folder}")
    return 1 if bad else 0


def requests_of(results: Path) -> int | None:
    """The number of HTTP exchanges the run sent, from the record's footer (None: not recorded)."""
    for line in reversed(results.read_text(encoding="utf-8").splitlines()):
        d = json.loads(line)
        if d.get("type") == "footer":
            total = d.get("requests")
            return total.get("total") if isinstance(total, dict) else total
    return None


def compare(old: Path, new: Path) -> int:
    changed, before, after = [], 0, 0
    names = sorted(p.parent.parent.name for p in old.glob("*/reports/results.jsonl"))
    for name in names:
        a, b = old / name / "reports" / "results.jsonl", new / name / "reports" / "results.jsonl"
        if not b.exists():
            print(f"{name}: missing from {new}")
            changed.append(name)
            continue
        proc = subprocess.run([sys.executable, "-m", "oneroster_conformance.report.cli", "diff", str(a), str(b)],
                              capture_output=True, text=True)
        ra, rb = requests_of(a), requests_of(b)
        before += ra or 0
        after += rb or 0
        verdict = "same" if proc.returncode == 0 and _same_outcomes(a, b) else "CHANGED"
        if verdict != "same":
            changed.append(name)
        print(f"{name:40} {verdict:8} requests {ra} -> {rb}")
        if verdict != "same":
            print("   " + proc.stdout.strip().replace("\n", "\n   "))
    print(f"{len(names)} cases, {len(changed)} changed; requests {before} -> {after}")
    table = judge(new)
    print(proof.markdown(table))
    for name, problems in table["findings"].items():
        print(f"{name}: " + "; ".join(problems))
    return 1 if changed or table["findings"] or table["not_broken_by_any_fault"] else 0


def judge(folder: Path) -> dict:
    """The proof's judgement (detection, false alarms, collateral) of a recording."""
    results = []
    for case in proof.cases():
        path = folder / case.name / "reports" / "results.jsonl"
        result = proof.CaseResult(case)
        if path.exists():
            result.outcomes = proof.reduce(path)
        else:
            result.error = "not recorded"
        results.append(result)
    return proof.judge(results)


def _same_outcomes(a: Path, b: Path) -> bool:
    """Every result key with the same outcome (diff exits 0 on improvements too: any change counts here)."""
    return proof_outcomes(a) == proof_outcomes(b)


def proof_outcomes(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d.get("type") == "result":
            out[d.get("key") or d.get("nodeid") or d["requirement"]] = d["outcome"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("folder", type=Path)
    r.add_argument("--only", nargs="*")
    r.add_argument("--workers", type=int, default=2)
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    a = ap.parse_args()
    if a.cmd == "record":
        return record(a.folder, a.only, a.workers)
    return compare(a.old, a.new)


if __name__ == "__main__":
    sys.exit(main())
