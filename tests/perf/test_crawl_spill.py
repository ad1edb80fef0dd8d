"""The streamed, spilled crawl reads what an in-memory walk reads, and the relations computed on
the records around a parent id (the store's neighbourhood) equal those computed on whole collections."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oneroster_conformance.client.http import OneRosterClient
from oneroster_conformance.client.settings import Settings
from oneroster_conformance.data.crawl import Crawl
from oneroster_conformance.data.relations import RELATIONS
from oneroster_conformance.data.sink import Sink
from oneroster_conformance.data.store import RecordStore
from oneroster_conformance.harness import load_builtin_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import serve_in_thread
from oneroster_conformance.spec.operations import operations

OPS = operations("v1p2")


def _client(provider) -> OneRosterClient:
    main = load_builtin_clients()["conformance-all"]
    return OneRosterClient(Settings(base_url=provider.base_url, token_url=provider.token_url, client_id=main.client_id,
                                    client_secret=main.client_secret, rate_limit=0))


@pytest.fixture(scope="module")
def district() -> Iterator:
    with serve_in_thread(ProviderConfig(students=1000, seed=3)) as provider:
        client = _client(provider)
        # No record is cached: every relation below reads the store's neighbourhood, not whole lists.
        crawl = Crawl(client, OPS, store=RecordStore(cache_records=0), page_size=250, workers=2)
        crawl.prefetch()
        yield crawl
        crawl.close()
        crawl.store.close()
        client.close()


def test_spilled_collections_match_an_in_memory_walk(district: Crawl) -> None:
    for op in district.top_level():
        data = district.collection(op.operation_id)
        plain = district.walk(op.path, op.wrapper, page_size=250)
        assert data.error is None and not data.truncated, op.operation_id
        assert data.count == len(plain.records) and data.records == plain.records, op.operation_id
        assert data.ids == plain.ids
        assert data.first is not None and data.invalid_page is None


def test_relations_on_the_neighbourhood_equal_relations_on_whole_collections(district: Crawl) -> None:
    checked = 0
    for op in OPS:
        rel = RELATIONS.get(op.operation_id)
        if rel is None:
            continue
        whole = district.data_for(rel)  # no ids: whole collections
        for ids in district._parent_candidates(rel, 8):
            assert rel.expected(district.data_for(rel, ids), ids) == rel.expected(whole, ids), (op.operation_id, ids)
            checked += 1
    assert checked > 80


def test_ids_for_finds_parents_with_children(district: Crawl) -> None:
    for op in OPS:
        if op.path_params:
            ids = district.ids_for(op)
            assert ids and all(ids.values()), op.operation_id


@pytest.mark.parametrize("fault", ["ignores-offset", "offset-off-by-one"])
def test_paging_faults_read_as_an_in_memory_walk_reads_them(fault: str) -> None:
    with serve_in_thread(ProviderConfig(faults=frozenset({fault}))) as provider:
        client = _client(provider)
        crawl = Crawl(client, OPS, page_size=5)
        try:
            for op in crawl.top_level():
                # The same walk streamed to the store (the crawl then cross-checks it; not compared here).
                sink = Sink(crawl.store, op, op.path, crawl.binding)
                data = crawl.walk(op.path, op.wrapper, op.operation_id, page_size=5, sink=sink)
                plain = crawl.walk(op.path, op.wrapper, page_size=5)
                assert (data.paging_problem, data.truncated, data.count) == \
                    (plain.paging_problem, plain.truncated, plain.count), op.operation_id
                assert data.records == plain.records, op.operation_id
        finally:
            crawl.close()
            client.close()


def test_the_redaction_precheck_never_skips_a_record_with_personal_data() -> None:
    """The crawl learns personal values only from records whose stored form names a personal
    field; a record holding one anywhere (nested, in a list, as its only key) is never skipped."""
    import marshal

    from oneroster_conformance.client.redaction import personal_fields
    from oneroster_conformance.data.sink import _PERSONAL

    for name in sorted(personal_fields()):
        for record in ({name: "v"}, {"a": [{"b": {name: 1}}]}, {"k": "v", name: None, "z": {name: 2}},
                       {"metadata": {"x": [{name: ["v"]}]}}):
            assert _PERSONAL.search(marshal.dumps(record)), (name, record)
    assert not _PERSONAL.search(marshal.dumps({"title": "Caucasian studies in Essex", "role": "teacher"}))


def test_an_ids_only_walk_reads_the_same_ids(district: Crawl) -> None:
    op = next(o for o in OPS if o.operation_id == "getClassesForSchool")
    ids = district.ids_for(op)
    full = district.walk(op.url_path(**ids), op.wrapper)
    light = district.walk(op.url_path(**ids), op.wrapper, ids_only=True)
    assert light.ids == full.ids and light.count == full.count and light.records == []


def test_nested_judge_in_the_store_says_what_set_arithmetic_says(district: Crawl) -> None:
    from oneroster_conformance.data import nested

    judged = 0
    for op in OPS:
        rel = RELATIONS.get(op.operation_id)
        ids = district.ids_for(op) if rel is not None else None
        if not ids:
            continue
        data = district.data_for(rel, ids)
        must, may = rel.expected(data, ids)
        walked = district.walk(op.url_path(**ids), op.wrapper, ids_only=True)
        got = set(walked.ids)
        answer = nested.judge(district, op.url_path(**ids), op.wrapper, lambda m=must, y=may: (m, y), 3)
        assert answer.error is None and (answer.must, answer.may, answer.got) == (len(must), len(may), len(got))
        assert (answer.missing, answer.missing_first) == (len(must - got), sorted(must - got)[:3]), op.operation_id
        assert (answer.extra, answer.extra_first) == (len(got - may), sorted(got - may)[:3]), op.operation_id
        assert answer.same == (must == may)
        if got:
            # A provider that leaves one out and adds one: both named.
            pair = (must | {"zz-expected"}, (may | {"zz-expected"}) - {min(got)})
            wrong = nested.judge(district, op.url_path(**ids), op.wrapper, lambda p=pair: p, 3)
            assert wrong.missing_first == ["zz-expected"] and min(got) in wrong.extra_first, op.operation_id
        judged += 1
    assert judged > 12


def test_a_streamed_relation_gives_what_its_sets_give(district: Crawl) -> None:
    from oneroster_conformance.data import nested

    op = next(o for o in OPS if o.operation_id == "getClassesForTerm")
    rel, ids = RELATIONS[op.operation_id], district.ids_for(op)
    data = district.data_for(rel, ids)
    must, may = rel.streamed(data, ids)
    assert must is may and not isinstance(must, set)  # one reading, never held as a set
    assert set(must) == rel.expected(data, ids)[0] and rel.has_children(data, ids)
    answer = nested.judge(district, op.url_path(**ids), op.wrapper, lambda: rel.streamed(data, ids))
    assert answer.must == answer.may == answer.got == len(rel.expected(data, ids)[0]) > 0
    assert answer.same and not answer.missing and not answer.extra


def test_a_class_and_student_pair_names_a_student_where_no_result_exists(district: Crawl) -> None:
    """A generated district has no results: the pair falls back to an enrollment, and a class's first
    enrollment is its teacher's. /classes/{c}/students/{teacher}/results may rightly answer 404, which
    was reported as the operation failing (a false alarm on any provider that lists teachers first)."""
    from oneroster_conformance.spec.operations import read_operations

    op = next(o for o in read_operations("v1p2", ("rostering", "gradebook"))
              if o.operation_id == "getResultsForStudentForClass")
    rel = RELATIONS[op.operation_id]
    pairs = district._parent_candidates(rel, 5)
    students = {r["sourcedId"] for r in district.collection("getAllStudents").iter_records()}
    assert pairs and all(p["studentSourcedId"] in students for p in pairs)
    reply = district.client.get(op.url_path(**pairs[0]))
    assert reply.status == 200, reply.status
