"""A collection the crawl could read only in part is judged on what was read, and the result says so."""

from types import SimpleNamespace

import pytest

from oneroster_conformance import checks


class _Crawl:
    def __init__(self, data):
        self.data = data

    def collection(self, op_id):
        return self.data


def _judged(data) -> dict:
    checks.begin_check()
    try:
        checks.crawled(_Crawl(data), "getAllEnrollments")
    finally:
        notes = checks.end_check()
    return notes


def test_a_partial_read_is_said_in_the_result():
    notes = _judged(SimpleNamespace(first=None, error="timed out at offset 200000", count=200000))
    assert any("read only in part" in r and "200000 records" in r for r in notes["readings"])


def test_a_whole_read_says_nothing():
    assert _judged(SimpleNamespace(first=None, error=None, count=5))["readings"] == []


def test_nothing_read_is_not_applicable():
    with pytest.raises(pytest.skip.Exception):
        _judged(SimpleNamespace(first=None, error="HTTP 500", count=0))
