"""Property: whatever the query string, a collection endpoint answers 200 or 400, never 5xx or a hang."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oneroster_conformance.provider.fields import top_level
from oneroster_conformance.spec.operations import operations
from oneroster_conformance.spec.schemas import issues

IDS = {"schoolSourcedId": "sch-north", "classSourcedId": "cls-alg1-p1", "courseSourcedId": "crs-alg1",
       "termSourcedId": "as-term-2025-fall", "studentSourcedId": "stu-0001", "teacherSourcedId": "tch-001",
       "userSourcedId": "stu-0001"}
COLLECTIONS = [op for op in operations("v1p2") if op.is_collection]
NAMES = sorted({n for t in ("users", "classes", "enrollments", "orgs") for n in top_level(t)}
               | {"school.sourcedId", "roles.role", "terms.sourcedId", "metadata.ext:district", "nope", "a.b.c"})
PREDICATES = ["=", "!=", ">", ">=", "<", "<=", "~", "==", "<>", ""]
NASTY = ["'", "''", "%", "_", "\\", ";", "--", "/*", "*/", "OR", "AND", " ", ",", "\x00", "é", "Ω", "🙂",
         "1=1", ")", "(", "\"", "$.", "[0]"]

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
word = st.one_of(st.sampled_from(NAMES), st.sampled_from(NASTY), text)
value = st.one_of(text, st.sampled_from(NASTY), st.sampled_from(["2025-01-01", "09,10", "Smith", "sch-north"]))
clause = st.builds(lambda f, p, v, q: f"{f}{p}{q}{v}{q}", word, st.sampled_from(PREDICATES), value,
                   st.sampled_from(["'", "'", "", "\""]))
filters = st.one_of(clause, st.builds(lambda a, op, b: f"{a} {op} {b}", clause,
                                      st.sampled_from(["AND", "OR", "and", "XOR", "AND OR"]), clause), text)
numbers = st.one_of(st.integers(-10, 10**30).map(str), st.sampled_from(["abc", "1e3", "1.5", "", " 1", "+1",
                                                                         "0x10", "١٢", "NaN", "-0"]), text)
csv = st.lists(st.one_of(st.sampled_from(NAMES), st.just(""), text), max_size=4).map(",".join)
params = st.fixed_dictionaries({}, optional={
    "filter": filters, "sort": st.one_of(st.sampled_from(NAMES), text), "orderBy": st.one_of(
        st.sampled_from(["asc", "desc", "DESC", "up"]), text), "fields": csv, "limit": numbers, "offset": numbers})
repeated = st.lists(st.tuples(st.sampled_from(["limit", "offset", "filter", "sort", "fields", "orderBy", "x"]),
                              st.one_of(numbers, text)), max_size=3)


@settings(max_examples=800, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(op=st.sampled_from(COLLECTIONS), query=params, extra=repeated)
def test_collections_never_answer_5xx(op, query, extra, api) -> None:
    items = list(query.items()) + extra
    response = api(op.url_path(**{p: IDS[p] for p in op.path_params}), params=items, timeout=10)
    assert response.status_code in (200, 400), (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    if response.status_code == 400:
        assert issues("imsx_StatusInfo", body) == []
        minor = body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        assert minor in ("invalid_filter_field", "invalid_selection_field", "invaliddata")
    else:
        assert list(body) == [op.wrapper]
        if "fields" not in dict(items):
            assert issues(op.response_schema, body) == []


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " éΩ🙂", max_size=60))
def test_raw_query_strings_never_answer_5xx(raw, api) -> None:
    response = api("/users?" + raw, timeout=10)
    assert response.status_code in (200, 400), (raw, response.status_code, response.text[:300])
