"""The filter grammar: parse, print, round-trip, and the errors a harness reports."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oneroster_conformance.query.filter import (
    LOGICALS,
    PREDICATES,
    Clause,
    FilterSyntaxError,
    Logical,
    format_filter,
    parse_filter,
)


@pytest.mark.parametrize("op", PREDICATES)
def test_every_predicate_parses_including_ones_containing_equals(op: str) -> None:
    # docs/provider-defects.md#filter-parsing: parsers that split on '=' mangle != >= <=.
    assert parse_filter(f"givenName{op}'x'") == Clause("givenName", op, "x")


def test_spec_smythe_example_decoded() -> None:
    assert parse_filter(unquote("lastName%3D%27Smythe%27")) == Clause("lastName", "=", "Smythe")


def test_value_may_hold_spaces_commas_predicates_and_keywords() -> None:
    ast = parse_filter("title='a, b = c >= d AND e OR f ~'")
    assert ast == Clause("title", "=", "a, b = c >= d AND e OR f ~")


@pytest.mark.parametrize(
    "text",
    ["school.sourcedId='s1'", "metadata.ext:district='North'", "roles.org.sourcedId='o1'"],
)
def test_dot_notation_fields(text: str) -> None:
    ast = parse_filter(text)
    assert isinstance(ast, Clause)
    assert ast.field == text.split("=")[0]


def test_doubled_apostrophe_is_one_apostrophe_and_printed_back_doubled() -> None:
    ast = parse_filter("familyName='O''Brien'")
    assert ast == Clause("familyName", "=", "O'Brien")
    assert format_filter(ast) == "familyName='O''Brien'"
    assert parse_filter("x=''") == Clause("x", "=", "")
    assert parse_filter("x=''''") == Clause("x", "=", "'")


@pytest.mark.parametrize("keyword", ["AND", "and", "And", "OR", "or"])
def test_logical_keywords_case_insensitive(keyword: str) -> None:
    ast = parse_filter(f"a='1' {keyword} b='2'")
    assert ast == Logical(keyword.upper(), (Clause("a", "=", "1"), Clause("b", "=", "2")))
    assert ast.is_spec_form()


def test_spec_complex_example_is_misencoded_and_its_value_is_no_date() -> None:
    # spec reading misencoded-filter-example: the example decodes to '2016=12=12T00:00:00Z'.
    # It parses (a quoted value may hold '='); its value is not a date, so date comparisons with it
    # are never judged (EITHER).
    url = "lastName%3D%27Smythe%27%20AND%20dateLastModified%3E%272016%3D12%3D12T00%3A00%3A00Z%27"
    ast = parse_filter(unquote(url))
    assert isinstance(ast, Logical) and ast.op == "AND"
    assert ast.clauses[1] == Clause("dateLastModified", ">", "2016=12=12T00:00:00Z")
    from oneroster_conformance.query.compare import parse_temporal

    assert parse_temporal(ast.clauses[1].value) is None


def test_three_clauses_with_one_operator_parse_but_are_not_spec_form() -> None:
    ast = parse_filter("a='1' OR b='2' OR c='3'")
    assert isinstance(ast, Logical) and len(ast.clauses) == 3
    assert not ast.is_spec_form()
    assert parse_filter("a='1'").is_spec_form()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("givenName=John", "single quotes"),
        ("givenName='John", "unterminated"),
        ("='x'", "field name"),
        ("givenName 'x'", "predicate"),
        ("a='1'AND b='2'", "AND"),
        ("a='1' AND", "AND"),
        ("a='1' XOR b='2'", "AND"),
        ("a='1' AND b='2' OR c='3'", "mixing"),
        ("a=='1'", "single quotes"),
    ],
)
def test_syntax_errors_say_why(text: str, why: str) -> None:
    with pytest.raises(FilterSyntaxError, match=why):
        parse_filter(text)
    assert issubclass(FilterSyntaxError, ValueError)


def test_format_refuses_unprintable_field() -> None:
    with pytest.raises(ValueError):
        format_filter(Clause("a b", "=", "x"))
    with pytest.raises(ValueError):
        Clause("a", "==", "x")
    with pytest.raises(ValueError):
        Logical("AND", (Clause("a", "=", "x"),))


fields = st.from_regex(r"[A-Za-z_][A-Za-z0-9_:\-]*(\.[A-Za-z0-9_:\-]+){0,2}", fullmatch=True)
clauses = st.builds(Clause, fields, st.sampled_from(PREDICATES), st.text(max_size=20))
asts = st.one_of(
    clauses,
    st.builds(Logical, st.sampled_from(LOGICALS), st.lists(clauses, min_size=2, max_size=4).map(tuple)),
)


@given(asts)
def test_format_parse_round_trip(ast: Clause | Logical) -> None:
    assert parse_filter(format_filter(ast)) == ast
