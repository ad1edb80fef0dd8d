"""Run the conformance suites in this process and write what the benchmarks measure (not a test).

    python benchmarks/_runner.py OUT.json [pytest arguments ...]

OUT.json gets: the pytest session's wall time, the requests the harness sent (with the request log
on, BENCH_KEEP_LOG=1: method, URL, headers, body, for a replay), records swept by the crawl, the
outcomes, and the process's peak RSS. The log holds bearer tokens of the loopback reference
provider: the benchmarks write it to a private temporary folder and delete it.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import sys
import time
from collections import Counter

import pytest

from oneroster_conformance.client.http import OneRosterClient


class Recorder:
    def __init__(self) -> None:
        self.record: dict = {}

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from oneroster_conformance.pytest_fixtures import STATE

        state = session.config.stash.get(STATE, None)
        run = state.run if state is not None else None
        harness = run.harness if run is not None else None
        if harness is None:
            return
        crawl = harness.__dict__.get("crawl")
        self.record = {
            "requests": harness.client.request_count,
            "log": [{"method": m, "url": u, "headers": h, "body": base64.b64encode(b).decode() if b else ""}
                    for m, u, h, b in harness.client.request_log],
            "records_swept": sum(d.count for d in crawl._data.values()) if crawl is not None else 0,
            "collections": {k: d.count for k, d in crawl._data.items()} if crawl is not None else {},
            "crawl_errors": {k: d.error or d.paging_problem for k, d in crawl._data.items()
                             if d.error or d.paging_problem or d.truncated} if crawl is not None else {},
            "outcomes": dict(Counter(r.outcome.value for r in run.results)),
        }


class RssTrace:
    """With BENCH_RSS_TRACE=FILE: each check's RSS after it ran and the peak so far (MB), one line a
    check, so the step that raises the peak can be named."""

    def __init__(self, path: str) -> None:
        self.out = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed at session end)

    @staticmethod
    def _now_mb() -> float:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    def _line(self, what: str) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.out.write(f"{self._now_mb():7.0f} {peak:7.0f} {what}\n")
        self.out.flush()

    def pytest_runtest_logfinish(self, nodeid: str, location: object) -> None:
        self._line(nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self) -> None:
        self._line("(session finished: reports written)")


WHO: list[tuple[str, str, str, str]] = []  # (method, url, authorization, check) of every request


def _attribute() -> None:
    """Note which check sent each request (pytest names the running test in PYTEST_CURRENT_TEST)."""
    send = OneRosterClient._send_once

    def traced(self, method, url, data, headers, polite):
        check = os.environ.get("PYTEST_CURRENT_TEST", "(between checks)").split(" ")[0]
        WHO.append((method, url, (headers or {}).get("Authorization", ""), check))
        return send(self, method, url, data, headers, polite)

    OneRosterClient._send_once = traced


def main() -> int:
    out, args = sys.argv[1], sys.argv[2:]
    OneRosterClient.keep_log = os.environ.get("BENCH_KEEP_LOG") == "1"
    if OneRosterClient.keep_log:
        _attribute()
    recorder = Recorder()
    started = time.perf_counter()
    plugins: list[object] = [recorder]
    if os.environ.get("BENCH_RSS_TRACE"):
        plugins.append(RssTrace(os.environ["BENCH_RSS_TRACE"]))
    status = pytest.main(args, plugins=plugins)
    record = {**recorder.record, "who": WHO, "session_s": time.perf_counter() - started, "exit": int(status),
              "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(record, f)
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
