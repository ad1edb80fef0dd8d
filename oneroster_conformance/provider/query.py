"""The collection query parameters (limit, offset, sort, orderBy, filter, fields) turned into SQL.

Field names reach SQL only after ``fields.resolve`` found them in the JSON Schemas, and then only
as bound JSON-path parameters; every value is a bound parameter. Filtering, ordering, counting and
paging all run inside SQLite.

Filter semantics (the spec's "Using the Endpoint Parameters", with the readings of docs/spec-readings.md):
- ``field<pred>'value'`` joined by `` AND `` / `` OR `` (AND binds tighter; parentheses are not
  part of the grammar); inside a value ``''`` is a quote, and a lone quote that does not end the
  clause is taken literally (``familyName='O'Brien'``);
- '=', '!=', '~' are case-insensitive (Unicode case folding); '~' is "contains", never a pattern;
- '>', '>=', '<', '<=' compare case-insensitively: ISO dates / date-times as strings, other text by
  UCA 9.0;
- a missing value satisfies only '!=' (it is not equal to anything);
- on an array field the value is a comma-separated list: '=' needs every listed value to equal some
  element (AND), '~' needs some listed value to be contained in some element (OR), '!=' is the
  negation of '=', ordering predicates hold when some element satisfies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oneroster_conformance.provider import collation
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.errors import InjectedFault, ProviderError
from oneroster_conformance.provider.fields import Field, resolve, top_level

DEFAULT_LIMIT = 100
MAX_CLAUSES = 20  # keeps generated SQL far below SQLite's expression-depth and parameter limits
MAX_LIST_VALUES = 100
MAX_SQL_INT = 2**62  # keeps huge but valid numbers inside SQLite's 64-bit integers
PREDICATES = ("!=", ">=", "<=", "=", ">", "<", "~")
_FIELD = re.compile(r"\s*([^\s=!<>~']+)\s*")
_LOGICAL = re.compile(r"\s+(AND|OR)\s+", re.IGNORECASE)
_CLAUSE_END = re.compile(r"\s*$|\s+(AND|OR)\s+\S", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]+")


def bad_filter(description: str) -> ProviderError:
    return ProviderError(400, description, "invalid_filter_field")


def bad_fields(description: str) -> ProviderError:
    return ProviderError(400, description, "invalid_selection_field")


# ---------------------------------------------------------------------------------------- paging
def paging(params: dict[str, list[str]], config: ProviderConfig) -> tuple[int, int]:
    """(limit, offset) after validation: limit a positive integer, offset a non-negative one."""
    limit = _number(params, "limit", 1, config)
    offset = _number(params, "offset", 0, config)
    if limit is None:
        limit = 10 if config.has("default-limit-10") else DEFAULT_LIMIT
    if config.page_cap is not None:
        limit = min(limit, config.page_cap)
    if config.has("silent-limit-cap"):
        limit = min(limit, 25)
    return limit, offset or 0


def _number(params: dict[str, list[str]], name: str, minimum: int, config: ProviderConfig) -> int | None:
    raw = single_param(params, name)
    if raw is None:
        return None
    if not _DIGITS.fullmatch(raw) or int(raw) < minimum:
        if config.has("paging-500") and (not re.fullmatch(r"-?[0-9]+", raw) or raw.startswith("-")):
            raise InjectedFault(f"int({raw!r})")
        kind = "a positive integer" if minimum else "a non-negative integer"
        raise ProviderError(400, f"'{name}' must be {kind}, got {raw!r}.")
    return min(int(raw), MAX_SQL_INT)


# ---------------------------------------------------------------------------------------- filter
@dataclass(frozen=True)
class Clause:
    field: str
    predicate: str
    value: str


@dataclass(frozen=True)
class Filter:
    """Clauses in OR-groups of AND-ed clauses: [[a, b], [c]] means (a AND b) OR c."""

    groups: tuple[tuple[Clause, ...], ...]


def parse_filter(text: str) -> Filter:
    clauses: list[Clause] = []
    logicals: list[str] = []
    pos = 0
    while True:
        m = _FIELD.match(text, pos)
        if not m:
            raise bad_filter(f"Expected a field name at position {pos} of the filter.")
        name, pos = m.group(1), m.end()
        predicate = next((p for p in PREDICATES if text.startswith(p, pos)), None)
        if predicate is None:
            raise bad_filter(f"Expected one of {' '.join(PREDICATES)} after '{name}'.")
        pos += len(predicate)
        while pos < len(text) and text[pos] == " ":
            pos += 1
        if pos >= len(text) or text[pos] != "'":
            raise bad_filter(f"The value for '{name}' must be enclosed in single quotes.")
        value, pos = _quoted(text, pos + 1, name)
        clauses.append(Clause(name, predicate, value))
        if len(clauses) > MAX_CLAUSES:
            raise bad_filter(f"A filter may have at most {MAX_CLAUSES} clauses.")
        if text[pos:].strip() == "":
            break
        m = _LOGICAL.match(text, pos)
        if not m:
            raise bad_filter(f"Expected AND or OR at position {pos} of the filter.")
        logicals.append(m.group(1).upper())
        pos = m.end()
    groups: list[list[Clause]] = [[clauses[0]]]
    for logical, clause in zip(logicals, clauses[1:], strict=True):
        if logical == "AND":
            groups[-1].append(clause)
        else:
            groups.append([clause])
    return Filter(tuple(tuple(g) for g in groups))


def _quoted(text: str, pos: int, name: str) -> tuple[str, int]:
    out: list[str] = []
    while True:
        end = text.find("'", pos)
        if end < 0:
            raise bad_filter(f"The value for '{name}' has no closing quote.")
        out.append(text[pos:end])
        if _CLAUSE_END.match(text, end + 1):
            return "".join(out), end + 1
        if text.startswith("''", end):
            out.append("'")
            pos = end + 2
        else:  # a lone quote inside the value (O'Brien)
            out.append("'")
            pos = end + 1


@dataclass
class Sql:
    """A SQL fragment with its bound parameters."""

    text: str
    params: list = field(default_factory=list)


def filter_sql(text: str, table: str, config: ProviderConfig, root: str) -> Sql | None:
    """The WHERE fragment for a filter (None: no filtering)."""
    parsed = parse_filter(text)
    clauses = [c for g in parsed.groups for c in g]
    resolved: dict[str, Field] = {}
    for clause in clauses:
        f = resolve(table, clause.field, config.binding)
        if f is None:
            if config.has("unknown-filter-ignored"):
                return None
            raise bad_filter(f"'{clause.field}' is not a field of this collection.")
        if "." in clause.field and config.has("no-dot-notation"):
            raise bad_filter(f"'{clause.field}' is not a field of this collection.")
        if clause.predicate in (">=", "<=") and config.has("filter-500"):
            raise InjectedFault(f"predicate {clause.predicate}")
        resolved[clause.field] = f
    groups = [list(g) for g in parsed.groups]
    if config.has("or-as-and"):
        groups = [[c for g in groups for c in g]]
    if config.has("and-as-or"):
        groups = [[c] for g in groups for c in g]
    out = Sql("")
    ors = []
    for group in groups:
        ands = []
        for clause in group:
            part = _clause_sql(clause, resolved[clause.field], config, root)
            ands.append(part.text)
            out.params.extend(part.params)
        ors.append("(" + " AND ".join(ands) + ")")
    out.text = "(" + " OR ".join(ors) + ")"
    return out


def _value_expr(f: Field, source: str, path: str, root: str) -> Sql:
    """SQL for the value at ``path`` inside the JSON ``source`` (``$`` = the source itself)."""
    if path == "$":
        return Sql(source)
    expr = Sql(f"json_extract({source}, ?)", [path])
    if f.is_href:  # hrefs are stored relative to the service root
        return Sql(f"(? || {expr.text})", [root, path])
    return expr


def _clause_sql(clause: Clause, f: Field, config: ProviderConfig, root: str) -> Sql:
    predicate, value = clause.predicate, clause.value
    if predicate == "!=" and config.has("filter-ne-broken"):
        predicate = "="
    ci = not config.has("case-sensitive-filter")
    date_only = clause.field == "dateLastModified" and config.has("delta-sync-date-only")

    def fold(v: str) -> str:
        return collation.fold(v) if ci else v

    def folded(expr: str) -> str:
        return f"or_fold({expr})" if ci else expr

    def scalar(expr: Sql, op: str, v: str) -> Sql:
        if date_only:
            expr, v = Sql(f"substr({expr.text}, 1, 10)", expr.params), v[:10]
        if op == "=":
            return Sql(f"{folded(expr.text)} = ?", [*expr.params, fold(v)])
        if op == "~":
            return Sql(f"instr({folded(expr.text)}, ?) > 0", [*expr.params, fold(v)])
        cmp = "or_cmp" if ci else "or_cmp_cs"
        return Sql(f"{cmp}({expr.text}, ?) {op} 0", [*expr.params, v])

    if clause.field == "dateLastModified" and ci and not date_only and predicate != "~" and collation.is_iso(value):
        # The indexed dlm column holds the same canonical ISO text; upper-casing the value keeps
        # the case-insensitive string order (ISO text is ASCII), so delta syncs use the index.
        if len(value) == 10:  # a date alone is its midnight instant (UTC), so '>' excludes that midnight
            value += "T00:00:00.000Z"
        if predicate == "!=":
            return Sql("NOT coalesce(t.dlm = ?, 0)", [value.upper()])
        return Sql(f"t.dlm {predicate} ?", [value.upper()])
    if not f.is_array:
        expr = _value_expr(f, "t.doc", f.path, root)
        if predicate == "!=":
            inner = scalar(expr, "=", value)
            return Sql(f"NOT coalesce({inner.text}, 0)", inner.params)
        return scalar(expr, predicate, value)

    element = _value_expr(f, "e.value", f.element_path or "$", root)

    def exists(condition: Sql) -> Sql:
        return Sql(f"EXISTS (SELECT 1 FROM json_each(t.doc, ?) AS e WHERE {condition.text})",
                   [f.path, *condition.params])

    values = [v.strip() for v in value.split(",")]
    if len(values) > MAX_LIST_VALUES:
        raise bad_filter(f"An array filter may list at most {MAX_LIST_VALUES} values.")
    if predicate in ("=", "!="):
        parts = [exists(scalar(element, "=", v)) for v in values]
        joiner = " OR " if config.has("array-equals-any") else " AND "
        combined = Sql("(" + joiner.join(p.text for p in parts) + ")", [x for p in parts for x in p.params])
        return Sql(f"NOT {combined.text}", combined.params) if predicate == "!=" else combined
    if predicate == "~":
        conds = [scalar(element, "~", v) for v in values]
        return exists(Sql("(" + " OR ".join(c.text for c in conds) + ")", [x for c in conds for x in c.params]))
    return exists(scalar(element, predicate, value))


# ---------------------------------------------------------------------------------------- sort
def order_sql(sort: str | None, order_by: str | None, table: str, config: ProviderConfig, root: str) -> Sql:
    """ORDER BY text: the requested field (UCA, missing values last) then sourcedId, or sourcedId alone."""
    direction = "ASC"
    if order_by is not None:
        if order_by.lower() not in ("asc", "desc"):
            raise ProviderError(400, f"orderBy must be 'asc' or 'desc', got {order_by!r}.")
        if order_by.lower() == "desc" and not config.has("orderby-ignored"):
            direction = "DESC"
    default = Sql("t.dlm DESC, t.sid DESC") if config.default_order == "dateLastModified-desc" else Sql("t.sid ASC")
    if not sort or config.has("sort-ignored"):
        return default
    f = resolve(table, sort, config.binding)
    if f is None:
        if config.has("sort-unknown-500"):
            raise InjectedFault(f"no column {sort}")
        if config.unknown_sort == "error":
            raise ProviderError(400, f"Cannot sort on {sort!r}: no such field.", "invalid_filter_field")
        return default  # the spec allows the default order for an unknown field
    if "." in sort and config.has("sort-dot-ignored"):
        return default
    value = _value_expr(f, "t.doc", f.sort_path, root)
    key = value if config.has("sort-bytewise") else Sql(f"or_key({value.text})", value.params)
    if sort == "dateLastModified":
        key = Sql("t.dlm")  # one canonical ISO form, so UCA order is byte order: use the index
    nulls = "LAST" if direction == "ASC" else "FIRST"  # desc is exactly asc reversed
    return Sql(f"{key.text} {direction} NULLS {nulls}, t.sid {direction}", key.params)


# ---------------------------------------------------------------------------------------- fields
def selected_fields(raw: str | None, table: str, config: ProviderConfig) -> tuple[str, ...] | None:
    """The top-level fields to keep, or None for all of them."""
    if raw is None or config.has("fields-ignored"):
        return None
    names = [n.strip() for n in raw.split(",")]
    if any(not n for n in names):
        if not config.has("blank-fields-accepted"):
            raise bad_fields("The field selection has a blank entry.")
        names = [n for n in names if n]
    known = top_level(table, config.binding)
    unknown = [n for n in names if n not in known]
    if unknown and config.has("fields-unknown-400"):
        raise bad_fields(f"Unknown field(s): {', '.join(unknown)}.")
    chosen = tuple(n for n in names if n in known)
    return chosen or None  # only unknown names: all data for the record (the spec's rule)


def single_param(params: dict[str, list[str]], name: str, code_minor: str | None = None) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ProviderError(400, f"'{name}' was given {len(values)} times; give it once.", code_minor)
    return values[0]


def collection_window(total: int, limit: int, offset: int) -> dict[str, tuple[int, int]]:
    """Link relations -> (limit, offset); prev is absent on the first page, next on the last."""
    rels: dict[str, tuple[int, int]] = {"first": (limit, 0)}
    if offset > 0:
        rels["prev"] = (min(limit, offset), max(0, offset - limit))
    if offset + limit < total:
        rels["next"] = (limit, offset + limit)
    if total > 0:
        start = offset + ((total - 1 - offset) // limit) * limit if offset < total else ((total - 1) // limit) * limit
        rels["last"] = (limit, start)
    else:
        rels["last"] = (limit, 0)
    return rels

