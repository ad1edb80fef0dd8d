"""Data Model: semantics across endpoints, checked on the data the crawl already fetched."""

from collections import Counter, defaultdict
from urllib.parse import urlsplit

import pytest

from oneroster_conformance import datamodel
from oneroster_conformance.checks import expect, not_applicable, observe
from oneroster_conformance.client import evidence
from oneroster_conformance.relations import RELATIONS

SHOWN = 5


def _records(crawl, op_id: str) -> list[dict]:
    data = crawl.collection(op_id)
    if data.first is not None:
        evidence.record(data.first.exchange)
    if data.error and not data.records:
        not_applicable(f"{op_id} could not be read: {data.error}")
    if not data.records:
        not_applicable(f"{op_id} returned no records")
    return [r for r in data.records if isinstance(r, dict)]


def _listing(items: list[str]) -> str:
    more = f" (+{len(items) - SHOWN} more)" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more


@pytest.mark.requirement("data/datetime-utc")
def test_data_datetime_utc(crawl, top_collection):
    bad = [f"{r.get('sourcedId')}: {r.get('dateLastModified')!r}" for r in _records(crawl, top_collection.operation_id)
           if not datamodel.is_utc_datetime(r.get("dateLastModified"))]
    expect(not bad, f"dateLastModified is not a UTC ISO 8601 date-time on {len(bad)} record(s): {_listing(bad)}",
           expected="e.g. 2024-03-01T10:00:00.000Z", actual=_listing(bad))


@pytest.mark.requirement("data/datetime-format")
def test_data_datetime_format(crawl, top_collection):
    bad = [f"{r.get('sourcedId')}: {r.get('dateLastModified')!r}" for r in _records(crawl, top_collection.operation_id)
           if not datamodel.EXACT_DATETIME.match(str(r.get("dateLastModified", "")))]
    expect(not bad, f"dateLastModified is not in the form YYYY-MM-DDThh:mm:ss.sssZ on {len(bad)} record(s): "
           f"{_listing(bad)}", expected="YYYY-MM-DDThh:mm:ss.sssZ", actual=_listing(bad))


@pytest.mark.requirement("data/enum-extension")
def test_data_enum_extension(harness, crawl, top_collection):
    vocabularies = datamodel.extensible_enums(top_collection.response_schema, harness.binding)
    if not vocabularies:
        not_applicable(f"{top_collection.response_schema} has no extensible vocabulary")
    bad = []
    for r in _records(crawl, top_collection.operation_id):
        for path, base in vocabularies.items():
            for v in datamodel.values_at(r, path):
                if isinstance(v, str) and v not in base and not v.startswith("ext:"):
                    bad.append(f"{r.get('sourcedId')}: {path}={v!r}")
    expect(not bad, f"values outside the vocabulary that do not start with 'ext:': {_listing(bad)}",
           expected="a base value or 'ext:…'", actual=_listing(bad))


@pytest.mark.requirement("data/typed-collection")
@pytest.mark.parametrize("operation_id", sorted(datamodel.TYPED))
def test_data_typed_collection(crawl, operation_id):
    keep, wording = datamodel.TYPED[operation_id]
    bad = [str(r.get("sourcedId")) for r in _records(crawl, operation_id) if not keep(r)]
    expect(not bad, f"{operation_id} returns {len(bad)} record(s) that are not {wording}: {_listing(bad)}",
           expected=f"only {wording}", actual=_listing(bad))


@pytest.mark.requirement("data/nested-matches")
def test_data_nested_matches(harness, crawl, nested_operation):
    rel = RELATIONS.get(nested_operation.operation_id)
    if rel is None:
        not_applicable("no relation is known for this operation")
    ids = crawl.ids_for(nested_operation)
    if ids is None:
        not_applicable("no parent id to call it with")
    data = crawl.data_for(rel)
    if any(crawl.collection(k).truncated for k in data):
        not_applicable("the sample sweep did not read whole collections: run with --sweep full")
    must, may = rel.expected(data, ids)
    walked = crawl.walk(nested_operation.url_path(**ids), nested_operation.wrapper)
    if walked.error:
        not_applicable(f"the nested collection could not be read: {walked.error}")
    got = set(walked.ids)
    missing = sorted(must - got)
    extra = sorted(got - may)
    expect(not missing and not extra,
           f"{nested_operation.operation_id}({', '.join(ids.values())}) "
           + (f"misses {_listing(missing)}" if missing else "")
           + ("; " if missing and extra else "")
           + (f"returns records that do not belong: {_listing(extra)}" if extra else ""),
           expected=f"{len(must)} record(s) (up to {len(may)} under another reading)", actual=f"{len(got)} record(s)")
    if must != may:
        observe(f"accepted readings span {len(must)}..{len(may)} records; the provider returned {len(got)}")


@pytest.mark.requirement("data/references-resolve")
def test_data_references_resolve(harness, crawl, top_collection):
    records = _records(crawl, top_collection.operation_id)
    # Types whose collection could not be read are not judged here (operations/success owns that).
    known = {t: set(crawl.collection(op).ids) for t, op in datamodel.REF_TARGETS.items()
             if op in crawl.ops and not crawl.collection(op).error}
    truncated = any(crawl.collection(op).truncated for op in datamodel.REF_TARGETS.values() if op in crawl.ops)
    unresolved = []
    for r in records:
        for path, ref in datamodel.guid_refs(r):
            kind, sid = ref.get("type"), ref.get("sourcedId")
            if kind not in known:
                continue  # e.g. resources live in another service
            if sid not in known[kind]:
                unresolved.append((r.get("sourcedId"), path, kind, sid))
    if truncated and unresolved:
        unresolved = [u for u in unresolved[:20] if not _resolves_singly(harness, u[2], u[3])]
    bad = [f"{s}{p} -> {k} {i!r}" for s, p, k, i in unresolved]
    expect(not bad, f"{len(bad)} GUIDRef(s) resolve to no {'/'.join(sorted({u[2] for u in unresolved}))}: "
           f"{_listing(bad)}", expected="every GUIDRef resolves to an object of its type", actual=_listing(bad))


def _resolves_singly(harness, kind: str, sid: str) -> bool:
    single = {"org": "getOrg", "user": "getUser", "class": "getClass", "course": "getCourse",
              "academicSession": "getAcademicSession", "enrollment": "getEnrollment"}[kind]
    op = next(o for o in harness.operations if o.operation_id == single)
    return harness.client.get(op.url_path(sourcedId=sid)).status == 200


@pytest.mark.requirement("data/href-usable")
def test_data_href_usable(crawl, top_collection):
    bad = []
    for r in _records(crawl, top_collection.operation_id):
        for path, ref in datamodel.guid_refs(r):
            href = ref.get("href")
            p = urlsplit(str(href))
            if p.scheme not in ("http", "https") or not p.netloc:
                bad.append(f"{r.get('sourcedId')}{path}: {href!r}")
    expect(not bad, f"{len(bad)} href(s) are not absolute URLs: {_listing(bad)}",
           expected="absolute http(s) URLs", actual=_listing(bad))


@pytest.mark.requirement("data/primary-role")
def test_data_primary_role(crawl):
    bad = []
    for u in _records(crawl, "getAllUsers"):
        roles = [r for r in u.get("roles") or [] if isinstance(r, dict)]
        if not roles:
            continue  # the schema requires roles; judged by operations/response-schema
        per_org = defaultdict(int)
        for r in roles:
            per_org[(r.get("org") or {}).get("sourcedId")] += r.get("roleType") == "primary"
        total = sum(per_org.values())
        per_org_ok = all(n == 1 for n in per_org.values())
        if not per_org_ok and total != 1:
            bad.append(f"{u.get('sourcedId')}: {total} primary role(s) over {len(per_org)} org(s)")
    expect(not bad, f"users without a well-formed primary role: {_listing(bad)}",
           expected="one primary role per org, or one in all", actual=_listing(bad))


@pytest.mark.requirement("data/demographics-ids")
def test_data_demographics_ids(harness, crawl):
    demographics = _records(crawl, "getAllDemographics")
    users = set(crawl.collection("getAllUsers").ids)
    orphans = [d.get("sourcedId") for d in demographics if d.get("sourcedId") not in users]
    if orphans and crawl.collection("getAllUsers").truncated:
        orphans = [o for o in orphans[:20] if not _resolves_singly(harness, "user", o)]
    expect(not orphans, f"{len(orphans)} demographics record(s) are not keyed by a user's sourcedId: "
           f"{_listing([str(o) for o in orphans])}", expected="demographics.sourcedId = the user's sourcedId",
           actual=_listing([str(o) for o in orphans]))


@pytest.mark.requirement("data/unique-ids")
def test_data_unique_ids(crawl, top_collection):
    counts = Counter(r.get("sourcedId") for r in _records(crawl, top_collection.operation_id))
    dupes = [f"{k} ×{n}" for k, n in counts.items() if n > 1]
    expect(not dupes, f"sourcedIds repeated within {top_collection.operation_id}: {_listing(dupes)}",
           expected="unique sourcedIds", actual=_listing(dupes))


