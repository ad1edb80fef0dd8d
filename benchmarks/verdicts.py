"""Verdicts of every proof case (clean, variant, every fault, 1.1) at the default hypothesis profile,
kept so that a change meant to save requests can be shown to change no verdict (not a test).

    python benchmarks/verdicts.py record DIR [--only CASE ...] [--workers 2] [--profile certification]
    python benchmarks/verdicts.py compare OLD_DIR NEW_DIR

``record`` runs each case as the proof does (its own reference provider over HTTPS, the suites in a
subprocess) but with the certification hypothesis profile of the default run, and keeps
``DIR/CASE/reports/results.jsonl`` and the number of requests each case sent. ``compare`` runs
``oneroster-report diff`` on every case present in both folders, prints the changed ones and the
requests before and after, then the proof's judgement of the new recording (every fault detected,
no false alarm, no collateral), and exits 1 when any verdict differs or the proof does not hold.

A verdict is the same when every result present in both runs has the same outcome, no result is
new, and every requirement's worst outcome is the same. Results of the old run that the new one no
longer asks (e.g. scope cells left out on purpose, docs/requests.md) are counted per requirement and
shown, not called a change: ``--strict`` calls them one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from oneroster_conformance import proof


def record(folder: Path, only: list[str] | None, workers: int, profile: str = "certification") -> int:
    from concurrent.futures import ThreadPoolExecutor

    folder.mkdir(parents=True, exist_ok=True)
    selected = [c for c in proof.cases() if not only or c.name in only]
    certs = proof.certificates(folder)
    extra = ("--hypothesis-profile", profile)
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


def compare(old: Path, new: Path, strict: bool = False) -> int:
    changed, before, after = [], 0, 0
    dropped: dict[str, int] = {}
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
        same, gone = _same_verdicts(a, b)
        for rid in gone:
            dropped[rid] = dropped.get(rid, 0) + 1
        verdict = "same" if proc.returncode == 0 and same and not (strict and gone) else "CHANGED"
        if verdict != "same":
            changed.append(name)
        print(f"{name:40} {verdict:8} requests {ra} -> {rb}" + (f"  ({len(gone)} results no longer asked)"
                                                               if gone else ""))
        if verdict != "same":
            print("   " + proc.stdout.strip().replace("\n", "\n   "))
    print(f"{len(names)} cases, {len(changed)} changed; requests {before} -> {after}")
    if dropped:
        print("results no longer asked, per requirement (summed over cases): "
              + ", ".join(f"{k} {v}" for k, v in sorted(dropped.items())))
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


def _same_verdicts(a: Path, b: Path) -> tuple[bool, list[str]]:
    """(same, requirement of each old result the new run no longer asks). Same: every result of both
    runs with the same outcome (diff exits 0 on improvements too: any change counts here), none new,
    and the same worst outcome per requirement."""
    old, new = proof_outcomes(a), proof_outcomes(b)
    common = old.keys() & new.keys()
    same = all(old[k] == new[k] for k in common) and new.keys() <= old.keys() and proof.reduce(a) == proof.reduce(b)
    return same, [k.split("::", 1)[0] for k in sorted(old.keys() - new.keys())]


def proof_outcomes(path: Path) -> dict[str, str]:
    """Outcome by result, keyed 'requirement::result key'."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d.get("type") == "result":
            out[f"{d['requirement']}::{d.get('key') or d.get('nodeid')}"] = d["outcome"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("folder", type=Path)
    r.add_argument("--only", nargs="*")
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--profile", default="certification", help="hypothesis profile (the default run's: certification)")
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    c.add_argument("--strict", action="store_true", help="a result no longer asked counts as a change")
    a = ap.parse_args()
    if a.cmd == "record":
        return record(a.folder, a.only, a.workers, a.profile)
    return compare(a.old, a.new, a.strict)


if __name__ == "__main__":
    sys.exit(main())
