"""The request count of each result (client/tally.py) and the footer's totals (report/model.py)."""

from __future__ import annotations

import contextvars
import threading

from oneroster_conformance.client import tally
from oneroster_conformance.report.model import Outcome, Result, request_totals


def _result(area: str, requests: int) -> Result:
    return Result(requirement=f"{area}/x", level="MUST", area=area, section="", normative=True,
                  outcome=Outcome.PASS, nodeid="n", requests=requests)


def test_tally_counts_what_the_check_sent_and_nothing_outside_it():
    tally.count()  # no check running: counted for none
    tally.start()
    for _ in range(3):
        tally.count()
    # A page fetched ahead in another thread with the check's context counts for the check.
    t = threading.Thread(target=contextvars.copy_context().run, args=(tally.count,))
    t.start()
    t.join()
    threading.Thread(target=tally.count).start()  # a thread of its own (the background crawl): not counted
    assert tally.stop() == 4
    assert tally.stop() == 0  # stopped: nothing running


def test_footer_totals_by_area_and_outside_checks():
    results = [_result("filter", 5), _result("filter", 2), _result("sort", 0), _result("scopes", 3)]
    totals = request_totals(results, total=14)
    assert totals == {"total": 14, "checks": 10, "outside_checks": 4, "by_area": {"filter": 7, "sort": 0, "scopes": 3},
                      "by_requirement": {"filter/x": 7, "scopes/x": 3}}
    assert list(totals["by_requirement"]) == ["filter/x", "scopes/x"]  # the costliest first


def test_the_terminal_names_the_costliest_requirements():
    from oneroster_conformance.report.terminal import costliest_line

    results = [_result("filter", 5), _result("sort", 9), _result("scopes", 3), _result("auth", 0)]
    assert costliest_line(results, 2) == "costliest requirements (requests sent): sort/x 9, filter/x 5"
    assert costliest_line([_result("auth", 0)]) == ""


def test_a_run_records_requests_per_result_and_in_the_footer(tmp_path):
    import json
    import subprocess
    import sys

    from oneroster_conformance.report.jsonl import validate_results_file

    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "pagination_default",
                           f"--report-dir={tmp_path}"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert validate_results_file(tmp_path / "results.jsonl") == []
    lines = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    results = [x for x in lines if x["type"] == "result"]
    footer = lines[-1]["requests"]
    assert results and all(isinstance(r["requests"], int) for r in results)
    assert footer["checks"] == sum(r["requests"] for r in results) > 0
    assert footer["total"] == footer["checks"] + footer["outside_checks"]
    assert " requests" in proc.stdout.split("OneRoster conformance", 1)[1].splitlines()[1]
