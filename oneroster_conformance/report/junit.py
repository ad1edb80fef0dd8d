"""JUnit XML view of the run record, for CI dashboards.

One ``<testsuite>`` per spec area, one ``<testcase>`` per result. The mapping follows the gate, so a
CI dashboard agrees with the exit status: ``fail`` is a ``<failure>``; ``warn`` is a ``<failure>``
only when the gate is strict (SHOULD gated), otherwise a note in ``<system-out>``; ``errored`` is an
``<error>``; ``not-applicable`` is ``<skipped>``; a result the expectations file already knows is
``<skipped>`` with the ticket as message.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path

from oneroster_conformance.report.common import case_name, ordered_areas
from oneroster_conformance.report.model import Outcome, Result

# characters XML 1.0 cannot carry at all, even escaped
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


Gate = Callable[[str], str | None]


def _cleaner(gate: Gate | None) -> Callable[[object], str]:
    """XML-safe, and through ``gate``: the run passes its mask and redaction (defence in depth: the record
    is already masked and redacted, but a CI system publishes this file as it is)."""
    def clean(text: object) -> str:
        value = "" if text is None else str(text)
        return _INVALID_XML.sub("\ufffd", (gate(value) if gate else value) or "")
    return clean


def failure_text(r: Result) -> str:
    """The plain-text explanation of a result: message, expected / actual, schema path, curl lines."""
    lines = [r.message or f"{r.requirement} {r.outcome.value}"]
    lines.append(f"requirement: {r.requirement} ({r.level}, {r.section}"
                 f"{', NOT NORMATIVE section' if not r.normative else ''})")
    if r.expected is not None:
        lines.append(f"expected: {r.expected}")
    if r.actual is not None:
        lines.append(f"actual:   {r.actual}")
    if r.schema_path:
        lines.append(f"schema path: {r.schema_path}")
    if r.reading:
        lines.append(f"reading: {r.reading}")
    for ex in r.evidence:
        status = ex.status if ex.status is not None else (ex.error or "no response")
        lines.append(f"{ex.method} {ex.url} -> {status}")
        if ex.curl:
            lines.append(f"  {ex.curl}")
    return "\n".join(lines)


def _testcase(suite: ET.Element, r: Result, gate_levels: set[str], include_non_normative: bool,
              _clean: Callable[[object], str]) -> None:
    tc = ET.SubElement(suite, "testcase", name=_clean(case_name(r)), classname=f"oneroster.{r.area}",
                       time=f"{r.duration_s:.3f}")
    props = ET.SubElement(tc, "properties")
    for name, value in (("requirement", r.requirement), ("level", r.level), ("section", r.section),
                        ("normative", str(r.normative).lower()), ("operation", r.operation or ""),
                        ("outcome", r.outcome.value), ("nodeid", r.nodeid),
                        *((f"param.{k}", v) for k, v in sorted(r.params.items())),
                        *((("expectation", r.expectation),) if r.expectation else ())):
        ET.SubElement(props, "property", name=name, value=_clean(value))
    message = _clean(r.message or f"{r.requirement} {r.outcome.value}")
    text = _clean(failure_text(r))
    gated = include_non_normative or r.normative

    if r.expectation == "expected-fail":
        ET.SubElement(tc, "skipped", message=_clean(f"known {r.outcome.value}: {r.expectation_reason or ''}"))
        ET.SubElement(tc, "system-out").text = text
    elif r.outcome is Outcome.FAIL and gated and "MUST" in gate_levels:
        ET.SubElement(tc, "failure", message=message, type="MUST").text = text
    elif r.outcome is Outcome.WARN and gated and "SHOULD" in gate_levels:
        ET.SubElement(tc, "failure", message=message, type="SHOULD").text = text
    elif r.outcome is Outcome.ERRORED:
        ET.SubElement(tc, "error", message=message, type="errored").text = text
    elif r.outcome is Outcome.NOT_APPLICABLE:
        ET.SubElement(tc, "skipped", message=message)
    elif r.outcome in (Outcome.FAIL, Outcome.WARN, Outcome.INFO):
        why = "" if gated else " (NOT NORMATIVE section, not gated)"
        ET.SubElement(tc, "system-out").text = _clean(f"{r.outcome.value.upper()}{why}: ") + text
    elif r.expectation == "stale":
        ET.SubElement(tc, "system-out").text = _clean(
            f"STALE EXPECTATION: expected to fail ({r.expectation_reason}) but passes now; "
            "remove it from the expectations file.")


def build_junit(results: Iterable[Result], meta: dict | None = None,
                gate_levels: Iterable[str] = frozenset({"MUST"}),
                include_non_normative: bool = True, gate: Gate | None = None) -> ET.ElementTree:
    _clean = _cleaner(gate)
    meta = meta or {}
    levels = {str(lv).upper() for lv in gate_levels}
    results = list(results)
    root = ET.Element("testsuites", name=_clean(f"OneRoster conformance: {meta.get('target') or 'target'}"))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for area in ordered_areas(r.area for r in results):
        rs = [r for r in results if r.area == area]
        suite = ET.SubElement(root, "testsuite", name=f"oneroster.{area}")
        if meta.get("started_at"):
            suite.set("timestamp", _clean(meta["started_at"]))
        sprops = ET.SubElement(suite, "properties")
        for key in ("target", "binding", "harness_version", "catalogue_version", "profile", "seed",
                    "evidence_mode"):
            if meta.get(key) is not None:
                ET.SubElement(sprops, "property", name=key, value=_clean(meta[key]))
        for r in rs:
            _testcase(suite, r, levels, include_non_normative, _clean)
        counts = {
            "tests": len(rs),
            "failures": len(suite.findall("testcase/failure")),
            "errors": len(suite.findall("testcase/error")),
            "skipped": len(suite.findall("testcase/skipped")),
        }
        t = sum(r.duration_s for r in rs)
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("time", f"{t:.3f}")
        total_time += t
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", f"{total_time:.3f}")
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(results: Iterable[Result], path: str | Path, meta: dict | None = None,
                gate_levels: Iterable[str] = frozenset({"MUST"}),
                include_non_normative: bool = True, gate: Gate | None = None) -> Path:
    """Write JUnit XML; pass the gate's levels and include_non_normative so CI agrees with the exit status,
    and the run's text ``gate`` (mask and redaction) so every text passes it once more."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    build_junit(results, meta, gate_levels, include_non_normative, gate).write(p, encoding="utf-8",
                                                                         xml_declaration=True)
    return p
