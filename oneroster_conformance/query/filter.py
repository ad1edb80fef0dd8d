"""The OneRoster filter grammar: parse and print.

    filter  := clause ( WS logical WS clause )*        (spec form: at most one logical)
    clause  := field WS? predicate WS? "'" value "'"
    logical := AND | OR                                  (case-insensitive)
    field   := one or more characters other than whitespace, quotes and = ! < > ~
               (dot notation: school.sourcedId, metadata.ext:district)

The spec defines no escape for an apostrophe inside a value. We read a doubled '' as one
apostrophe (the SQL convention) and print apostrophes that way, so format/parse round-trip. A
provider may do something else: callers that want a verdict should avoid values with apostrophes
(the hypothesis strategies do).

More than two clauses are parsed only when they repeat one operator (`A AND B AND C`); mixing AND
and OR would need a precedence the spec never defines, so it is a syntax error here.
`is_spec_form()` tells callers to report the longer forms as an extension (docs/provider-defects.md#long-filters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREDICATES: tuple[str, ...] = ("=", "!=", ">", ">=", "<", "<=", "~")
LOGICALS: tuple[str, ...] = ("AND", "OR")

# Longest first so '>=' is never read as '>' followed by a value starting with '='.
_PRED_RE = re.compile(r"\s*(!=|>=|<=|=|>|<|~)\s*")
_FIELD_RE = re.compile(r"[^\s'\"=!<>~]+")
_LOGICAL_RE = re.compile(r"\s+(AND|OR)\s+", re.IGNORECASE)


class FilterSyntaxError(ValueError):
    """The filter text does not follow the grammar; the message says where and why."""


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    value: str

    def __post_init__(self) -> None:
        if self.op not in PREDICATES:
            raise ValueError(f"unknown predicate {self.op!r}; expected one of {PREDICATES}")

    def is_spec_form(self) -> bool:
        return True


@dataclass(frozen=True)
class Logical:
    op: str
    clauses: tuple[Clause, ...]

    def __post_init__(self) -> None:
        if self.op not in LOGICALS:
            raise ValueError(f"unknown logical operator {self.op!r}; expected AND or OR")
        if len(self.clauses) < 2:
            raise ValueError("a logical filter needs at least two clauses")

    def is_spec_form(self) -> bool:
        """The spec allows exactly one logical operator between two clauses."""
        return len(self.clauses) == 2


Filter = Clause | Logical


def _fail(text: str, pos: int, why: str) -> FilterSyntaxError:
    return FilterSyntaxError(f"{why} at position {pos}: {text[:pos]}\u2038{text[pos:]}")


def _parse_value(text: str, pos: int) -> tuple[str, int]:
    """Read a quoted value starting at text[pos] == "'"; return (value, position after it)."""
    chars: list[str] = []
    i = pos + 1
    while i < len(text):
        if text[i] == "'":
            if text.startswith("''", i):
                chars.append("'")
                i += 2
                continue
            return "".join(chars), i + 1
        chars.append(text[i])
        i += 1
    raise _fail(text, pos, "unterminated quoted value (an apostrophe inside a value is written '')")


def _parse_clause(text: str, pos: int) -> tuple[Clause, int]:
    field = _FIELD_RE.match(text, pos)
    if not field:
        raise _fail(text, pos, "expected a field name")
    pred = _PRED_RE.match(text, field.end())
    if not pred:
        raise _fail(text, field.end(), f"expected a predicate ({' '.join(PREDICATES)}) after the field")
    start = pred.end()
    if start >= len(text) or text[start] != "'":
        raise _fail(text, start, "values MUST be enclosed within single quotes")
    value, end = _parse_value(text, start)
    return Clause(field.group(), pred.group(1), value), end


def parse_filter(text: str) -> Filter:
    """Parse the (already URL-decoded) value of the `filter` parameter."""
    text = text.strip()
    if not text:
        raise FilterSyntaxError("empty filter")
    clauses: list[Clause] = []
    ops: set[str] = set()
    pos = 0
    while True:
        clause, pos = _parse_clause(text, pos)
        clauses.append(clause)
        if pos == len(text):
            break
        logical = _LOGICAL_RE.match(text, pos)
        if not logical:
            raise _fail(text, pos, "expected ' AND ' or ' OR ' (surrounded by whitespace) or the end")
        ops.add(logical.group(1).upper())
        if len(ops) > 1:
            raise _fail(text, logical.start(1), "mixing AND and OR has no defined precedence")
        pos = logical.end()
    if len(clauses) == 1:
        return clauses[0]
    return Logical(ops.pop(), tuple(clauses))


def _format_clause(clause: Clause) -> str:
    if not _FIELD_RE.fullmatch(clause.field):
        raise ValueError(f"field name {clause.field!r} cannot be written in a filter")
    return f"{clause.field}{clause.op}'{clause.value.replace(chr(39), chr(39) * 2)}'"


def format_filter(ast: Filter) -> str:
    """The filter text (before URL encoding); parse_filter(format_filter(x)) == x."""
    if isinstance(ast, Clause):
        return _format_clause(ast)
    return f" {ast.op} ".join(_format_clause(c) for c in ast.clauses)
