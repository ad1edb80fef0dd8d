"""Known results, kept outside the tests: an expectations file lets a team gate a not-yet-conformant provider.

The file is YAML::

    expectations:
      pagination/no-silent-cap:                    # a requirement id: every result of it
        outcome: fail
        reason: https://tracker.example/VENDOR-123
      "scopes/deny|getAllDemographics|scope=roster-core.readonly":   # one result key
        outcome: fail
        reason: https://tracker.example/VENDOR-124

A key is either a requirement id or a result key (``Result.key``: requirement|operation|params); a
result key wins over a requirement id. :func:`apply` marks results:

* ``expected-fail`` - the result has the expected outcome: it does not fail the gate, and the
  reports list it apart from new failures;
* ``stale`` - an entry naming exactly this result (its key; for a check without operation or
  params the key is the requirement id) expects a failure, but it passes now: remove the entry.
  A requirement-wide entry is not judged result by result (it passing on one operation is normal);
  :func:`apply` returns the entries that excused nothing, so the caller can report them.

A result whose outcome differs from the expected one in another way (expected ``warn``, got ``fail``)
is left unmarked, so it gates like any new failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from oneroster_conformance.report.model import Outcome, Result
from oneroster_conformance.resources import load_yaml

EXPECTABLE = ("fail", "warn", "errored")
TODO_REASON = "TODO: link a ticket"


@dataclass(frozen=True)
class Expectation:
    outcome: str
    reason: str


def _parse(doc: object, source: str) -> dict[str, Expectation]:
    if doc is None:
        return {}
    if not isinstance(doc, dict) or set(doc) - {"expectations"}:
        raise ValueError(f"{source}: expected a mapping with a single key 'expectations'")
    entries = doc.get("expectations") or {}
    if not isinstance(entries, dict):
        raise ValueError(f"{source}: 'expectations' must map a requirement id or result key to "
                         "{outcome, reason}")
    out: dict[str, Expectation] = {}
    for key, entry in entries.items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"{source}: expectation key {key!r} must be a requirement id or result key")
        if not isinstance(entry, dict):
            raise ValueError(f"{source}: {key}: must be a mapping with 'outcome' and 'reason'")
        extra = set(entry) - {"outcome", "reason"}
        if extra:
            raise ValueError(f"{source}: {key}: unknown field(s) {sorted(extra)}; allowed: outcome, reason")
        outcome = entry.get("outcome")
        if outcome not in EXPECTABLE:
            raise ValueError(f"{source}: {key}: outcome must be one of {', '.join(EXPECTABLE)}, got {outcome!r}")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{source}: {key}: 'reason' is required (a ticket link or why it is known)")
        out[key] = Expectation(outcome=outcome, reason=reason.strip())
    return out


def load_expectations(path: str | Path) -> dict[str, Expectation]:
    """Read an expectations file; ValueError naming the entry when its shape is wrong."""
    p = Path(path)
    try:
        doc = load_yaml(p)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ValueError(f"{p}: not valid YAML{at} ({getattr(e, 'problem', None) or 'unreadable'})") from None
    return _parse(doc, str(p))


def apply(results: Iterable[Result], expectations: dict[str, Expectation]) -> list[str]:
    """Mark results against the expectations, in place; return the keys that excused no result here.

    Each result is judged on its own, so applying result by result as a run goes gives the same marks
    as applying once at the end. The returned keys (entries that matched no result with the expected
    outcome: fixed, stale or not run) are meaningful when the whole run is passed in.
    """
    excused: set[str] = set()
    for r in results:
        r.expectation = None
        r.expectation_reason = None
        key = r.key if r.key in expectations else r.requirement if r.requirement in expectations else None
        if key is None:
            continue
        exp = expectations[key]
        if r.outcome.value == exp.outcome:
            r.expectation, r.expectation_reason = "expected-fail", exp.reason
            excused.add(key)
        elif r.outcome is Outcome.PASS and key == r.key:
            # an entry naming exactly this result; a requirement-wide entry passing on one operation
            # is normal (the failure is on another), so it is not stale result by result
            r.expectation, r.expectation_reason = "stale", exp.reason
    return [k for k in expectations if k not in excused]


def expectations_for(results: Iterable[Result]) -> dict[str, Expectation]:
    """The current fail / warn / errored results as expectations keyed by result key."""
    out: dict[str, Expectation] = {}
    for r in results:
        if r.outcome.value in EXPECTABLE:
            reason = r.expectation_reason if r.expectation == "expected-fail" and r.expectation_reason else TODO_REASON
            out[r.key] = Expectation(outcome=r.outcome.value, reason=reason)
    return out


def write_expectations(results: Iterable[Result], path: str | Path) -> int:
    """Write the current failures, warnings and errored checks as a starting expectations file.

    Returns the number of entries. Each reason is ``TODO: link a ticket`` unless the result already
    carried a reason from an earlier expectations file.
    """
    entries = expectations_for(results)
    doc = {"expectations": {k: {"outcome": e.outcome, "reason": e.reason} for k, e in sorted(entries.items())}}
    head = ("# Known results of this provider (OneRoster conformance expectations file).\n"
            "# Keys are result keys (requirement|operation|params) or bare requirement ids.\n"
            "# Replace each TODO with a ticket link; delete an entry once the provider is fixed.\n")
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(head + body, encoding="utf-8")
    return len(entries)
