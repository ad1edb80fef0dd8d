"""Using the Endpoint Parameters › Pagination (a section the spec heads NOT NORMATIVE).

The ground truth is the crawl, which pages with limit=100 and reads past short pages. Before a gap
or a repeat is called a failure the page is fetched again: data that changed during the crawl is
told apart from pagination that is broken.
"""

import pytest
from query_support import ground_truth, ids, listing, page_records, total_header

from oneroster_conformance.accepted import bad_query_status_ok
from oneroster_conformance.checks import (
    answered,
    assert_status,
    assert_status_info,
    expect,
    fail,
    not_applicable,
    observe,
)
from oneroster_conformance.client import evidence
from oneroster_conformance.query.paging import LinkHeaderError, check_links, parse_link_header

BIG_PAGE = 10_000  # consumers ask for 5,000-10,000 records a page


SHARED_PAGE_BYTES = 256 * 1024  # pages up to this size are asked once and shared by these checks


def walk_size(total: int) -> int:
    """The page size of the complete walk: about three pages a collection (at least two records, at
    most the default page), so every collection is walked across at least two page boundaries. The
    Link header and X-Total-Count are judged on pages of this walk where the sizes agree (asked once, shared)."""
    return max(2, min(100, total // 3 or 2))


def _page(harness, op, reply=None, fresh=False, **params):
    """A page that must be there. The checks of this suite share the pages they ask for (each is
    asked once per run and recorded as evidence of each); ``fresh``: ask again (the data may have
    changed); ``reply``: already fetched with these params."""
    pages = harness.once("pagination-pages", dict)  # (path, params) -> Reply, shared by this suite's checks
    key = (op.path, repr(sorted(params.items())))
    if reply is None and not fresh and key in pages:
        reply = pages[key]
        evidence.record(reply.exchange)
    # the plain call (no query) is the operation's, shared with a scope cell (plain_call)
    reply = reply or (harness.client.get(op.path, params) if params or fresh else harness.plain(op, {}))
    if len(reply.content) <= SHARED_PAGE_BYTES:
        pages[key] = reply
    assert_status(reply, 200, f"{op.operation_id} page {params}")
    rows = page_records(reply, op)
    if rows is None:
        fail(f"{op.operation_id} page {params} has no '{op.wrapper}' array", expected=op.wrapper)
    return reply, rows


@pytest.mark.requirement("pagination/default-limit")
def test_pagination_default_limit(harness, crawl, top_collection):
    truth = ground_truth(crawl, top_collection)
    reply, rows = _page(harness, top_collection)
    want = min(100, len(truth))
    if len(rows) == want:
        if len(truth) <= 100:
            observe(f"only {len(truth)} records: a default page size above that cannot be told apart")
        return
    announced = (total_header(reply) or 0) > len(rows) or "next" in _links(reply)
    if len(rows) < want and announced:
        _, capped = _page(harness, top_collection, limit=100)
        if len(capped) == len(rows):
            observe(f"pages are capped at {len(rows)} records, and the cap is announced")
            return
    fail(f"without limit, {top_collection.operation_id} returned {len(rows)} records of {len(truth)}",
         expected=f"{want} (the default limit is 100)", actual=len(rows))


@pytest.mark.requirement("pagination/window")
def test_pagination_window(harness, crawl, top_collection):
    truth = ids(ground_truth(crawl, top_collection, paging=True))
    size = max(1, min(3, len(truth) // 3))
    # Small windows at offsets off every page boundary: the second record and the last. Windows on
    # page boundaries are the complete walk's pages, judged there.
    for offset in sorted({o for o in (1, len(truth) - 1) if 0 < o < len(truth)} or {0}):
        _, rows = _page(harness, top_collection, limit=size, offset=offset)
        want = truth[offset:offset + size]
        if ids(rows) != want:
            _, rows = _page(harness, top_collection, fresh=True, limit=size, offset=offset)  # data may have changed
        expect(ids(rows) == want, f"limit={size}&offset={offset} returned {listing(ids(rows))}",
               expected=listing(want), actual=listing(ids(rows)))


@pytest.mark.requirement("pagination/complete-walk")
def test_pagination_complete_walk(harness, crawl, top_collection):
    truth = ids(ground_truth(crawl, top_collection, paging=True))
    size = walk_size(len(truth))
    # At the crawl's own page size the crawl is this walk (asked past its end, judged by
    # ground_truth(paging=True)): its records, repeats included, are judged instead of asking again.
    seen = list(truth) if size == crawl.page_size else _walk(harness, top_collection, truth, size)
    repeated = sorted({i for i in seen if seen.count(i) > 1})
    missing = sorted(set(truth) - set(seen))
    if repeated or missing:
        refetched = crawl.walk(top_collection.path, top_collection.wrapper, page_size=100)
        if sorted(refetched.ids) != sorted(truth):
            not_applicable("the collection changed during the run; the walk cannot be judged")
    expect(not repeated and not missing,
           f"walking {top_collection.operation_id} {size} at a time "
           + (f"repeated {listing(repeated)} " if repeated else "")
           + (f"missed {len(missing)} of {len(truth)} records: {listing(missing)}" if missing else ""),
           expected=f"{len(truth)} records, each once", actual=f"{len(seen)} rows, {len(set(seen))} distinct")


def _walk(harness, op, truth: list[str], size: int) -> list[str]:
    """The ids of every page, ``size`` at a time, until every record is seen. Asking past the last
    page would judge again what the crawl judges (it asks past every page)."""
    seen: list[str] = []
    offset, pages, step = 0, 0, size
    while pages < len(truth) // step + 3:  # step: the most a page held (a cap makes the walk longer)
        pages += 1
        if offset >= len(truth) and set(seen) >= set(truth):
            break
        _, rows = _page(harness, op, limit=size, offset=offset)
        if not rows:
            break
        if len(rows) < step and offset + len(rows) < len(truth):
            step = len(rows)
        seen.extend(ids(rows))
        offset += len(rows)
    return seen


@pytest.mark.requirement("pagination/total-count-header")
def test_pagination_total_count_header(crawl, top_collection):
    ground_truth(crawl, top_collection)
    reply = crawl.collection(top_collection.operation_id).first
    expect(reply.header("x-total-count") is not None, f"{top_collection.operation_id} sends no X-Total-Count",
           expected="X-Total-Count: <total>", actual="(absent)")


@pytest.mark.requirement("pagination/total-count-correct")
def test_pagination_total_count_correct(harness, crawl, top_collection):
    truth = ground_truth(crawl, top_collection)
    # The complete walk's first page (shared): smaller than the collection wherever it holds over two;
    # at the crawl's page size that walk is the crawl, and this its first page.
    size = walk_size(len(truth))
    first = crawl.collection(top_collection.operation_id).first if size == crawl.page_size else None
    reply, rows = _page(harness, top_collection, first, limit=size, offset=0)
    raw = reply.header("x-total-count")
    if raw is None:
        not_applicable("no X-Total-Count sent (judged by pagination/total-count-header)")
    expect(raw.strip().isdigit() and int(raw) == len(truth),
           f"X-Total-Count is {raw!r} on a page of {len(rows)}; the collection holds {len(truth)}",
           expected=len(truth), actual=raw)


def _links(reply) -> dict[str, str]:
    value = reply.header("link")
    if not value:
        return {}
    try:
        return parse_link_header(value)
    except LinkHeaderError:
        return {}


@pytest.mark.requirement("pagination/link-header")
def test_pagination_link_header(harness, crawl, top_collection):
    truth = ground_truth(crawl, top_collection)
    size = max(1, len(truth) // 3)
    offset = size if len(truth) > size else 0  # from 6 to 299 records: the complete walk's second page (shared)
    reply, rows = _page(harness, top_collection, limit=size, offset=offset)
    if 0 < len(rows) < min(size, len(truth) - offset):
        size = len(rows)  # a page-size cap (announced or not is pagination/no-silent-cap's call)
    raw = reply.header("link")
    expect(bool(raw), "no Link header on a page of a collection", expected="Link: <…>; rel=\"next\", …",
           actual="(absent)")
    try:
        links = parse_link_header(raw)
    except LinkHeaderError as e:
        fail(f"the Link header is not RFC 8288 syntax: {e}", expected="RFC 8288 Link header", actual=raw)
    wanted = {"first", "last"} | ({"next"} if offset + size < len(truth) else set())
    missing = sorted(wanted - set(links))
    expect(not missing, f"the Link header lacks rel {missing}", expected=", ".join(sorted(wanted)),
           actual=", ".join(sorted(links)) or "(none)")
    problems = check_links({k: v for k, v in links.items() if k in {"next", "prev", "first", "last"}},
                           len(truth), size, offset)
    expect(not problems, "; ".join(problems), expected="links to the right windows", actual=raw)
    if "prev" not in links and offset:
        observe("no rel=prev on a page past the first")


@pytest.mark.requirement("pagination/offset-past-end")
def test_pagination_offset_past_end(client, crawl, top_collection):
    truth = ground_truth(crawl, top_collection)
    reply = client.get(top_collection.path, {"offset": len(truth) + 10})
    answered(reply)
    expect(reply.status == 200, f"offset past the end answered {reply.status}", expected="200 with no records",
           actual=reply.status)
    rows = page_records(reply, top_collection)
    expect(rows == [], f"offset past the end returned {len(rows) if rows else 'no'} records",
           expected="an empty collection", actual=rows if rows is None else len(rows))


@pytest.mark.requirement("pagination/no-silent-cap")
def test_pagination_no_silent_cap(harness, crawl, top_collection):
    truth = ground_truth(crawl, top_collection)
    reply, rows = _page(harness, top_collection, limit=BIG_PAGE)
    want = min(BIG_PAGE, len(truth))
    if len(rows) >= want:
        return
    total = total_header(reply)
    links = _links(reply)
    if (total is not None and total > len(rows)) or "next" in links:
        observe(f"pages are capped at {len(rows)} records; the cap is announced "
                f"({'X-Total-Count' if total else ''}{' and ' if total and 'next' in links else ''}"
                f"{'Link next' if 'next' in links else ''})")
        return
    fail(f"asked for {BIG_PAGE} records, {top_collection.operation_id} returned {len(rows)} of {len(truth)} "
         "with no X-Total-Count and no Link next: the page looks like the last one",
         expected=f"{want} records, or a cap announced by X-Total-Count / Link next",
         actual=f"{len(rows)} records, nothing announced")


MALFORMED = {"abc": [("limit", "abc")], "negative": [("limit", "-1")], "zero": [("limit", "0")],
             "exponent": [("limit", "1e3")], "fraction": [("limit", "1.5")],
             "repeated": [("limit", "1"), ("limit", "2")], "negative-offset": [("offset", "-5")]}


@pytest.mark.requirement("pagination/malformed-values")
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_pagination_malformed_values(harness, crawl, case):
    op = next(o for o in harness.operations if o.operation_id == "getAllUsers")
    truth = ground_truth(crawl, op)
    reply = harness.client.get(op.path, MALFORMED[case])
    answered(reply)
    if (reply.status or 0) >= 500:
        fail(f"{MALFORMED[case]} answered {reply.status}", expected="400 imsx_StatusInfo or the default",
             actual=reply.status)
    if bad_query_status_ok(reply.status):
        assert_status_info(reply, reply.status)
        observe(f"rejected with {reply.status}")
        return
    expect(reply.status == 200, f"{MALFORMED[case]} answered {reply.status}", expected="400 (or 422) or 200",
           actual=reply.status)
    rows = page_records(reply, op) or []
    # read as the default: 100, or the provider's own first page when it caps pages below that
    # (whether that cap is announced is pagination/default-limit's call)
    default = {min(100, len(truth)), len(_page(harness, op)[1])}
    allowed = default | {min(1000, len(truth))} if case == "exponent" else set(default)
    if case == "repeated":
        allowed |= {1, 2}
    if case == "negative-offset":
        allowed = set(default)
    expect(len(rows) in allowed, f"{MALFORMED[case]} was read as a page of {len(rows)}",
           expected=f"400, or a page of {' or '.join(map(str, sorted(allowed)))}", actual=len(rows))
    observe(f"treated as a page of {len(rows)}")
