"""The record store the crawl spills to: what the cross-record checks ask of it."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oneroster_conformance.data.guidref import guid_ref_list, guid_refs, scan
from oneroster_conformance.data.store import Positions, RecordStore


def _ref(kind: str, sid: object) -> dict:
    return {"href": f"http://h/{kind}/{sid}", "sourcedId": sid, "type": kind}


def _add(store: RecordStore, coll: str, records: list) -> None:
    start = store.count(coll)
    refs = [(start + i, o, k, t) for i, r in enumerate(records) for o, k, t in scan(r)[1]]
    store.add(coll, start, records, refs)


@pytest.fixture
def store():
    s = RecordStore(cache_records=3)
    yield s
    s.close()
    assert not os.path.exists(s.folder)  # the scratch file goes with the run


def test_records_in_order_across_pages_and_cache(store: RecordStore) -> None:
    _add(store, "users", [{"sourcedId": "u1"}, {"sourcedId": "u2"}])
    _add(store, "users", [{"sourcedId": "u3"}, "not an object", {"sourcedId": 5}])
    assert store.count("users") == 5
    assert store.records("users") == [{"sourcedId": "u1"}, {"sourcedId": "u2"}, {"sourcedId": "u3"}, "not an object",
                                      {"sourcedId": 5}]
    assert list(store.iter_records("users", batch=2)) == store.records("users")
    assert store.ids("users") == ["u1", "u2", "u3"]  # string ids only, as CollectionData.ids
    assert store.ids("users", 2) == ["u1", "u2"]
    assert not store.is_small("users")  # five records, cache of three: the relations read neighbourhoods


def test_uniqueness_groups_like_a_counter(store: RecordStore) -> None:
    _add(store, "c", [{"sourcedId": "a"}, {"sourcedId": "b"}, {"sourcedId": "a"}, {}, {"x": 1}, {"sourcedId": 7},
                      {"sourcedId": "7"}, {"sourcedId": 7}, "a"])
    assert store.repeated_ids("c") == [("a", 2), (None, 2), (7, 2)]  # "7" (a string) is not 7


def test_seen_all_and_distinct(store: RecordStore) -> None:
    _add(store, "c", [{"sourcedId": "a"}, {"sourcedId": "b"}, {"sourcedId": "b"}])
    assert store.seen_all("c", ["a", "b"]) and not store.seen_all("c", ["a", "z"])
    assert store.distinct_ids("c") == 2
    _add(store, "d", [{"sourcedId": "b"}, {"sourcedId": "a"}])
    assert store.same_ids("c", "d")
    _add(store, "d", [{"sourcedId": "z"}])
    assert not store.same_ids("c", "d")


def test_missing_ids_keeps_order_and_odd_ids(store: RecordStore) -> None:
    _add(store, "users", [{"sourcedId": "u1"}, {"sourcedId": "u2"}])
    _add(store, "demographics", [{"sourcedId": "u2"}, {"sourcedId": "x"}, {}, {"sourcedId": 3}, {"sourcedId": "u1"}])
    assert store.missing_ids("demographics", "users") == ["x", None, 3]


def test_unresolved_references(store: RecordStore) -> None:
    _add(store, "orgs", [{"sourcedId": "o1"}])
    _add(store, "users", [{"sourcedId": "u1"}])
    _add(store, "enrollments", [
        {"sourcedId": "e1", "user": _ref("user", "u1"), "school": _ref("org", "o1")},
        {"sourcedId": "e2", "user": _ref("user", "nobody"), "school": _ref("org", "o1"),
         "metadata": {"x": _ref("user", "ignored-in-metadata")}},
        {"sourcedId": "e3", "user": _ref("user", 12), "resource": _ref("resource", "r1"),
         "class": {"sourcedId": "c1"}},  # not a GUIDRef (no href/type): not judged here
    ])
    count, kinds, first = store.unresolved_refs("enrollments", {"user": "users", "org": "orgs"})
    assert (count, kinds) == (2, ["user"])
    assert first == [(1, 0), (2, 0)]
    record = store.record_at("enrollments", 1)
    assert list(guid_refs(record))[0][0] == "/user"
    assert store.unresolved_refs("enrollments", {"user": "users"}, limit=1)[2] == [(1, 0)]


def test_neighbourhood_holds_what_references_an_anchor_and_what_that_references(store: RecordStore) -> None:
    _add(store, "classes", [{"sourcedId": "c1", "school": _ref("org", "s1"), "terms": [_ref("academicSession", "t1")]},
                            {"sourcedId": "c2", "school": _ref("org", "s2")}])
    _add(store, "enrollments", [{"sourcedId": "e1", "class": _ref("class", "c1"), "user": _ref("user", "u1")},
                                {"sourcedId": "e2", "class": {"sourcedId": "c2"}, "user": _ref("user", "u2")},
                                {"sourcedId": "e3", "class": {"sourcedId": "c1"}, "user": _ref("user", "u3")}])
    _add(store, "students", [{"sourcedId": "u1"}, {"sourcedId": "u2"}, {"sourcedId": "u3"}])
    view = store.neighbourhood(["classes", "enrollments", "students"], ["c1"])
    assert [r["sourcedId"] for r in view["enrollments"]] == ["e1", "e3"]  # malformed references count too
    assert [r["sourcedId"] for r in view["students"]] == ["u1", "u3"]  # one hop out from the enrollments
    assert [r["sourcedId"] for r in view["classes"]] == ["c1"]  # the anchor itself
    assert store.neighbourhood(["classes"], []) == {"classes": []}


# Nested JSON with the shapes that matter: GUIDRefs (and near misses), metadata, lists.
_KEYS = st.sampled_from(["sourcedId", "type", "href", "metadata", "user", "roles", "org", "x"])
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["a", "user", "org", "http://h/x"]))
_JSON = st.recursive(_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=25)


@settings(max_examples=500, derandomize=True, database=None, deadline=None)
@given(record=_JSON)
def test_scan_finds_what_guid_refs_finds(record) -> None:
    """The per-record sweep's GUIDRefs are guid_refs' own, in its order; every other
    nested object with a sourcedId is a link with ord -1."""
    expected = [ref for _, ref in guid_refs(record)]
    refs, rows = scan(record)
    assert [id(r) for r in refs] == [id(r) for r in expected]
    assert [id(r) for r in guid_ref_list(record)] == [id(r) for r in expected]
    assert sorted(o for o, _, _ in rows if o >= 0) == [i for i, r in enumerate(expected) if "sourcedId" in r]


def test_references_to_a_collection_never_stored_do_not_resolve(store: RecordStore) -> None:
    _add(store, "users", [{"sourcedId": "u1"}])
    _add(store, "enrollments", [{"sourcedId": "e1", "user": _ref("user", "u1"), "class": _ref("class", "c1")}])
    assert store.unresolved_refs("enrollments", {"user": "users", "class": "classes"})[:2] == (1, ["class"])
    assert store.missing_ids("enrollments", "classes") == ["e1"]
    assert store.ids("classes") == [] and store.records("classes") == []


def test_a_dropped_collection_is_gone_and_its_tables_are_not_reused(store: RecordStore) -> None:
    _add(store, "a", [{"sourcedId": "x"}])
    store.drop("a")
    _add(store, "b", [{"sourcedId": "y"}])
    _add(store, "a", [{"sourcedId": "z"}])
    assert store.ids("a") == ["z"] and store.ids("b") == ["y"]


def test_id_sets_compare_in_sql_as_python_sets_would(store: RecordStore) -> None:
    store.put_ids("must", ["c3", "c1", "c2", None, 7, "c1"])  # only string ids; repeats once
    store.put_ids("got", ["c2", "c9", "c0"])
    store.put_ids("got", ["c2"])
    assert store.ids_count("must") == 3 and store.ids_count("got") == 3
    assert store.ids_except("must", "got", 5) == (2, ["c1", "c3"])  # sorted, as sorted(must - got)
    assert store.ids_except("got", "must", 1) == (2, ["c0"])  # the first few, and how many
    assert store.ids_except("must", "empty", 0) == (3, [])
    assert store.ids_known("got", ["c9", "c0"]) and not store.ids_known("got", ["c9", "c1"])
    store.drop_ids("must", "got", "empty", "never made")
    assert store.ids_count("must") == 0


def test_present_says_which_ids_a_collection_carries(store: RecordStore) -> None:
    _add(store, "classes", [{"sourcedId": f"c{i}"} for i in range(2000)])
    assert store.present("classes", ["c5", "x", None, "c1999", "c5"]) == {"c5", "c1999"}
    assert store.present("none", ["c5"]) == set()


def test_a_large_neighbourhood_keeps_positions_as_arrays(store: RecordStore) -> None:
    _add(store, "classes", [{"sourcedId": f"c{i}", "terms": [_ref("academicSession", "t1")],
                             "course": _ref("course", f"k{i % 3}")} for i in range(3000)])
    _add(store, "courses", [{"sourcedId": f"k{i}"} for i in range(3)])
    view = store.neighbourhood(["classes", "courses"], ["t1"])
    assert [r["sourcedId"] for r in view["classes"]] == [f"c{i}" for i in range(3000)]
    assert [r["sourcedId"] for r in view["courses"]] == ["k0", "k1", "k2"]  # one hop out
    assert all(type(seqs).__name__ == "array" for seqs in view._wanted.values())


@given(st.lists(st.integers(min_value=0, max_value=300)), st.integers(min_value=0, max_value=200))
def test_positions_give_each_marked_position_once_in_order(seqs: list[int], n: int) -> None:
    # A bitmap of the collection's size replaces SQL's UNION ... ORDER BY (whose sorter took as much
    # memory as the page cache for a term's 400,000 classes); a position past n still counts.
    positions = Positions(n)
    positions.mark(iter(seqs))
    assert positions.sorted().tolist() == sorted(set(seqs))
    assert [s for chunk in positions.chunks(7) for s in chunk] == sorted(set(seqs))
    assert all(0 < len(chunk) <= 7 for chunk in positions.chunks(7))
