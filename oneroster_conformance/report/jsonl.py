"""The run record: JSON Lines, written once as the run goes, read back by every other view.

Line 1 is a ``header`` (harness and catalogue versions, target, time), then one ``result`` line per
check in the order they finished, then a ``footer`` (counts, duration, verdict, gate). Every line is
flushed when written, so a run that crashes still leaves a readable file (without a footer; a last
line cut short by the crash is skipped by :func:`read_results`). The shape of one line is
``schemas/results.schema.json``; :func:`validate_results_file` checks a file against it.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jsonschema import Draft202012Validator

from oneroster_conformance.report.model import Exchange, Outcome, Result
from oneroster_conformance.resources import schemas_dir

FORMAT = "oneroster-conformance-results/1"
HEADER_DEFAULTS: dict[str, Any] = {
    "harness_version": None,
    "catalogue_version": None,
    "binding": "v1p2",
    "target": None,
    "profile": None,
    "seed": None,
    "evidence_mode": "redacted",
}
_SECRET_QUERY = ("secret", "token", "password", "passwd", "key", "signature", "sig", "auth", "code")


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def safe_target(url: str | None) -> str | None:
    """The target URL without user info and without query values that look like secrets."""
    if not url:
        return url
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    query = [(k, "***" if any(s in k.lower() for s in _SECRET_QUERY) else v)
             for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), ""))


def exchange_from_dict(d: dict) -> Exchange:
    return Exchange(
        method=d["method"], url=d["url"], status=d.get("status"),
        request_headers=dict(d.get("request_headers") or {}),
        response_headers=dict(d.get("response_headers") or {}),
        body_excerpt=d.get("body_excerpt") or "", elapsed_ms=d.get("elapsed_ms"),
        curl=d.get("curl") or "", error=d.get("error"),
    )


def result_from_dict(d: dict) -> Result:
    """Rebuild a :class:`Result` from its ``to_dict()`` form (a ``type`` key is ignored)."""
    return Result(
        requirement=d["requirement"], level=d["level"], area=d["area"], section=d["section"],
        normative=bool(d["normative"]), outcome=Outcome(d["outcome"]), nodeid=d["nodeid"],
        operation=d.get("operation"), params={str(k): str(v) for k, v in (d.get("params") or {}).items()},
        message=d.get("message") or "", expected=d.get("expected"), actual=d.get("actual"),
        schema_path=d.get("schema_path"), reading=d.get("reading"),
        evidence=[exchange_from_dict(e) for e in d.get("evidence") or []],
        duration_s=float(d.get("duration_s") or 0.0),
        expectation=d.get("expectation"), expectation_reason=d.get("expectation_reason"),
    )


def count_outcomes(results: list[Result]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Counts per outcome, and per level then outcome (every outcome present, zeros included)."""
    counts = {o.value: 0 for o in Outcome}
    by_level: dict[str, dict[str, int]] = {lv: {o.value: 0 for o in Outcome} for lv in ("MUST", "SHOULD", "MAY")}
    for r in results:
        counts[r.outcome.value] += 1
        by_level.setdefault(r.level, {o.value: 0 for o in Outcome})[r.outcome.value] += 1
    return counts, by_level


class ResultsWriter:
    """Append-only writer of a results file: ``header()``, then ``result()`` per check, then ``footer()``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None = self.path.open("w", encoding="utf-8")
        self._outcomes: Counter[str] = Counter()
        self._results: list[Result] = []
        self._t0 = time.monotonic()
        self._header_written = False

    def _write(self, obj: dict) -> None:
        if self._fh is None:
            raise ValueError(f"{self.path} is closed")
        self._fh.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")
        self._fh.flush()

    def header(self, meta: dict) -> dict:
        """Write the first line. ``target`` is stripped of secrets; ``started_at`` defaults to now (UTC)."""
        if self._header_written:
            raise ValueError("the header is already written")
        line = {"type": "header", "format": FORMAT, **HEADER_DEFAULTS, "started_at": utc_now_iso(),
                **{k: v for k, v in meta.items() if k != "type"}}
        line["target"] = safe_target(line.get("target"))
        self._t0 = time.monotonic()
        self._write(line)
        self._header_written = True
        return line

    def result(self, result: Result) -> None:
        if not self._header_written:
            raise ValueError("write the header before the first result")
        self._results.append(result)
        self._write({"type": "result", **result.to_dict()})

    def footer(self, summary: dict) -> dict:
        """Write the last line and close the file.

        ``summary`` gives at least ``exit_status``, ``verdict`` and ``gate`` (``GateDecision.to_footer()``
        has exactly these); ``counts``, ``counts_by_level``, ``duration_s``, ``expected_failures`` and
        ``stale_expectations`` are computed from the results written unless given.
        """
        counts, by_level = count_outcomes(self._results)
        line = {
            "type": "footer",
            "counts": counts,
            "counts_by_level": by_level,
            "expected_failures": sum(r.expectation == "expected-fail" for r in self._results),
            "stale_expectations": sum(r.expectation == "stale" for r in self._results),
            "duration_s": round(time.monotonic() - self._t0, 3),
            "finished_at": utc_now_iso(),
            "exit_status": None,
            "verdict": None,
            "gate": {},
            **{k: v for k, v in summary.items() if k != "type"},
        }
        self._write(line)
        self.close()
        return line

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _lines(path: str | Path) -> list[tuple[int, str]]:
    text = Path(path).read_text(encoding="utf-8")
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def read_results(path: str | Path) -> tuple[dict, list[Result], dict | None]:
    """Read a results file back: (header, results, footer or None when the run did not finish).

    A last line that is not valid JSON (a run killed mid-write) is skipped; a bad line elsewhere, a
    missing header or an unknown line type raise ValueError.
    """
    lines = _lines(path)
    header: dict | None = None
    footer: dict | None = None
    results: list[Result] = []
    for i, (n, raw) in enumerate(lines):
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            if i == len(lines) - 1:
                break
            raise ValueError(f"{path}:{n}: not JSON ({e})") from None
        kind = obj.get("type") if isinstance(obj, dict) else None
        if kind == "header" and i == 0:
            header = obj
        elif header is None:
            raise ValueError(f"{path}:{n}: the first line must be the header")
        elif kind == "result" and footer is None:
            try:
                results.append(result_from_dict(obj))
            except (KeyError, ValueError, TypeError) as e:
                raise ValueError(f"{path}:{n}: not a result ({e!r})") from None
        elif kind == "footer" and footer is None:
            footer = obj
        else:
            raise ValueError(f"{path}:{n}: unexpected line of type {kind!r}")
    if header is None:
        raise ValueError(f"{path}: empty results file")
    return header, results, footer


@cache
def results_schema() -> dict:
    return json.loads((schemas_dir() / "results.schema.json").read_text(encoding="utf-8"))


def validate_results_file(path: str | Path, require_footer: bool = True) -> list[str]:
    """Errors of a results file against schemas/results.schema.json and the header/results/footer order."""
    schema = results_schema()
    validator = Draft202012Validator(schema)
    # a line naming its type is checked against that branch alone: clearer errors than oneOf's
    by_type = {k: Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{k}"})
               for k in ("header", "result", "footer")}
    errors: list[str] = []
    lines = _lines(path)
    if not lines:
        return [f"{path}: empty file"]
    kinds: list[str | None] = []
    for n, raw in lines:
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: not JSON ({e})")
            kinds.append(None)
            continue
        kind = obj.get("type") if isinstance(obj, dict) else None
        kinds.append(kind)
        v = by_type.get(kind, validator) if isinstance(kind, str) else validator
        for err in sorted(v.iter_errors(obj), key=lambda e: list(e.absolute_path)):
            where = "/".join(map(str, err.absolute_path)) or "(line)"
            errors.append(f"line {n}: {where}: {err.message}")
    if kinds[0] != "header":
        errors.append(f"line {lines[0][0]}: the first line must be the header")
    if "header" in kinds[1:]:
        errors.append("more than one header")
    if kinds.count("footer") > 1 or ("footer" in kinds and kinds[-1] != "footer"):
        errors.append("the footer must be the single last line")
    if require_footer and "footer" not in kinds:
        errors.append("no footer: the run did not finish")
    return errors
