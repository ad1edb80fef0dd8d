"""Three-valued evaluation of a filter on records the harness fetched.

`evaluate` answers MATCH when every accepted reading of the spec returns the record, NO_MATCH when
none does and EITHER when readings disagree; `select` turns that into the bounds a provider's
result must lie between (must ⊆ R ⊆ may). Decisions, with the spec reading (docs/spec-readings.md) they settle:

- Absent field (missing, null, empty array): NO_MATCH for every predicate except `!=`, which is
  EITHER (SQL NULL semantics say no, "not equal to x" says yes).
- Arrays (a list of strings, or values collected across an array of objects): the filter value is
  split on commas into wanted values, both as written and trimmed with blanks dropped.
  `=` (spec reading array-equality) accepts (a) every wanted value equals some element ("AND semantics"),
  (b) set equality (the spec's example: 'name1,name2' does not return 'name1,name2,name3') and,
  for a stored array (not values collected across objects), (c) the comma-joined array equals
  the value; so `preferredName='name1,name2'` is EITHER there. `!=` negates each reading.
  `~` is OR: some wanted value is contained in some element. Ordered predicates compare the
  first element (as the spec sorts arrays) or, a second reading, any element.
- A scalar compared to a value containing a comma also gets the array readings, with the record
  value split on commas: a provider may store arrays as comma-joined text.
- A path that ends on an object (`school='x'`) has no spec meaning: EITHER.
- Logical AND / OR combine clause verdicts in Kleene logic.
- Field names resolve exactly: a 1.1 name such as `lastName` (spec reading v1p1-names-in-examples) finds nothing in a
  1.2 record, so nothing must be returned; whether a 400 invalid_filter_field is required instead
  is the caller's judgement, not this module's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .compare import EITHER, FALSE, TRUE, Outcomes, contains, eq, ordered, t_and, t_not, t_or
from .filter import Clause, Filter
from .resolve import Resolved, resolve


class Verdict(Enum):
    MATCH = "match"
    NO_MATCH = "no-match"
    EITHER = "either"


def _verdict(outcomes: Outcomes) -> Verdict:
    if outcomes == TRUE:
        return Verdict.MATCH
    if outcomes == FALSE:
        return Verdict.NO_MATCH
    return Verdict.EITHER


def _outcomes(verdict: Verdict) -> Outcomes:
    return {Verdict.MATCH: TRUE, Verdict.NO_MATCH: FALSE, Verdict.EITHER: EITHER}[verdict]


def _split(text: str) -> tuple[list[str], list[str]]:
    """Comma-separated pieces, two readings: as written, and trimmed without blanks."""
    raw = text.split(",")
    return raw, [p.strip() for p in raw if p.strip()]


def _eq_readings(elements: Sequence[str], wanted: Sequence[str]) -> Outcomes:
    """'=' on arrays: (a) every wanted value equals some element, (b) set equality."""
    if not elements or not wanted:
        return FALSE  # nothing left after trimming: a vacuous "all present" is no reading
    present = t_and(t_or(eq(e, w) for e in elements) for w in wanted)
    covered = t_and(t_or(eq(e, w) for w in wanted) for e in elements)
    return present | t_and([present, covered])


def _array_eq(elements: Sequence[str], value: str, *, joined: bool) -> Outcomes:
    results: set[bool] = set()
    for wanted in _split(value):
        results |= _eq_readings(elements, wanted)
    if joined:  # (c) a stored array compared as its comma-joined text
        results |= eq(",".join(elements), value)
    return frozenset(results)


def _array_contains(elements: Sequence[str], value: str) -> Outcomes:
    results: set[bool] = set()
    for wanted in _split(value):
        results |= t_or(contains(e, w) for e in elements for w in wanted)
    return frozenset(results)


def _array_outcomes(found: Resolved, op: str, value: str) -> Outcomes:
    elements = found.values
    if op in ("=", "!="):
        result = _array_eq(elements, value, joined=not found.collected)
        return result if op == "=" else t_not(result)
    if op == "~":
        return _array_contains(elements, value)
    first = ordered(elements[0], op, value)
    return first | t_or(ordered(e, op, value) for e in elements)


def _scalar_outcomes(text: str, op: str, value: str) -> Outcomes:
    if op in ("=", "!="):
        result = eq(text, value)
        if "," in value:  # the same splitting applied to both sides, reading by reading
            for elements, wanted in zip(_split(text), _split(value), strict=True):
                result = result | _eq_readings(elements, wanted)
        return result if op == "=" else t_not(result)
    if op == "~":
        result = contains(text, value)
        if "," in value:
            result = result | _array_contains([text], value)
        return result
    return ordered(text, op, value)


def _clause_outcomes(found: Resolved | None, clause: Clause) -> Outcomes:
    if found is None:
        return EITHER if clause.op == "!=" else FALSE
    if found.opaque:
        return EITHER
    if found.is_array:
        return _array_outcomes(found, clause.op, clause.value)
    return _scalar_outcomes(found.values[0], clause.op, clause.value)


def evaluate(record: dict[str, Any], ast: Filter) -> Verdict:
    """Whether `record` satisfies the filter under every / some / no accepted reading."""
    if isinstance(ast, Clause):
        return _verdict(_clause_outcomes(resolve(record, ast.field), ast))
    parts = (_outcomes(evaluate(record, c)) for c in ast.clauses)
    return _verdict(t_and(parts) if ast.op == "AND" else t_or(parts))


@dataclass(frozen=True)
class Selection:
    """The records a conformant provider returns: must ⊆ result ⊆ may."""

    must: frozenset[str]
    may: frozenset[str]

    def missing(self, returned: Iterable[str]) -> frozenset[str]:
        """Records every reading returns but the provider did not."""
        return self.must - frozenset(returned)

    def unexpected(self, returned: Iterable[str]) -> frozenset[str]:
        """Records the provider returned that no reading returns."""
        return frozenset(returned) - self.may

    def accepts(self, returned: Iterable[str]) -> bool:
        got = frozenset(returned)
        return self.must <= got <= self.may


def select(records: Iterable[dict[str, Any]], ast: Filter) -> Selection:
    must: set[str] = set()
    may: set[str] = set()
    for record in records:
        verdict = evaluate(record, ast)
        if verdict is not Verdict.NO_MATCH:
            may.add(record["sourcedId"])
            if verdict is Verdict.MATCH:
                must.add(record["sourcedId"])
    return Selection(frozenset(must), frozenset(may))
