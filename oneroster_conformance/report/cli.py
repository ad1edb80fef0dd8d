"""``oneroster-report``: work with a run record (results.jsonl) after the run.

    oneroster-report diff OLD.jsonl NEW.jsonl          exit 1 when a result got worse
    oneroster-report html RESULTS.jsonl -o report.html re-render the HTML report from the record
    oneroster-report junit RESULTS.jsonl -o junit.xml  re-render JUnit XML from the record
    oneroster-report validate RESULTS.jsonl            check the record against results.schema.json

The gate used for ``html`` and ``junit`` is the one the run recorded in its footer, unless
``--strict`` / ``--exclude-non-normative`` say otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from oneroster_conformance.report.diff import diff_results
from oneroster_conformance.report.gate import GateDecision, decide
from oneroster_conformance.report.jsonl import read_results, validate_results_file
from oneroster_conformance.report.model import Result

# 0 no regression (or done), 1 a regression, 2 bad command line (argparse), 3 an input file cannot be read.
EXIT_OK, EXIT_REGRESSION, EXIT_USAGE, EXIT_UNREADABLE = 0, 1, 2, 3


def _read(path: str) -> tuple[dict, list[Result], dict | None]:
    try:
        return read_results(path)
    except (OSError, ValueError) as e:
        print(f"oneroster-report: cannot read {path}: {str(e).splitlines()[0] if str(e) else e!r}", file=sys.stderr)
        raise SystemExit(EXIT_UNREADABLE) from None


def _decision(results: list[Result], footer: dict | None, args: argparse.Namespace) -> GateDecision:
    gate = (footer or {}).get("gate") or {}
    levels = set(gate.get("levels") or ["MUST"])
    if args.strict:
        levels.add("SHOULD")
    include = gate.get("include_non_normative", True) and not args.exclude_non_normative
    return decide(results, gate_levels=levels, include_non_normative=include,
                  fail_on_errored=gate.get("fail_on_errored", True))


def _catalogue():
    from oneroster_conformance.spec.requirements import catalogue

    try:
        return catalogue()
    except (OSError, ValueError):  # the record carries level, section and area itself
        return None


def cmd_diff(args: argparse.Namespace) -> int:
    _, old, _ = _read(args.old)
    _, new, _ = _read(args.new)
    d = diff_results(old, new)
    print(d.render(args.old, args.new))
    return EXIT_REGRESSION if d.has_regressions else EXIT_OK


def cmd_html(args: argparse.Namespace) -> int:
    from oneroster_conformance.report.html import write_html

    header, results, footer = _read(args.results)
    meta = dict(header)
    if footer and footer.get("finished_at"):
        meta["finished_at"] = footer["finished_at"]
    meta["unfinished"] = footer is None  # the report's header then says the run did not finish
    if footer and footer.get("certificate"):
        meta["certificate"] = footer["certificate"]
    if footer and footer.get("writes"):
        meta["writes"] = footer["writes"]
    out = Path(args.output or Path(args.results).with_suffix(".html"))
    decision = _decision(results, footer, args)
    write_html(results, out, meta, decision, _catalogue())
    print(f"{decision.verdict}: wrote {out}" + ("" if footer else " (the run did not finish: no footer)"))
    return EXIT_OK


def cmd_junit(args: argparse.Namespace) -> int:
    from oneroster_conformance.report.junit import write_junit

    header, results, footer = _read(args.results)
    decision = _decision(results, footer, args)
    out = Path(args.output or Path(args.results).with_suffix(".xml"))
    write_junit(results, out, header, decision.gate_levels, decision.include_non_normative)
    print(f"wrote {out}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    errors = validate_results_file(args.results, require_footer=not args.allow_unfinished)
    for e in errors:
        print(f"{args.results}: {e}")
    if not errors:
        print(f"{args.results}: valid")
    return EXIT_REGRESSION if errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="oneroster-report", description="Work with a OneRoster conformance run record.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("diff", help="list results whose outcome changed; exit 0 no regression, 1 a regression, "
                       "3 a file cannot be read")
    d.add_argument("old")
    d.add_argument("new")
    d.set_defaults(func=cmd_diff)

    for name, func, what in (("html", cmd_html, "HTML report"), ("junit", cmd_junit, "JUnit XML")):
        s = sub.add_parser(name, help=f"render the {what} from a results.jsonl")
        s.add_argument("results")
        s.add_argument("-o", "--output", help="output file (default: next to the results file)")
        s.add_argument("--strict", action="store_true", help="gate SHOULD requirements too")
        s.add_argument("--exclude-non-normative", action="store_true",
                       help="leave requirements of NOT NORMATIVE sections out of the gate")
        s.set_defaults(func=func)

    v = sub.add_parser("validate", help="check a results.jsonl against schemas/results.schema.json")
    v.add_argument("results")
    v.add_argument("--allow-unfinished", action="store_true", help="accept a file without a footer")
    v.set_defaults(func=cmd_validate)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
