"""Property: whatever the query string, the independent provider answers 200, 400, 404 or 422 with
a schema-valid body, never 5xx (its own code, written apart, gets the same fuzzing as the reference)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oneroster_conformance.altprovider.server import AltConfig, serve_in_thread
from oneroster_conformance.spec.operations import operations
from oneroster_conformance.spec.schemas import issues

IDS = {"schoolSourcedId": "sch-north", "classSourcedId": "cls-alg1-p1", "courseSourcedId": "crs-alg1",
       "termSourcedId": "as-term-2025-fall", "studentSourcedId": "stu-0001", "teacherSourcedId": "tch-001",
       "userSourcedId": "stu-0001"}
COLLECTIONS = [op for op in operations("v1p2") if op.is_collection]
NAMES = ["sourcedId", "familyName", "grades", "school.sourcedId", "roles.role", "metadata.ext:district",
         "dateLastModified", "nope", "a.b.c", ""]
NASTY = ["'", "''", "%", ";", "--", "OR", "AND", " ", ",", "\x00", "é", "🙂", ")", "\"", "1" * 5000]

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
word = st.one_of(st.sampled_from(NAMES), st.sampled_from(NASTY), text)
clause = st.builds(lambda f, p, v, q: f"{f}{p}{q}{v}{q}", word, st.sampled_from(["=", "!=", ">=", "<", "~", "=="]),
                   st.one_of(text, st.sampled_from(NASTY)), st.sampled_from(["'", "'", "", "\""]))
filters = st.one_of(clause, st.builds(lambda a, op, b: f"{a} {op} {b}", clause, st.sampled_from(["AND", "OR", "and"]),
                                      clause), text)
numbers = st.one_of(st.integers(-10, 10**30).map(str), st.sampled_from(["abc", "1e3", "", "١٢", "-0"]), text)
query = st.fixed_dictionaries({}, optional={
    "filter": filters, "sort": st.one_of(st.sampled_from(NAMES), text),
    "orderBy": st.sampled_from(["asc", "DESC", "up"]),
    "fields": st.lists(st.one_of(st.sampled_from(NAMES), text), max_size=3).map(",".join),
    "limit": numbers, "offset": numbers})


@pytest.fixture(scope="module")
def get():
    with serve_in_thread(AltConfig(busy_every=0)) as provider, httpx.Client(timeout=10) as http:
        form = {"grant_type": "client_credentials",
                "scope": " ".join(f"https://purl.imsglobal.org/spec/or/v1p2/scope/{s}.readonly"
                                  for s in ("roster", "roster-demographics"))}
        token = http.post(provider.token_url, auth=("conformance-all", "r7onspAeqEut5eZcY8kZPJMu0U5opJJ9"),
                          data=form).json()["access_token"]
        yield lambda path, params: http.get(provider.base_url + path, params=params,
                                            headers={"Authorization": f"Bearer {token}"})


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(op=st.sampled_from(COLLECTIONS), params=query)
def test_collections_never_answer_5xx(op, params, get) -> None:
    reply = get(op.url_path(**{p: IDS[p] for p in op.path_params}), params)
    assert reply.status_code in (200, 400, 404, 422), (reply.status_code, reply.text[:300])
    body = reply.json()
    if reply.status_code != 200:
        assert issues("imsx_StatusInfo", body) == []
    elif "fields" not in params:
        assert issues(op.response_schema, body) == []
