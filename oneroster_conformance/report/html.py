"""The HTML report: one self-contained file (inline CSS, no external assets), readable and printable.

A certificate-like summary at the top (target, date, versions, verdict, counts), then one section per
spec area in a fixed order: the requirements of the area with their outcome counts, and every finding
(fail, warn, errored) with its explanation and folded evidence. The scopes area adds an operations x
scopes matrix. Everything shown is escaped (Jinja2 autoescape).
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from oneroster_conformance.report.common import OUTCOMES, area_title, case_name, ordered_areas, worst
from oneroster_conformance.report.gate import GateDecision
from oneroster_conformance.report.model import Outcome, Result
from oneroster_conformance.spec.requirements import Catalogue, Requirement

TEMPLATES = Path(__file__).resolve().parent / "templates"
SCOPE_REQUIREMENTS = ("scopes/grant", "scopes/deny")
_SCOPE_ORDER = ("roster-core.readonly", "roster.readonly", "roster-demographics.readonly")
FINDING_OUTCOMES = (Outcome.FAIL, Outcome.ERRORED, Outcome.WARN)


@dataclass
class RequirementRow:
    id: str
    level: str
    section: str
    normative: bool
    summary: str
    reading: str | None
    consequence: str | None
    counts: dict[str, int]
    status: str  # worst outcome value, or "not-run"
    total: int
    known: int = 0  # results excused by the expectations file
    stale: int = 0  # expected failures that pass now


@dataclass
class Finding:
    """One cause: the results of one requirement that failed the same way, on one or more operations.

    The first result is shown in full (message, values, evidence); the others are one click away."""

    results: list[Result]
    token_note: str | None = None  # how to get $ONEROSTER_TOKEN, on the first finding of each scope
    token_scope: str | None = None  # that scope, when not every scope

    @property
    def first(self) -> Result:
        return self.results[0]

    @property
    def rest(self) -> list[Result]:
        return self.results[1:]

    @property
    def operations(self) -> list[str]:
        return list(dict.fromkeys(r.operation for r in self.results if r.operation))


_OPERATION_ID = re.compile(r"\b(?:get|post|put|patch|delete)[A-Z]\w*")
_PATH = re.compile(r"(?<![\w.])/[\w{}/.-]*")
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|‹[^›]*›")
_IDISH = re.compile(r"[\w.:-]*[\d-][\w.:-]*")
_CLAUSE_SHAPE = re.compile(r"[\w.:]+\s*(?:!=|>=|<=|=|>|<|~)\s*«v»")
_LIST = re.compile(r"#(?:, #)*(?: \(\+# more\))?")


def message_shape(message: str | None) -> str:
    """What stays of a failure message once the operation, paths, values, ids and numbers are taken
    out: results of one requirement with the same shape failed for the same cause."""
    text = _OPERATION_ID.sub("«op»", message or "")
    text = _QUOTED.sub("«v»", text)
    text = _CLAUSE_SHAPE.sub("«clause»", text)
    text = _PATH.sub("«path»", text)
    return _LIST.sub("#", _IDISH.sub("#", text))


def clusters(results: list[Result]) -> list[Finding]:
    """Group one requirement's results by cause (same outcome, same message shape), in first-seen order."""
    found: dict[tuple, Finding] = {}
    for r in results:
        key = (r.outcome, message_shape(r.message))
        if key in found:
            found[key].results.append(r)
        else:
            found[key] = Finding([r])
    return list(found.values())


@dataclass
class AreaView:
    id: str
    title: str
    rows: list[RequirementRow] = field(default_factory=list)
    findings: list[Result] = field(default_factory=list)
    groups: list[tuple[RequirementRow, list[Result]]] = field(default_factory=list)  # findings by requirement
    clusters: list[tuple[RequirementRow, list[Finding]]] = field(default_factory=list)  # the same, one per cause
    known: list[Result] = field(default_factory=list)
    stale: list[Result] = field(default_factory=list)
    notes: list[Result] = field(default_factory=list)  # info and not-applicable results, with their reasons
    status: str = "not-run"
    counts: dict[str, int] = field(default_factory=dict)
    matrix: dict | None = None


def _short_scope(scope: str) -> str:
    return scope.rstrip("/").rsplit("/", 1)[-1]


def _cell_label(r: Result) -> str:
    grant = r.requirement == "scopes/grant"
    if r.outcome is Outcome.PASS:
        return "granted" if grant else "refused"
    if r.outcome in (Outcome.FAIL, Outcome.WARN):
        return "not granted" if grant else "not refused"
    return f"{r.outcome.label} (must {'grant' if grant else 'refuse'})"


def case_label(r: Result) -> str:
    """Where a result applies, for a reader: ``getAllUsers · limit=5000`` (scope URLs shortened)."""
    params = [f"{k}={_short_scope(v) if k == 'scope' else v}" for k, v in sorted(r.params.items())]
    return " · ".join(([r.operation] if r.operation else []) + params)


def scope_matrix(results: Iterable[Result]) -> dict | None:
    """Operations x scopes from scopes/grant and scopes/deny results: {scopes, rows: [{operation, cells}]}."""
    cells: dict[tuple[str, str], list[Result]] = {}
    operations: list[str] = []
    scopes: set[str] = set()
    for r in results:
        scope = r.params.get("scope")
        if r.requirement not in SCOPE_REQUIREMENTS or not r.operation or not scope:
            continue
        short = _short_scope(scope)
        scopes.add(short)
        if r.operation not in operations:
            operations.append(r.operation)
        cells.setdefault((r.operation, short), []).append(r)
    if not cells:
        return None
    cols = [s for s in _SCOPE_ORDER if s in scopes] + sorted(scopes - set(_SCOPE_ORDER))
    rows = []
    for op in operations:
        row = []
        for s in cols:
            rs = cells.get((op, s), [])
            out = worst(r.outcome for r in rs)
            row.append({
                "outcome": out.value if out else None,
                "symbol": out.symbol if out else "",
                "label": " / ".join(dict.fromkeys(_cell_label(r) for r in rs)),
                "title": "; ".join(f"{r.requirement}: {r.outcome.label}" + (f" - {r.message}" if r.message else "")
                                   for r in rs),
            })
        rows.append({"operation": op, "cells": row})
    return {"scopes": cols, "rows": rows}


def _counts(results: Iterable[Result]) -> dict[str, int]:
    c = Counter(r.outcome.value for r in results)
    return {o.value: c.get(o.value, 0) for o in OUTCOMES}


def _requirement_row(rid: str, req: Requirement | None, rs: list[Result]) -> RequirementRow:
    first = rs[0] if rs else None
    w = worst(r.outcome for r in rs)
    return RequirementRow(
        id=rid,
        level=req.level if req else first.level if first else "",
        section=req.section if req else first.section if first else "",
        normative=req.normative if req else first.normative if first else True,
        summary=req.summary if req else "",
        reading=req.reading if req else None,
        consequence=req.consequence if req else None,
        counts=_counts(rs),
        status=w.value if w else "not-run",
        total=len(rs),
        known=sum(r.expectation == "expected-fail" for r in rs),
        stale=sum(r.expectation == "stale" for r in rs),
    )


def build_areas(results: list[Result], catalogue: Catalogue | None, binding: str | None) -> list[AreaView]:
    reqs: dict[str, Requirement] = {}
    if catalogue is not None:
        listed = catalogue.for_binding(binding) if binding else list(catalogue)
        reqs = {r.id: r for r in listed}
    by_req: dict[str, list[Result]] = {}
    for r in results:
        by_req.setdefault(r.requirement, []).append(r)
    area_of = {rid: q.area for rid, q in reqs.items()} | {r.requirement: r.area for r in results}
    areas = []
    for area in ordered_areas(area_of.values()):
        rids = [rid for rid in reqs if area_of[rid] == area]  # catalogue order first
        rids += sorted({r.requirement for r in results if r.area == area} - set(rids))
        rs = [r for r in results if r.area == area]
        view = AreaView(id=area, title=area_title(area))
        view.rows = [_requirement_row(rid, reqs.get(rid) or (catalogue.requirements.get(rid) if catalogue else None),
                                      by_req.get(rid, [])) for rid in rids]
        broken = [r for r in rs if r.outcome in FINDING_OUTCOMES]
        view.findings = sorted((r for r in broken if r.expectation != "expected-fail"),
                               key=lambda r: -r.outcome.severity)
        rows = {row.id: row for row in view.rows}
        grouped: dict[str, list[Result]] = {}
        for r in view.findings:
            grouped.setdefault(r.requirement, []).append(r)
        view.groups = [(rows[rid], rs_) for rid, rs_ in grouped.items()]
        view.clusters = [(row, clusters(rs_)) for row, rs_ in view.groups]
        view.known = [r for r in broken if r.expectation == "expected-fail"]
        view.stale = [r for r in rs if r.expectation == "stale"]
        view.notes = [r for r in rs if r.outcome in (Outcome.INFO, Outcome.NOT_APPLICABLE)]
        w = worst(r.outcome for r in rs)
        view.status = w.value if w else "not-run"
        view.counts = _counts(rs)
        if area == "scopes":
            view.matrix = scope_matrix(rs)
        areas.append(view)
    return areas


def scope_of(r: Result | None) -> tuple[str, ...]:
    """The scope(s) the token of a check held: the one a scope check names, else the read scopes of the
    service its request went to (Rostering's unless the URL is under the Gradebook or Resources root)."""
    from oneroster_conformance.spec.operations import ALL_SCOPES, EVERY_READ_SCOPE, READ_SCOPES, SERVICE_ROOTS

    short = r.params.get("scope") if r is not None else None
    if short:
        last = short.rsplit("/", 1)[-1]
        return tuple(s for s in EVERY_READ_SCOPE if s.rstrip("/").rsplit("/", 1)[-1] == last) or (short,)
    url = r.evidence[0].url if r is not None and r.evidence else ""
    for service in ("gradebook", "resources"):
        if SERVICE_ROOTS[service] + "/" in (url or ""):
            return READ_SCOPES[service]
    return ALL_SCOPES


def token_command(meta: dict, r: Result | None = None) -> str:
    """A shell command that puts a token with the check's scope in $ONEROSTER_TOKEN (client id and
    secret from the environment, as the harness reads them)."""
    target = meta.get("target") or ""
    token_url = meta.get("token_url") or (target.split("/ims/", 1)[0] + "/token" if "/ims/" in target
                                          else "<token URL>")
    scope = shlex.quote("scope=" + " ".join(scope_of(r)))
    read = """python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'"""
    return ('export ONEROSTER_TOKEN="$(curl -sS -u "$ONEROSTER_CLIENT_ID:$ONEROSTER_CLIENT_SECRET" '
            f'-d grant_type=client_credentials --data-urlencode {scope} {shlex.quote(token_url)} | {read})"')


def _token_notes(areas: list[AreaView], meta: dict) -> None:
    """Say once, at the first curl line, how to get a token; again only where a check used another scope."""
    from oneroster_conformance.spec.operations import ALL_SCOPES

    shown: set[tuple[str, ...]] = set()
    for area in areas:
        for _, found in area.clusters:
            for f in found:
                scope = scope_of(f.first)
                if scope in shown or not any(ex.curl for ex in f.first.evidence):
                    continue
                shown.add(scope)
                f.token_note = token_command(meta, f.first)
                if scope != ALL_SCOPES:
                    f.token_scope = " ".join(s.rstrip("/").rsplit("/", 1)[-1] for s in scope)


def when(value: object, time_only: bool = False) -> str:
    """'2024-06-11T14:03:22Z' -> '11 June 2024, 14:03:22 UTC' (anything unparsable is shown as given)."""
    if not value:
        return ""
    try:
        t = datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return str(value)
    clock = t.strftime("%H:%M:%S UTC")
    return clock if time_only else f"{t.day} {t.strftime('%B %Y')}, {clock}"


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["case_name"] = case_name
    env.filters["when"] = when
    env.filters["case_label"] = case_label
    return env


def render_html(results: Iterable[Result], meta: dict, decision: GateDecision,
                catalogue: Catalogue | None = None) -> str:
    results = list(results)
    reqs = {r.id: r for r in catalogue} if catalogue is not None else {}
    by_level = {lv: _counts(r for r in results if r.level == lv) for lv in ("MUST", "SHOULD", "MAY")}
    areas = build_areas(results, catalogue, meta.get("binding"))
    req_counts = Counter(row.status for area in areas for row in area.rows)
    findings = sum(len(found) for area in areas for _, found in area.clusters)
    _token_notes(areas, meta)
    return _env().get_template("report.html.j2").render(
        findings=findings,
        unfinished=bool(meta.get("unfinished")),
        meta=meta,
        decision=decision,
        areas=areas,
        counts=_counts(results),
        by_level=by_level,
        req_counts=req_counts,
        total=len(results),
        expected_failures=sum(r.expectation == "expected-fail" for r in results),
        stale=sum(r.expectation == "stale" for r in results),
        outcomes=[o.value for o in OUTCOMES],
        label={o.value: o.label for o in OUTCOMES} | {"not-run": "not run"},
        symbol={o.value: o.symbol for o in OUTCOMES} | {"not-run": "·"},
        requirements=reqs,
        req_label={o.value: o.requirement_label for o in OUTCOMES} | {"not-run": "not checked in this run"},
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        catalogue_version=meta.get("catalogue_version") or (catalogue.version if catalogue else None),
    )


def write_html(results: Iterable[Result], path: str | Path, meta: dict, decision: GateDecision,
               catalogue: Catalogue | None = None) -> Path:
    """Render the report to ``path`` (one self-contained HTML file) and return the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_html(results, meta, decision, catalogue), encoding="utf-8")
    return p
