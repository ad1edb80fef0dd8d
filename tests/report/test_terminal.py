from __future__ import annotations

from report_samples import make, minimal_results

from oneroster_conformance.report.gate import decide
from oneroster_conformance.report.terminal import progress_line, summary_table, verdict_line


def test_progress_line():
    line = progress_line("pagination", 12, 30, 2)
    assert line.startswith("pagination ") and "12/30" in line and "2 failures" in line and "[########" in line
    assert "no failures" in progress_line("sort", 0, 0, 0)
    assert "1 failure" in progress_line("sort", 3, 3, 1)


def test_summary_table_is_aligned():
    table = summary_table(minimal_results())
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["area", "pass", "fail"]
    assert len({len(x) for x in lines}) == 1  # every line the same width: columns aligned
    areas = [x.split()[0] for x in lines[2:-2]]
    assert areas == ["transport", "auth", "scopes", "pagination", "filter", "sort", "data"]
    assert lines[-1].split()[0] == "total" and lines[-1].split()[-2] == "10"
    assert lines[0].split()[-1] == "requests" and lines[-1].split()[-1] == "."  # none sent by these results


def test_summary_table_counts_requests_per_area():
    results = minimal_results()
    for n, r in enumerate(results):
        r.requests = n
    lines = summary_table(results).splitlines()
    by_area = {x.split()[0]: x.split()[-1] for x in lines[2:-2]}
    for area in by_area:
        want = sum(r.requests for r in results if r.area == area)
        assert by_area[area] == (str(want) if want else ".")
    assert lines[-1].split()[-1] == str(sum(range(len(results))))


def test_verdict_line():
    d = decide([make("transport/tls-required", "pass")])
    assert verdict_line(d, "reports/report.html") == (d.reason + " Report: reports/report.html")
    assert "\x1b[" in verdict_line(d, None, color=True)
    bad = decide(minimal_results())
    assert verdict_line(bad).startswith("NOT CONFORMANT:")
