"""Data Model: semantics across endpoints, checked on the data the crawl already fetched.

The crawl streams every record once (memory bounded by a page, records spilled to an on-disk
store): checks of one record at a time are registered with ``sweep.per_record`` and run as each
page arrives; checks across records (uniqueness, references) ask the record store.
"""

from collections import defaultdict

import pytest

from oneroster_conformance.accepted import href_usable
from oneroster_conformance.checks import crawled, expect, not_applicable, observe
from oneroster_conformance.data import datamodel, nested, sweep
from oneroster_conformance.data.guidref import guid_ref_list, guid_refs
from oneroster_conformance.data.relations import RELATIONS
from oneroster_conformance.spec.operations import OperationId
from oneroster_conformance.text import first_n

SHOWN = 5


def _found(crawl, op_id: str, name: str) -> sweep.Finding:
    crawled(crawl, op_id)
    finding = crawl.findings(op_id, name)
    if finding.error is not None:
        raise finding.error
    return finding


def _listing(items, total: int | None = None) -> str:
    """The first few items, and how many more (``total``: how many there are, when not all are given)."""
    if isinstance(items, sweep.Finding):
        items, total = items.examples, items.count
    return first_n(items, SHOWN, "; ", total)


@sweep.per_record("data/datetime-utc")
def _datetime_utc(op, binding):
    return lambda r: () if datamodel.is_utc_datetime(r.get("dateLastModified")) else \
        (f"{r.get('sourcedId')}: {r.get('dateLastModified')!r}",)


@sweep.per_record("data/datetime-format")
def _datetime_format(op, binding):
    return lambda r: () if datamodel.EXACT_DATETIME.match(str(r.get("dateLastModified", ""))) else \
        (f"{r.get('sourcedId')}: {r.get('dateLastModified')!r}",)


@sweep.per_record("data/enum-extension")
def _enum_extension(op, binding):
    vocabularies = datamodel.extensible_enums(op.response_schema, binding)

    def check(r):
        for path, base in vocabularies.items():
            for v in datamodel.values_at(r, path):
                if isinstance(v, str) and v not in base and not v.startswith("ext:"):
                    yield f"{r.get('sourcedId')}: {path}={v!r}"
    return check if vocabularies else None


@sweep.per_record("data/typed-collection")
def _typed(op, binding):
    if op.operation_id not in datamodel.TYPED:
        return None
    keep = datamodel.TYPED[op.operation_id][0]
    return lambda r: () if keep(r) else (str(r.get("sourcedId")),)


@sweep.per_record("data/href-usable")
def _href_usable(op, binding):
    def check(r):
        if all(href_usable(ref.get("href")) for ref in guid_ref_list(r)):
            return  # the usual case, without building every GUIDRef's path
        for path, ref in guid_refs(r):
            href = ref.get("href")
            if not href_usable(href):
                yield f"{r.get('sourcedId')}{path}: {href!r}"
    return check


@sweep.per_record("data/primary-role")
def _primary_role(op, binding):
    def check(u):
        roles = [r for r in u.get("roles") or [] if isinstance(r, dict)]
        if not roles:
            return  # the schema requires roles; judged by operations/response-schema
        per_org = defaultdict(int)
        for r in roles:
            per_org[(r.get("org") or {}).get("sourcedId")] += r.get("roleType") == "primary"
        total = sum(per_org.values())
        per_org_ok = all(n == 1 for n in per_org.values())
        if not per_org_ok and total != 1:
            yield f"{u.get('sourcedId')}: {total} primary role(s) over {len(per_org)} org(s)"
    return check if op.operation_id == "getAllUsers" else None


@pytest.mark.requirement("data/datetime-utc")
def test_data_datetime_utc(crawl, top_collection):
    bad = _found(crawl, top_collection.operation_id, "data/datetime-utc")
    expect(not bad, f"dateLastModified is not a UTC ISO 8601 date-time on {bad.count} record(s): {_listing(bad)}",
           expected="e.g. 2024-03-01T10:00:00.000Z", actual=_listing(bad))


@pytest.mark.requirement("data/datetime-format")
def test_data_datetime_format(crawl, top_collection):
    bad = _found(crawl, top_collection.operation_id, "data/datetime-format")
    expect(not bad, f"dateLastModified is not in the form YYYY-MM-DDThh:mm:ss.sssZ on {bad.count} record(s): "
           f"{_listing(bad)}", expected="YYYY-MM-DDThh:mm:ss.sssZ", actual=_listing(bad))


@pytest.mark.requirement("data/enum-extension")
def test_data_enum_extension(harness, crawl, top_collection):
    vocabularies = datamodel.extensible_enums(top_collection.response_schema, harness.binding)
    if not vocabularies:
        not_applicable(f"{top_collection.response_schema} has no extensible vocabulary")
    bad = _found(crawl, top_collection.operation_id, "data/enum-extension")
    expect(not bad, f"values outside the vocabulary that do not start with 'ext:': {_listing(bad)}",
           expected="a base value or 'ext:…'", actual=_listing(bad))


@pytest.mark.requirement("data/typed-collection")
@pytest.mark.parametrize("operation_id", [OperationId(o) for o in sorted(datamodel.TYPED)], ids=str)
def test_data_typed_collection(crawl, operation_id):
    wording = datamodel.TYPED[operation_id][1]
    bad = _found(crawl, operation_id, "data/typed-collection")
    expect(not bad, f"{operation_id} returns {bad.count} record(s) that are not {wording}: {_listing(bad)}",
           expected=f"only {wording}", actual=_listing(bad))


@pytest.mark.requirement("data/nested-matches")
def test_data_nested_matches(harness, crawl, nested_operation):
    rel = RELATIONS.get(nested_operation.operation_id)
    if rel is None:
        not_applicable("no relation is known for this operation")
    ids = crawl.ids_for(nested_operation)
    if ids is None:
        not_applicable("no parent id to call it with")
    data = crawl.data_for(rel, ids)
    if any(crawl.collection(k).truncated for k in data):
        not_applicable("the sample sweep did not read whole collections: run with --sweep full")
    broken = next((e for k in data if (e := crawl.collection(k).error)), None)
    if broken:  # a part of a collection: records outside it would look like strangers
        not_applicable(f"a collection it reads was not read in full ({broken}); judged by operations/success")
    # Expected and returned ids are compared in the record store: both may be most of a collection. The
    # plain call's page is the answer when it holds the whole nested collection and matches.
    answer = nested.judge(crawl, nested_operation.url_path(**ids), nested_operation.wrapper,
                          lambda: rel.streamed(data, ids), SHOWN,
                          answered=_whole_first_page(harness, nested_operation, ids))
    if answer.error:
        not_applicable(f"the nested collection could not be read: {answer.error}")
    missing, extra = answer.missing, answer.extra
    expect(not missing and not extra,
           f"{nested_operation.operation_id}({', '.join(ids.values())}) "
           + (f"misses {_listing(answer.missing_first, missing)}" if missing else "")
           + ("; " if missing and extra else "")
           + (f"returns records that do not belong: {_listing(answer.extra_first, extra)}" if extra else ""),
           expected=f"{answer.must} record(s) (up to {answer.may} under another reading)",
           actual=f"{answer.got} record(s)")
    if not answer.same:
        observe(f"accepted readings span {answer.must}..{answer.may} records; the provider returned {answer.got}")


def _whole_first_page(harness, op, ids: dict[str, str]) -> set[str] | None:
    """The ids of the operation's plain call (operations/success asks it; shared) when that one page
    holds the whole nested collection: under the default page size and no more announced (Link
    next, X-Total-Count). None: walk the collection instead. Only a page that already matches is
    taken as the answer; any other is judged on the walk, as before."""
    sample = harness.sample(op)
    reply = sample.reply
    if reply is None or sample.ids != ids or reply.status != 200 or reply.error:
        return None
    body = reply.json_or_none()
    rows = body.get(op.wrapper) if isinstance(body, dict) else None
    if not isinstance(rows, list) or len(rows) >= 100 or "next" in (reply.header("link") or ""):
        return None
    total = (reply.header("x-total-count") or "").strip()
    if total and total != str(len(rows)):
        return None
    got = {r.get("sourcedId") for r in rows if isinstance(r, dict)}
    return got if len(got) == len(rows) else None


@pytest.mark.requirement("data/references-resolve")
def test_data_references_resolve(harness, crawl, top_collection):
    data = crawled(crawl, top_collection.operation_id)
    # Types whose collection could not be read are not judged here (operations/success owns that);
    # other types (e.g. resources, which live in another service) neither.
    targets = {t: op for t, op in datamodel.REF_TARGETS.items() if op in crawl.ops and not crawl.collection(op).error}
    truncated = any(crawl.collection(op).truncated for op in datamodel.REF_TARGETS.values() if op in crawl.ops)
    # One anti-join in the record store over every GUIDRef of the collection.
    count, kinds, first = crawl.store.unresolved_refs(data.key, targets, limit=20 if truncated else SHOWN)
    unresolved = [_unresolved_at(crawl, data.key, seq, order) for seq, order in first]
    if truncated and unresolved:
        unresolved = [u for u in unresolved if not _resolves_singly(harness, u[2], u[3])]
        count, kinds = len(unresolved), sorted({u[2] for u in unresolved})
    bad = [f"{s}{p} -> {k} {i!r}" for s, p, k, i in unresolved]
    expect(not count, f"{count} GUIDRef(s) resolve to no {'/'.join(kinds)}: {_listing(bad, count)}",
           expected="every GUIDRef resolves to an object of its type", actual=_listing(bad, count))


def _unresolved_at(crawl, key: str, seq: int, order: int) -> tuple:
    """(record sourcedId, path, type, target) of the ``order``-th GUIDRef of a stored record."""
    record = crawl.store.record_at(key, seq)
    path, ref = list(guid_refs(record))[order]
    return record.get("sourcedId"), path, ref.get("type"), ref.get("sourcedId")


def _resolves_singly(harness, kind: str, sid: str) -> bool:
    op = next(o for o in harness.operations if o.operation_id == datamodel.SINGLE_OF[kind])
    return harness.client.get(op.url_path(sourcedId=sid)).status == 200


@pytest.mark.requirement("data/href-usable")
def test_data_href_usable(crawl, top_collection):
    bad = _found(crawl, top_collection.operation_id, "data/href-usable")
    expect(not bad, f"{bad.count} href(s) cannot be dereferenced: {_listing(bad)}",
           expected="absolute http(s) URLs or absolute-path references ('/ims/...')", actual=_listing(bad))


@pytest.mark.requirement("data/primary-role")
def test_data_primary_role(crawl):
    bad = _found(crawl, "getAllUsers", "data/primary-role")
    expect(not bad, f"users without a well-formed primary role: {_listing(bad)}",
           expected="one primary role per org, or one in all", actual=_listing(bad))


@pytest.mark.requirement("data/demographics-ids")
def test_data_demographics_ids(harness, crawl):
    demographics = crawled(crawl, "getAllDemographics")
    if crawl.collection("getAllUsers").error:
        not_applicable(f"getAllUsers could not be read: {crawl.collection('getAllUsers').error}")
    orphans = crawl.store.missing_ids(demographics.key, crawl.collection("getAllUsers").key)
    if orphans and crawl.collection("getAllUsers").truncated:
        orphans = [o for o in orphans[:20] if not _resolves_singly(harness, "user", o)]
    expect(not orphans, f"{len(orphans)} demographics record(s) are not keyed by a user's sourcedId: "
           f"{_listing([str(o) for o in orphans])}", expected="demographics.sourcedId = the user's sourcedId",
           actual=_listing([str(o) for o in orphans]))


@pytest.mark.requirement("data/unique-ids")
def test_data_unique_ids(crawl, top_collection):
    data = crawled(crawl, top_collection.operation_id)
    dupes = [f"{k} ×{n}" for k, n in crawl.store.repeated_ids(data.key)]
    expect(not dupes, f"sourcedIds repeated within {top_collection.operation_id}: {_listing(dupes)}",
           expected="unique sourcedIds", actual=_listing(dupes))


