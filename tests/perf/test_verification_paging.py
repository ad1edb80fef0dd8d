"""Walks that verify a query read at the largest page the provider honours and stop at a page shorter
than one it filled: the same records as a default-size walk that asks past every page, in fewer requests."""

from __future__ import annotations

import pytest

from oneroster_conformance.client.http import OneRosterClient
from oneroster_conformance.client.settings import Settings
from oneroster_conformance.data.crawl import PAGE, VERIFY_PAGE, Crawl
from oneroster_conformance.harness import load_builtin_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.provider.server import serve_in_thread
from oneroster_conformance.spec.operations import operations

OPS = operations("v1p2")
USERS = next(op for op in OPS if op.operation_id == "getAllUsers")
QUERIES = [{"filter": "status='active'"}, {"filter": "givenName~'a'"}, {"sort": "familyName"},
           {"filter": "dateLastModified>'2000-01-01T00:00:00.000Z'", "sort": "sourcedId"}]


def _crawl(config: ProviderConfig):
    provider = serve_in_thread(config)
    main = load_builtin_clients()["conformance-all"]
    client = OneRosterClient(Settings(base_url=provider.base_url, token_url=provider.token_url,
                                      client_id=main.client_id, client_secret=main.client_secret, rate_limit=0))
    crawl = Crawl(client, OPS, workers=2)
    crawl.prefetch()
    return provider, client, crawl


@pytest.mark.parametrize("faults, cap", [((), None), (("silent-limit-cap",), 25)])
def test_verification_walks_read_the_same_records_in_fewer_requests(faults, cap) -> None:
    provider, client, crawl = _crawl(ProviderConfig(faults=frozenset(faults), students=300, seed=5))
    try:
        largest = max(crawl.collection(op.operation_id).count for op in crawl.top_level())
        size, end_below = crawl.verification_paging()
        assert (size, end_below) == ((VERIFY_PAGE, min(VERIFY_PAGE, largest)) if cap is None else (cap, cap))
        for params in QUERIES:
            before = client.request_count
            fast = crawl.walk(USERS.path, USERS.wrapper, params=params)
            sent = client.request_count - before
            # The old way: the default size, asking past every page (end_below 0), never from the cache.
            before = client.request_count
            slow = crawl._walk_pages(USERS.path, USERS.wrapper, "", params, PAGE, None, None)
            slow_sent = client.request_count - before
            assert fast.error is None and slow.error is None
            assert fast.ids == slow.ids, params
            pages = -(-fast.count // size) if fast.count else 1
            assert sent <= pages + (fast.count % size == 0), (params, sent)  # a full last page asks once more
            assert sent < slow_sent, (params, sent, slow_sent)
    finally:
        crawl.close()
        client.close()
        provider.stop()


def test_a_provider_refusing_large_pages_keeps_the_default_walk() -> None:
    provider, client, crawl = _crawl(ProviderConfig(seed=5))
    get = client.get
    client.get = lambda path, params=None, **kw: get(path, {**(params or {}), "limit": "x"} if (
        params or {}).get("limit") == VERIFY_PAGE else params, **kw)  # large limits answered 400
    try:
        assert crawl.verification_paging() == (PAGE, 0)
        walked = crawl.walk(USERS.path, USERS.wrapper, params={"filter": "status='active'"})
        assert walked.error is None and walked.ids
    finally:
        crawl.close()
        client.close()
        provider.stop()
