"""Terminal lines for the pytest plugin: pure functions returning strings (the plugin prints them)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from oneroster_conformance.report.common import OUTCOMES, ordered_areas
from oneroster_conformance.report.gate import GateDecision
from oneroster_conformance.report.model import Result, requests_by_requirement

_AREA_WIDTH = 12
_BAR = 20
_ANSI = {"green": "\x1b[32m", "red": "\x1b[31m", "yellow": "\x1b[33m", "bold": "\x1b[1m", "reset": "\x1b[0m"}


def _paint(text: str, colour: str, color: bool) -> str:
    return f"{_ANSI[colour]}{_ANSI['bold']}{text}{_ANSI['reset']}" if color else text


def progress_line(area: str, done: int, total: int, failures: int) -> str:
    """``pagination    [########------------]  12/30  2 failures``"""
    total = max(total, 0)
    done = min(max(done, 0), total) if total else max(done, 0)
    filled = round(_BAR * done / total) if total else _BAR
    width = len(str(total))
    fails = "no failures" if failures == 0 else f"{failures} failure" + ("" if failures == 1 else "s")
    return f"{area:<{_AREA_WIDTH}} [{'#' * filled}{'-' * (_BAR - filled)}] {done:>{width}}/{total}  {fails}"


def summary_table(results: Iterable[Result]) -> str:
    """Areas (in the fixed order) by outcomes, with a total row; columns aligned, zeros shown as '.'."""
    results = list(results)
    areas = ordered_areas(r.area for r in results)
    cols = [o.label for o in OUTCOMES] + ["total", "requests"]  # requests: sent on behalf of the checks
    rows: list[list[str]] = []
    totals = [0] * len(cols)
    for area in areas:
        rs = [r for r in results if r.area == area]
        nums = [sum(r.outcome is o for r in rs) for o in OUTCOMES] + [len(rs), sum(r.requests for r in rs)]
        totals = [a + b for a, b in zip(totals, nums, strict=True)]
        rows.append([area] + [str(n) if n else "." for n in nums])
    rows.append(["total"] + [str(n) if n else "." for n in totals])
    first = max([len("area")] + [len(r[0]) for r in rows])
    widths = [max(len(c), *(len(r[i + 1]) for r in rows)) for i, c in enumerate(cols)]
    header = "area".ljust(first) + "  " + "  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True))
    rule = "-" * len(header)
    body = [r[0].ljust(first) + "  " + "  ".join(v.rjust(w) for v, w in zip(r[1:], widths, strict=True))
            for r in rows]
    return "\n".join([header, rule, *body[:-1], rule, body[-1]])


def costliest_line(results: Iterable[Result], shown: int = 5) -> str:
    """The requirements whose checks sent the most requests: what a run costs a provider, and where."""
    spent = list(requests_by_requirement(list(results)).items())[:shown]
    return "costliest requirements (requests sent): " + ", ".join(f"{k} {v}" for k, v in spent) if spent else ""


def verdict_line(decision: GateDecision, report_path: str | Path | None = None, color: bool = False) -> str:
    """The last line of a run: the gate's reason sentence and where the report is."""
    colour = "green" if decision.exit_status == 0 and decision.conformant else (
        "yellow" if decision.exit_status == 0 else "red")
    verdict, _, rest = decision.reason.partition(":")
    line = _paint(verdict, colour, color) + (":" + rest if rest else "")
    if report_path:
        line += f" Report: {report_path}"
    return line


def certificate_lines(verdicts) -> list[str]:
    """The certificate: one line per conformance profile (a certificate.Verdict each)."""
    width = max(len(v.profile.title) for v in verdicts)
    lines = ["certificate (per service and profile):"]
    for v in verdicts:
        lines.append(f"  {v.profile.title:<{width}}  {v.status:<24} {v.detail}")
    return lines
