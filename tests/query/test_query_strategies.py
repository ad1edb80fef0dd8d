"""The hypothesis strategies: valid, spec-form, reproducible, and useful."""

from __future__ import annotations

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from query_roster import USER_FIELDS, USERS

from oneroster_conformance.query.evaluate import select
from oneroster_conformance.query.filter import Clause, Filter, Logical, format_filter, parse_filter
from oneroster_conformance.query.strategies import (
    UNKNOWN_FIELD_NAMES,
    clauses,
    field_lists,
    filter_paths,
    filters,
    sorts,
    windows,
)

FILTERS = filters(USERS, USER_FIELDS)


def test_paths_include_dot_notation() -> None:
    paths = filter_paths(USERS, USER_FIELDS)
    for path in (
        "givenName",
        "grades",
        "primaryOrg.sourcedId",
        "roles.role",
        "roles.org.sourcedId",
        "metadata.ext:district",
        "metadata.ext.code",
        "email",
    ):
        assert path in paths
    assert "roles" not in paths and "primaryOrg" not in paths


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(FILTERS)
def test_filters_are_spec_form_printable_and_quote_free(ast: Filter) -> None:
    assert ast.is_spec_form()
    clauses = ast.clauses if isinstance(ast, Logical) else (ast,)
    assert all("'" not in c.value for c in clauses)
    assert parse_filter(format_filter(ast)) == ast


def _draw_many(strategy: st.SearchStrategy[object], n: int = 30) -> list[object]:
    out: list[object] = []

    @seed(12345)
    @settings(max_examples=n, database=None, derandomize=False)
    @given(strategy)
    def collect(x: object) -> None:
        out.append(x)

    collect()
    return out


def test_strategies_are_deterministic_under_a_fixed_seed() -> None:
    for strategy in (FILTERS, sorts(USER_FIELDS), field_lists(USER_FIELDS), windows(57)):
        assert _draw_many(strategy) == _draw_many(strategy)


def test_filters_cover_all_predicates_and_usually_select_something() -> None:
    drawn = [a for a in _draw_many(FILTERS, 300) if isinstance(a, Clause | Logical)]
    ops = {c.op for a in drawn for c in (a.clauses if isinstance(a, Logical) else (a,))}
    assert ops == {"=", "!=", ">", ">=", "<", "<=", "~"}
    nonempty = sum(bool(select(USERS, a).may) for a in drawn)
    assert nonempty > len(drawn) // 2
    assert any(isinstance(a, Logical) and a.op == "OR" for a in drawn)
    assert any(isinstance(a, Logical) and a.op == "AND" for a in drawn)
    assert any("." in c.field for a in drawn for c in (a.clauses if isinstance(a, Logical) else (a,)))


@given(field_lists(USER_FIELDS))
def test_field_lists(names: list[str]) -> None:
    assert names and len(set(names)) == len(names)
    assert sum(n not in USER_FIELDS for n in names) <= 1
    assert any(n in USER_FIELDS for n in names)
    assert all(n in USER_FIELDS or n in UNKNOWN_FIELD_NAMES for n in names)


@given(sorts(USER_FIELDS))
def test_sorts(pair: tuple[str, str | None]) -> None:
    assert pair[0] in USER_FIELDS and pair[1] in (None, "asc", "desc")


def test_windows_reach_the_edges() -> None:
    drawn = _draw_many(windows(57), 200)
    assert all(isinstance(lim, int) and lim >= 1 and off >= 0 for lim, off in drawn)  # type: ignore[misc]
    assert any(off == 57 for _, off in drawn)  # type: ignore[misc]
    assert any(off > 57 for _, off in drawn)  # type: ignore[misc]
    assert any(lim == 1 for lim, _ in drawn)  # type: ignore[misc]
    assert all(lim >= 1 for lim, _ in _draw_many(windows(0), 50))  # type: ignore[misc]


@given(clauses(USERS, USER_FIELDS))
def test_clauses_are_single_clauses(a: Clause) -> None:
    assert isinstance(a, Clause) and a.is_spec_form()


def test_only_a_prefix_of_a_large_roster_feeds_the_values() -> None:
    late = [{"sourcedId": "late", "givenName": "Unseen"}]
    drawn = _draw_many(clauses(USERS + late, ["givenName"], max_records=len(USERS)), 100)
    assert all("unseen" not in a.value.lower() for a in drawn)  # type: ignore[attr-defined]
