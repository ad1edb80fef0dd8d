"""Page windows, the Link header, and which links are acceptable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oneroster_conformance.query.paging import (
    LinkHeaderError,
    check_link,
    check_links,
    expected_links,
    parse_link_header,
    window,
)

BASE = "https://imsglobal.org/ims/oneroster/rostering/v1p2/users"
SPEC_LINK = (
    f'<{BASE}?limit=10&offset=20>; rel="next",\n'
    f'<{BASE}?limit=3&offset=500>; rel="last",\n'
    f'<{BASE}?limit=10&offset=0>; rel="first",\n'
    f'<{BASE}?limit=10&offset=0>; rel="prev"'
)


def test_parse_spec_example() -> None:
    links = parse_link_header(SPEC_LINK)
    assert links == {
        "next": f"{BASE}?limit=10&offset=20",
        "last": f"{BASE}?limit=3&offset=500",
        "first": f"{BASE}?limit=10&offset=0",
        "prev": f"{BASE}?limit=10&offset=0",
    }


def test_parse_rfc8288_forms() -> None:
    header = (
        '<https://x.test/u?filter=a%3D%27x,y%27&offset=0>; rel="first prev"; title="a, b; c",'
        "<https://x.test/u?a=1,2>;REL=Next, <https://x.test/other>; rel=next"
    )
    links = parse_link_header(header)
    assert links == {
        "first": "https://x.test/u?filter=a%3D%27x,y%27&offset=0",
        "prev": "https://x.test/u?filter=a%3D%27x,y%27&offset=0",
        "next": "https://x.test/u?a=1,2",  # the first link for a rel wins
    }
    assert parse_link_header("") == {}
    assert parse_link_header('<https://x.test/>; rel="next"; rel="last"') == {"next": "https://x.test/"}


@pytest.mark.parametrize("bad", ["https://x.test/; rel=next", "<https://x.test/; rel=next", '<a>; rel="next'])
def test_parse_errors(bad: str) -> None:
    with pytest.raises(LinkHeaderError):
        parse_link_header(bad)


def test_window() -> None:
    assert window(503, 10, 10) == (10, 20)
    assert window(503, 10, 500) == (500, 503)
    assert window(503, 10, 503) == (503, 503)
    assert window(503, 10, 900) == (503, 503)
    assert window(0, 1, 0) == (0, 0)
    with pytest.raises(ValueError):
        window(10, 0, 0)


def test_expected_links_follow_the_spec_example() -> None:
    assert expected_links(503, 10, 10) == {
        "first": (10, 0),
        "prev": (10, 0),
        "next": (10, 20),
        "last": (3, 500),
    }
    assert "prev" not in expected_links(503, 10, 0)
    assert "next" not in expected_links(503, 10, 500)
    assert "next" not in expected_links(20, 10, 10)


def test_spec_example_links_all_check() -> None:
    assert check_links(parse_link_header(SPEC_LINK), 503, 10, 10) == []


def test_last_link_accepts_full_or_remaining_limit() -> None:
    assert check_link("last", f"{BASE}?offset=500&limit=10", 503, 10, 10) is None
    assert check_link("last", f"{BASE}?limit=3&offset=500", 503, 10, 10) is None
    message = check_link("last", f"{BASE}?limit=10&offset=490", 503, 10, 10)
    assert message and "last" in message and "offset=500" in message


def test_not_applicable_links_are_flagged() -> None:
    assert check_link("prev", f"{BASE}?limit=10&offset=0", 503, 10, 0)
    assert check_link("next", f"{BASE}?limit=10&offset=510", 503, 10, 500)
    assert check_link("next", f"{BASE}?limit=10&offset=20", 20, 10, 10)


def test_wrong_and_malformed_links() -> None:
    assert check_link("next", f"{BASE}?limit=10&offset=10", 503, 10, 10)  # did not advance
    assert check_link("next", f"{BASE}?limit=abc&offset=20", 503, 10, 10)
    assert check_link("next", f"{BASE}?limit=10&limit=10&offset=20", 503, 10, 10)
    assert check_link("first", f"{BASE}?offset=0", 503, 100, 0) is None  # limit omitted: default 100
    assert check_link("first", f"{BASE}", 503, 10, 20)
    assert check_link("self", f"{BASE}?whatever", 503, 10, 20) is None  # not judged


def test_prev_from_an_unaligned_offset() -> None:
    assert check_link("prev", f"{BASE}?limit=10&offset=0", 503, 10, 5) is None
    assert check_link("prev", f"{BASE}?limit=5&offset=0", 503, 10, 5) is None


@given(st.integers(0, 300), st.integers(1, 40), st.integers(0, 340))
def test_expected_links_always_check(total: int, limit: int, offset: int) -> None:
    for rel, (lim, off) in expected_links(total, limit, offset).items():
        assert check_link(rel, f"{BASE}?limit={lim}&offset={off}", total, limit, offset) is None, rel


@given(st.integers(0, 300), st.integers(1, 40))
def test_following_next_visits_every_record_once(total: int, limit: int) -> None:
    seen: list[int] = []
    offset = 0
    while True:
        start, stop = window(total, limit, offset)
        seen += range(start, stop)
        nxt = expected_links(total, limit, offset).get("next")
        if not nxt:
            break
        offset = nxt[1]
    assert seen == list(range(total))
