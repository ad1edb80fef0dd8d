"""UCA collation keys and the sort-order oracle."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from query_roster import USERS

from oneroster_conformance.query.collation import as_text, shifted_keys, sort_keys
from oneroster_conformance.query.sort import is_bytewise_order_distinguishable, sort_violations

# Names where UCA and code-point order disagree (accented capitals sort after 'z' by code point).
NAMES = ["Ångström", "Émile", "Øyvind", "Zoë", "de la Cruz", "O'Brien", "Çelik", "van der Berg", "Łukasz"]
UCA_ORDER = ["Ångström", "Çelik", "de la Cruz", "Émile", "Łukasz", "O'Brien", "Øyvind", "van der Berg", "Zoë"]


def recs(values: list[object], field: str = "familyName") -> list[dict[str, object]]:
    return [{"sourcedId": f"r{i}", field: v} for i, v in enumerate(values)]


@pytest.mark.parametrize("version", [0, 1])
def test_uca_orders_the_names_and_bytes_do_not(version: int) -> None:
    assert sorted(NAMES, key=lambda n: sort_keys(n)[version]) == UCA_ORDER
    assert sorted(NAMES) != UCA_ORDER


def test_keys_are_case_insensitive_but_accent_sensitive() -> None:
    assert sort_keys("SMYTHE") == sort_keys("smythe") == sort_keys("Smythe")
    assert sort_keys("Émile") != sort_keys("Emile")
    assert len(sort_keys("x")) == 2
    assert sort_keys(None) == ((), ())
    assert sort_keys(None)[0] < sort_keys("")[0] < sort_keys("a")[0]  # missing first: never judged
    assert as_text(True) == "true" and as_text(3) == "3" and as_text(None) is None


def test_uca_order_passes_in_both_directions() -> None:
    assert sort_violations(recs(UCA_ORDER), "familyName", False) == []
    assert sort_violations(recs(UCA_ORDER[::-1]), "familyName", True) == []
    assert sort_violations(recs(UCA_ORDER), "familyName", None) == []
    assert sort_violations(recs(UCA_ORDER[::-1]), "familyName", None) == []


def test_bytewise_order_is_caught_and_explained() -> None:
    found = sort_violations(recs(sorted(NAMES)), "familyName", False)
    # code-point order: O'Brien Zoë | de la Cruz van der Berg | Ångström Çelik Émile Øyvind | Łukasz
    assert [(v.first_value, v.second_value) for v in found] == [
        ("Zoë", "de la Cruz"),
        ("van der Berg", "Ångström"),
        ("Øyvind", "Łukasz"),
    ]
    assert (found[0].first_id, found[0].second_id) == ("r1", "r2")
    zoe = sort_violations(recs(["Zoë", "Ångström"]), "familyName", False)
    assert [str(v) for v in zoe] == ["'Zoë' came before 'Ångström' but UCA 9/10 orders 'Ångström' first"]
    assert sort_violations(recs(["Ångström", "Zoë"]), "familyName", True)


def test_no_order_by_accepts_either_direction_but_not_a_shuffle() -> None:
    shuffled = ["b", "a", "c"]
    found = sort_violations(recs(shuffled), "familyName", None)
    assert len(found) == 1 and "orderBy absent" in found[0].explanation


def test_ties_and_case_differences_are_never_violations() -> None:
    assert sort_violations(recs(["smythe", "SMYTHE", "Smythe", "smythe"]), "familyName", False) == []
    assert sort_violations(recs(["b", "B", "a"]), "familyName", True) == []


def test_missing_values_are_skipped_and_neighbours_compared_across_them() -> None:
    values: list[object] = [None, "a", None, "b", "c", None]
    assert sort_violations(recs(values), "familyName", False) == []
    bad = recs(["b", None, "a"])
    assert [(v.first_id, v.second_id) for v in sort_violations(bad, "familyName", False)] == [("r0", "r2")]
    assert sort_violations([{"sourcedId": "x"}, {"sourcedId": "y", "familyName": "a"}], "familyName", False) == []


def test_dates_sort_chronologically_and_mixed_forms_are_not_judged() -> None:
    values = ["2016-12-12T00:00:00Z", "2016-12-12T00:00:00.500Z", "2016-12-13T00:00:00Z"]
    assert sort_violations(recs(values, "d"), "d", False) == []
    # same instant written two ways, in either order: text and instant readings disagree
    assert sort_violations(recs(["2016-12-12T00:00:00Z", "2016-12-12T00:00:00.000Z"], "d"), "d", False) == []
    assert sort_violations(recs(["2016-12-12T00:00:00.000Z", "2016-12-12T00:00:00Z"], "d"), "d", False) == []
    found = sort_violations(recs(["2017-01-01", "2016-12-12T00:00:00Z"], "d"), "d", False)
    assert found and "chronological" in found[0].explanation


def test_numbers_are_judged_only_where_text_and_number_agree() -> None:
    assert sort_violations(recs([9, 10], "n"), "n", False) == []  # numeric order
    assert sort_violations(recs(["10", "9"], "n"), "n", False) == []  # text order
    assert sort_violations(recs(["20", "100", "3"], "n"), "n", False) == []  # '100' < '3' as text
    assert sort_violations(recs(["3", "20"], "n"), "n", True) == []  # text: '3' > '20'
    assert sort_violations(recs(["30", "20"], "n"), "n", False)


def test_arrays_sort_on_first_value_and_dot_notation_works() -> None:
    rows = [
        {"sourcedId": "a", "grades": ["09", "12"], "metadata": {"ext:rank": "b"}, "org": {"sourcedId": "x"}},
        {"sourcedId": "b", "grades": ["10", "01"], "metadata": {"ext:rank": "a"}, "org": {"sourcedId": "y"}},
    ]
    assert sort_violations(rows, "grades", False) == []
    assert sort_violations(rows, "grades", True)
    assert sort_violations(rows, "metadata.ext:rank", True) == []
    assert sort_violations(rows, "metadata.ext:rank", False)
    assert sort_violations(rows, "org.sourcedId", False) == []
    assert sort_violations(rows, "org", False) == []  # an object: not judged


def test_roster_sorted_by_uca_has_no_violations() -> None:
    ordered = sorted(USERS, key=lambda u: sort_keys(u["familyName"])[0])
    assert sort_violations(ordered, "familyName", False) == []
    assert sort_violations(sorted(USERS, key=lambda u: u["familyName"]), "familyName", False)


def test_bytewise_distinguishable() -> None:
    assert is_bytewise_order_distinguishable(NAMES)
    assert is_bytewise_order_distinguishable(["Zoë", "Ångström"])
    assert not is_bytewise_order_distinguishable(["apple", "banana", "cherry"])
    # raw bytes put 'Banana' before 'apple', but a casefolded byte order would not be caught
    assert not is_bytewise_order_distinguishable(["apple", "Banana"])
    assert not is_bytewise_order_distinguishable([])


def test_punctuation_and_spaces_are_not_judged_where_shifted_and_non_ignorable_disagree() -> None:
    # Non-ignorable (CLDR root): O'Brien < Oakley. Shifted / SQL Server word sort: Oakley < O'Brien.
    assert sort_violations(recs(["O'Brien", "Oakley"]), "familyName", False) == []
    assert sort_violations(recs(["Oakley", "O'Brien"]), "familyName", False) == []
    assert sort_violations(recs(["de la Cruz", "Dean"]), "familyName", False) == []
    assert sort_violations(recs(["Dean", "de la Cruz"]), "familyName", False) == []
    # ...but both readings put O'Brien before Ochoa and 'van der Berg' after 'de la Cruz'.
    assert sort_violations(recs(["Ochoa", "O'Brien"]), "familyName", False)
    assert sort_violations(recs(["van der Berg", "de la Cruz"]), "familyName", False)
    assert shifted_keys("O'Brien") == shifted_keys("OBrien") != shifted_keys("Oakley")
    assert sort_keys("O'Brien") != sort_keys("OBrien")


alphabet = st.sampled_from(list("aAbBzZ éÉåÅøØłŁçÇ'-.09ßẞ") + ["e\u0301", "ﬁ", "Ａ"])
words = st.lists(alphabet, max_size=6).map("".join)


@settings(max_examples=200)
@given(st.lists(words, max_size=8), st.integers(0, 3), st.booleans())
def test_any_accepted_collation_is_never_flagged(values: list[str], which: int, desc: bool) -> None:
    key = (lambda v: sort_keys(v)[which]) if which < 2 else (lambda v: shifted_keys(v)[which - 2])
    ordered = sorted(values, key=key, reverse=desc)
    assert sort_violations(recs(ordered), "familyName", desc) == []
    assert sort_violations(recs(ordered), "familyName", None) == []


@given(st.lists(st.datetimes(timezones=st.just(UTC)), max_size=8), st.booleans())
def test_chronological_order_of_mixed_date_forms_is_never_flagged(moments: list[datetime], desc: bool) -> None:
    moments = [m.replace(microsecond=m.microsecond // 1000 * 1000) for m in moments]  # what the text keeps
    texts = [
        m.isoformat() if i % 2 else m.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        for i, m in enumerate(moments)
    ]
    ordered = [t for _, t in sorted(zip(moments, texts, strict=True), reverse=desc)]
    assert sort_violations(recs(ordered, "d"), "d", desc) == []
