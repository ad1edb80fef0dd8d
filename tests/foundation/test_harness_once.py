"""Harness.once: a probe several checks judge is computed once per run and shared."""

from __future__ import annotations

import threading

from oneroster_conformance.client.settings import Settings
from oneroster_conformance.harness import Harness


def test_once_computes_each_key_once_and_shares_the_answer():
    harness = Harness(Settings(base_url="http://127.0.0.1:9/ims/oneroster/rostering/v1p2"))
    calls: list[str] = []

    def probe(kind: str):
        calls.append(kind)
        return {"kind": kind}

    try:
        first = harness.once(("error-probe", "401"), lambda: probe("401"))
        assert harness.once(("error-probe", "401"), lambda: probe("401")) is first
        assert harness.once(("error-probe", "403"), lambda: probe("403")) == {"kind": "403"}
        assert harness.once("pages", dict) is harness.once("pages", dict)  # a shared table
        assert calls == ["401", "403"]
        # Threads asking at once all get the same answer (the first one stored).
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(harness.once("t", object))) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({id(a) for a in answers}) == 1
    finally:
        harness.client.close()
