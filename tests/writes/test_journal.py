"""The writer journals every write before it is sent, owns only its own records, and reads its journal back."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from oneroster_conformance.client.http import OneRosterClient
from oneroster_conformance.client.settings import Settings
from oneroster_conformance.writes import journal
from oneroster_conformance.writes.session import Writes

ROOT = "http://127.0.0.1:9/ims/oneroster/rostering/v1p2"


def _writer(tmp_path: Path, handler, **settings) -> Writes:
    s = Settings(base_url=ROOT, token_url="http://127.0.0.1:9/token", client_id="c", client_secret="s",
                 rate_limit=0, **settings)
    client = OneRosterClient(s, transport=httpx.MockTransport(handler))
    return Writes(SimpleNamespace(settings=s, client=client), tmp_path)


def _token(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"access_token": "t0k3n-value", "token_type": "bearer", "expires_in": 3600})


def test_each_write_is_journalled_and_flushed_before_it_is_sent(tmp_path):
    seen: list[list[dict]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return _token(request)
        seen.append(journal.read(tmp_path / journal.JOURNAL))  # what the disk holds while the request is in flight
        return httpx.Response(201)

    w = _writer(tmp_path, handler, allow_writes=True)
    sid = w.new_id("category")
    w.put("categories", {"sourcedId": sid, "status": "active", "title": "t"})
    w.delete("categories", sid)
    sends = [[e for e in entries if e["event"] == "send"] for entries in seen]
    assert sends[0][-1]["method"] == "PUT" and sends[0][-1]["creates"] == [sid]
    assert sends[1][-1]["method"] == "DELETE" and sends[1][-1]["path"] == f"/categories/{sid}"
    assert sends[0][-1]["service_root"].endswith("/ims/oneroster/gradebook/v1p2")
    assert w.finish()["cleanup_ok"]


def test_the_token_comes_first_a_write_that_cannot_be_sent_is_not_journalled(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(400, json={"error": "invalid_scope"})
        raise AssertionError("no write may be sent without its token")

    from oneroster_conformance.writes.session import WriteUnavailable

    w = _writer(tmp_path, handler, allow_writes=True)
    with pytest.raises(WriteUnavailable, match="gradebook.createput"):
        w.put("categories", {"sourcedId": w.new_id("category"), "status": "active", "title": "t"})
    assert not (tmp_path / journal.JOURNAL).exists()


def test_writes_are_off_against_a_real_provider_unless_allowed(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    w = _writer(tmp_path, handler)
    assert w.off_reason and "--allow-writes" in w.off_reason
    from oneroster_conformance.writes.session import WriteUnavailable

    with pytest.raises(WriteUnavailable):
        w.put("categories", {"sourcedId": w.new_id("category"), "status": "active", "title": "t"})


def test_the_writer_refuses_to_touch_a_record_it_did_not_create(tmp_path):
    w = _writer(tmp_path, lambda r: _token(r) if r.url.path == "/token" else httpx.Response(204), allow_writes=True)
    with pytest.raises(ValueError, match="only records it created"):
        w.delete("lineItems", "a-districts-own-lineitem")
    with pytest.raises(ValueError, match="writes only"):
        w.put("lineItems", {"sourcedId": "a-districts-own-lineitem"})


def test_post_allocated_ids_are_journalled_and_owned(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return _token(request)
        if request.method == "POST":
            sent = json.loads(request.content)["lineItems"][0]["sourcedId"]
            return httpx.Response(201, json={"sourcedIdPairs": [{"suppliedSourcedId": sent,
                                                                 "allocatedSourcedId": "server-id-1"}]})
        return httpx.Response(204)

    w = _writer(tmp_path, handler, allow_writes=True)
    w.post("/classes/c1/lineItems", [{"sourcedId": w.new_id("lineitem")}])
    assert w.owns("server-id-1")
    w.delete("lineItems", "server-id-1")
    left = journal.leftovers(journal.read(tmp_path / journal.JOURNAL))
    assert [c.sourced_id for c in left][:2] == ["server-id-1", f"{w.prefix}lineitem-1"]  # newest first
    done = w.finish()["cleanup"]
    assert {d["id"] for d in done} == {"server-id-1", f"{w.prefix}lineitem-1"} and all(d["removed"] for d in done)


def test_leftovers_skip_removed_records_and_a_line_cut_short(tmp_path):
    path = tmp_path / journal.JOURNAL
    root = "http://h/ims/oneroster/gradebook/v1p2"
    lines = [{"event": "send", "service_root": root, "collection": "lineItems", "creates": ["a", "b"]},
             {"event": "removed", "service_root": root, "collection": "lineItems", "id": "a"}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + '\n{"event": "send", "servi', encoding="utf-8")
    assert journal.leftovers(journal.read(path)) == [journal.Created(root, "lineItems", "b")]


def test_plan_mode_sends_nothing_and_lists_every_write(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("--plan-writes sends nothing")

    w = _writer(tmp_path, handler, plan_writes=True)
    sid = w.new_id("category")
    assert w.put("categories", {"sourcedId": sid, "status": "active", "title": "t"}).status == 201
    assert w.get(f"/categories/{sid}").status == 200
    assert w.delete("categories", sid).status == 204
    assert [p.split(" ")[0] for p in w.planned] == ["PUT", "DELETE"]
    assert not (tmp_path / journal.JOURNAL).exists()
    assert w.finish()["planned_only"] is True
