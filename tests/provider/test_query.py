"""limit / offset / Link / X-Total-Count, filter, sort (UCA), fields, and SQL-injection shapes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from pyuca.collator import Collator_9_0_0

from oneroster_conformance.provider import sample
from oneroster_conformance.spec.schemas import issues

STUDENTS = [u for u in sample.records("users") if any(r["role"] == "student" for r in u["roles"])]
USERS = list(sample.records("users"))
UCA = Collator_9_0_0()


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    (records,) = response.json().values()
    return [r["sourcedId"] for r in records]


def code_minor(response) -> str:
    body = response.json()
    assert issues("imsx_StatusInfo", body) == []
    return body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def links(response) -> dict[str, dict[str, list[str]]]:
    out = {}
    for url, rel in re.findall(r'<([^>]+)>;\s*rel="([^"]+)"', response.headers.get("link", "")):
        out[rel] = parse_qs(urlsplit(url).query)
    return out


# ------------------------------------------------------------------ paging
def test_default_limit_and_order(api) -> None:
    response = api("/enrollments")
    got = ids(response)
    assert len(got) == 100
    assert got == sorted(got)
    assert response.headers["x-total-count"] == "256"


def test_pages_concatenate_to_the_whole(api) -> None:
    whole = ids(api("/users", params={"limit": 1000}))
    walked, url, params = [], "/users", {"limit": 7}
    for _ in range(50):
        response = api(url, params=params)
        walked += ids(response)
        rels = links(response)
        assert int(response.headers["x-total-count"]) == len(whole)
        if "next" not in rels:
            break
        params = {"limit": rels["next"]["limit"][0], "offset": rels["next"]["offset"][0]}
    assert walked == whole


def test_link_relations(api, provider) -> None:
    response = api("/users", params={"limit": 10, "offset": 20, "sort": "familyName"})
    rels = links(response)
    assert rels["next"]["offset"] == ["30"] and rels["prev"]["offset"] == ["10"]
    assert rels["first"]["offset"] == ["0"] and rels["last"]["offset"] == ["70"]
    assert all(r["sort"] == ["familyName"] and r["limit"] == ["10"] for r in rels.values())
    assert all(url.startswith(provider.base_url + "/users?")
               for url in re.findall(r"<([^>]+)>", response.headers["link"]))
    first = links(api("/users", params={"limit": 10}))
    assert "prev" not in first and "next" in first
    last = links(api("/users", params={"limit": 10, "offset": 70}))
    assert "next" not in last and "prev" in last


def test_window_and_offset_past_end(api) -> None:
    whole = ids(api("/users", params={"limit": 1000}))
    assert ids(api("/users", params={"limit": 5, "offset": 3})) == whole[3:8]
    response = api("/users", params={"offset": 10_000})
    assert ids(response) == [] and response.headers["x-total-count"] == str(len(whole))
    huge = api("/users", params={"limit": "99999999999999999999999", "offset": "99999999999999999999"})
    assert ids(huge) == []


@pytest.mark.parametrize("name,value", [("limit", "abc"), ("limit", "-1"), ("limit", "0"), ("limit", "1e3"),
                                        ("limit", ""), ("limit", "1.5"), ("offset", "-1"), ("offset", "x"),
                                        ("limit", " 5"), ("offset", "+3")])
def test_malformed_paging_is_400(name, value, api) -> None:
    response = api("/users", params={name: value})
    assert response.status_code == 400
    assert code_minor(response) == "invaliddata"


def test_repeated_paging_parameter_is_400(api) -> None:
    response = api("/users", params=[("limit", "1"), ("limit", "2")])
    assert response.status_code == 400


def test_page_cap_is_announced(faulty) -> None:
    client = faulty(page_cap=10)
    response = client.get("/users", params={"limit": 5000})
    assert len(ids(response)) == 10
    assert response.headers["x-total-count"] == str(len(USERS))
    assert links(response)["next"]["limit"] == ["10"] and links(response)["next"]["offset"] == ["10"]


# ------------------------------------------------------------------ filter
def _filter(api, text, path="/users", **params):
    return api(path, params={"filter": text, "limit": 1000, **params})


def test_filter_predicates(api) -> None:
    by_family = {u["sourcedId"]: u["familyName"] for u in USERS}
    assert set(ids(_filter(api, "familyName='smith'"))) == {k for k, v in by_family.items() if v.lower() == "smith"}
    assert len(ids(_filter(api, "familyName='smith'"))) == 2  # 'Smith' and 'smith': case-insensitive
    assert set(ids(_filter(api, "familyName!='smith'"))) == {k for k, v in by_family.items() if v.lower() != "smith"}
    assert set(ids(_filter(api, "familyName~'BERG'"))) == {k for k, v in by_family.items() if "berg" in v.lower()}
    dates = {u["sourcedId"]: u["dateLastModified"] for u in USERS}
    cut = "2024-11-20T17:45:00.500Z"
    for op, test in ((">", str.__gt__), (">=", str.__ge__), ("<", str.__lt__), ("<=", str.__le__)):
        got = set(ids(_filter(api, f"dateLastModified{op}'{cut}'")))
        assert got == {k for k, v in dates.items() if test(v, cut)}, op
    assert set(ids(_filter(api, "dateLastModified>'2025-01-01'"))) == {k for k, v in dates.items() if v > "2025-01-01"}
    lower = cut.lower()  # ISO values are matched case-insensitively too (the indexed fast path)
    assert set(ids(_filter(api, f"dateLastModified>='{lower}'"))) == {k for k, v in dates.items() if v >= cut}
    assert set(ids(_filter(api, f"dateLastModified='{lower}'"))) == {k for k, v in dates.items() if v == cut}
    assert set(ids(_filter(api, f"dateLastModified!='{lower}'"))) == {k for k, v in dates.items() if v != cut}


def test_filter_logical(api) -> None:
    a = set(ids(_filter(api, "familyName~'o'")))
    b = set(ids(_filter(api, "givenName~'a'")))
    assert set(ids(_filter(api, "familyName~'o' AND givenName~'a'"))) == a & b
    assert set(ids(_filter(api, "familyName~'o' OR givenName~'a'"))) == a | b
    students = set(ids(api("/students", params={"limit": 1000})))
    assert set(ids(_filter(api, "familyName~'o' OR givenName~'a'", path="/students"))) == (a | b) & students


def test_filter_dot_notation_and_metadata(api) -> None:
    north = {c["sourcedId"] for c in sample.records("classes") if c["school"]["sourcedId"] == "sch-north"}
    assert set(ids(_filter(api, "school.sourcedId='sch-north'", path="/classes"))) == north
    french = {u["sourcedId"] for u in USERS if u.get("metadata", {}).get("ext:homeLanguage") == "fr"}
    assert set(ids(_filter(api, "metadata.ext:homeLanguage='FR'"))) == french
    at_lakeside = {u["sourcedId"] for u in USERS if any(r["org"]["sourcedId"] == "sch-lakeside" for r in u["roles"])}
    assert set(ids(_filter(api, "roles.org.sourcedId='sch-lakeside'"))) == at_lakeside


def test_filter_on_href(api, provider) -> None:
    north = {c["sourcedId"] for c in sample.records("classes") if c["school"]["sourcedId"] == "sch-north"}
    href = provider.base_url + "/orgs/sch-north"
    assert set(ids(_filter(api, f"school.href='{href}'", path="/classes"))) == north


def test_filter_array_semantics(api) -> None:
    classes = list(sample.records("classes"))
    both = {c["sourcedId"] for c in classes if {"09", "10"} <= set(c["grades"])}
    either = {c["sourcedId"] for c in classes if {"09", "03"} & set(c["grades"])}
    assert both and either
    assert set(ids(_filter(api, "grades='09,10'", path="/classes"))) == both
    assert set(ids(_filter(api, "grades~'09,03'", path="/classes"))) == either
    fall = {c["sourcedId"] for c in classes if "as-term-2025-fall" in [t["sourcedId"] for t in c["terms"]]}
    assert set(ids(_filter(api, "terms.sourcedId='as-term-2025-fall'", path="/classes"))) == fall


def test_oversized_filters_are_400_not_500(api) -> None:
    many = " OR ".join(f"familyName='n{i}'" for i in range(500))
    assert _filter(api, many).status_code == 400
    values = ",".join(str(i) for i in range(5000))
    assert _filter(api, f"grades='{values}'", path="/classes").status_code == 400
    assert _filter(api, "familyName~'" + "x" * 30_000 + "'").status_code == 200  # long URLs are served


def test_lone_quotes_are_part_of_the_value(api) -> None:
    # A quote that does not end the clause is literal: the whole tail is one (unmatched) value.
    assert ids(_filter(api, "familyName='a' XOR givenName='b'")) == []


def test_filter_values_with_quotes_and_metacharacters(api) -> None:
    obrien = {u["sourcedId"] for u in USERS if u["familyName"] == "O'Brien"}
    assert set(ids(_filter(api, "familyName='O''Brien'"))) == obrien
    assert set(ids(_filter(api, "familyName='O'Brien'"))) == obrien
    for value in ("%", "_", ".*", "[a]", "\\", "a%", "%'--"):
        expected = {u["sourcedId"] for u in USERS if value.lower() in u["familyName"].lower()}
        assert set(ids(_filter(api, f"familyName~'{value.replace(chr(39), chr(39) * 2)}'"))) == expected, value


@pytest.mark.parametrize("text", ["nope='x'", "lastName='Smythe'", "familyName", "familyName='x", "='x'",
                                  "familyName=x", "", "familyName=='a'",
                                  "school.nope='x'", "metadata.a\"b='x'", "givenName.x='y'"])
def test_invalid_filters_are_400_invalid_filter_field(text, api) -> None:
    response = _filter(api, text)
    assert response.status_code == 400
    assert code_minor(response) == "invalid_filter_field"


# ------------------------------------------------------------------ sort
def _names(response, key="familyName") -> list[str]:
    assert response.status_code == 200, response.text
    (records,) = response.json().values()
    return [r.get(key) for r in records]


def test_sort_uses_uca_and_desc_reverses(api) -> None:
    asc = _names(api("/users", params={"sort": "familyName", "limit": 1000}))
    assert asc == sorted(asc, key=UCA.sort_key)
    assert asc != sorted(asc)  # the sample names make byte order and UCA disagree
    desc_ids = ids(api("/users", params={"sort": "familyName", "orderBy": "desc", "limit": 1000}))
    asc_ids = ids(api("/users", params={"sort": "familyName", "orderBy": "asc", "limit": 1000}))
    assert desc_ids == asc_ids[::-1]


def test_sort_dot_notation_arrays_and_missing_values(api) -> None:
    classes = _names(api("/classes", params={"sort": "school.sourcedId", "limit": 1000, "fields": "school"}), "school")
    keys = [c["sourcedId"] for c in classes]
    assert keys == sorted(keys)
    grades = _names(api("/classes", params={"sort": "grades", "limit": 1000}), "grades")
    assert [g[0] for g in grades] == sorted((g[0] for g in grades), key=UCA.sort_key)
    middle = _names(api("/users", params={"sort": "middleName", "limit": 1000}), "middleName")
    present = [m for m in middle if m is not None]
    assert middle[: len(present)] == present  # missing values last


def test_unknown_sort_field_gives_default_order(api) -> None:
    default = ids(api("/users", params={"limit": 1000}))
    assert ids(api("/users", params={"sort": "nope", "limit": 1000})) == default
    assert ids(api("/users", params={"sort": "'; DROP TABLE users; --", "limit": 1000})) == default


def test_bad_order_by_is_400(api) -> None:
    assert api("/users", params={"sort": "familyName", "orderBy": "up"}).status_code == 400


# ------------------------------------------------------------------ fields
def test_fields_projection(api) -> None:
    response = api("/users", params={"fields": "sourcedId,givenName", "limit": 5})
    (records,) = response.json().values()
    assert all(set(r) <= {"sourcedId", "givenName"} and "givenName" in r for r in records)
    single = api("/users/stu-0001", params={"fields": "familyName"}).json()
    assert single == {"user": {"familyName": next(u["familyName"] for u in USERS if u["sourcedId"] == "stu-0001")}}


def test_unknown_fields_return_all_data(api) -> None:
    full = api("/users/stu-0001").json()
    assert api("/users/stu-0001", params={"fields": "nope,firstName"}).json() == full
    mixed = api("/users/stu-0001", params={"fields": "nope,givenName"}).json()
    assert list(mixed["user"]) == ["givenName"]


@pytest.mark.parametrize("value", ["", "givenName,,familyName", ",givenName", "givenName,", " "])
def test_blank_fields_are_400(value, api) -> None:
    for path in ("/users", "/users/stu-0001"):
        response = api(path, params={"fields": value})
        assert response.status_code == 400
        assert code_minor(response) == "invalid_selection_field"


# ------------------------------------------------------------------ SQL injection shapes
INJECTIONS = [
    "familyName='x' OR '1'='1'",
    "familyName='x'' OR ''1''=''1'",
    "familyName='x'; DROP TABLE users; --'",
    "familyName='x' OR 1=1 --'",
    "familyName=\"x\" OR 1=1",
    "sourcedId='x') OR (1=1'",
    "familyName~'%'",
    "familyName~'_'",
    "metadata.ext:x') OR 1=1 --='y'",
    "json_extract(doc,'$.x')='y'",
    "familyName='x' UNION SELECT doc FROM users --'",
    "sourcedId>='' AND sourcedId<'~' OR status='active'",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_sql_injection_shapes(text, api) -> None:
    response = _filter(api, text)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        got = ids(response)
        assert len(got) <= len(USERS)
        assert len(got) == len(set(got))
    assert api("/users", params={"limit": 1000}).headers["x-total-count"] == str(len(USERS))


@pytest.mark.parametrize("sort", ["familyName; DROP TABLE users", "(SELECT 1)", "sid", "doc", "t.sid",
                                  "familyName DESC", "1", "metadata.x') --"])
def test_sql_injection_in_sort_and_fields(sort, api) -> None:
    response = api("/users", params={"sort": sort, "fields": sort, "limit": 1000})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert len(ids(api("/users", params={"sort": sort, "limit": 1000}))) == len(USERS)
