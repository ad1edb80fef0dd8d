from __future__ import annotations

import json

from report_samples import META, minimal_results, realistic_results

from oneroster_conformance.report.gate import decide
from oneroster_conformance.report.jsonl import ResultsWriter, read_results, safe_target, validate_results_file


def write_run(path, results, meta=META):
    w = ResultsWriter(path)
    w.header(meta)
    for r in results:
        w.result(r)
    return w


def test_round_trip_rebuilds_results_and_exchanges(tmp_path):
    results = minimal_results()
    path = tmp_path / "results.jsonl"
    w = write_run(path, results)
    footer = w.footer(decide(results).to_footer())
    header, back, foot = read_results(path)
    assert header["type"] == "header" and header["binding"] == "v1p2" and header["seed"] == 20240611
    assert [r.to_dict() for r in back] == [r.to_dict() for r in results]
    assert back[1].evidence[0].curl.startswith("curl ") and "***MASKED***" in back[1].evidence[0].curl
    assert foot == footer
    assert foot["counts"]["fail"] == 3 and foot["counts"]["errored"] == 1
    assert foot["counts_by_level"]["MUST"]["fail"] == 3
    assert foot["verdict"] == "NOT CONFORMANT" and foot["exit_status"] == 1
    assert validate_results_file(path) == []


def test_realistic_run_validates(tmp_path):
    results = realistic_results()
    path = tmp_path / "results.jsonl"
    write_run(path, results).footer(decide(results).to_footer())
    assert validate_results_file(path) == []
    lines = path.read_text().splitlines()
    assert len(lines) == len(results) + 2
    assert json.loads(lines[0])["type"] == "header" and json.loads(lines[-1])["type"] == "footer"


def test_lines_are_flushed_as_the_run_goes_and_a_crash_leaves_a_readable_file(tmp_path):
    path = tmp_path / "results.jsonl"
    results = minimal_results()
    w = write_run(path, results[:3])  # never closed: the "crash"
    with path.open("a") as fh:
        fh.write('{"type": "result", "requirem')  # a line cut short
    header, back, footer = read_results(path)
    assert len(back) == 3 and footer is None
    errors = validate_results_file(path)
    assert any("no footer" in e for e in errors) and any("not JSON" in e for e in errors)
    w.close()


def test_schema_rejects_bad_lines(tmp_path):
    path = tmp_path / "results.jsonl"
    write_run(path, minimal_results()).footer(decide(minimal_results()).to_footer())
    lines = path.read_text().splitlines()
    bad = json.loads(lines[1])
    bad["outcome"] = "maybe"
    bad["level"] = "SHALL"
    lines[1] = json.dumps(bad)
    path.write_text("\n".join(lines) + "\n")
    errors = validate_results_file(path)
    assert any("outcome" in e and "maybe" in e for e in errors)
    assert any("level" in e and "SHALL" in e for e in errors)


def test_header_target_has_no_secrets(tmp_path):
    assert safe_target("https://id:s3cret@sis.example.org:8443/ims?client_secret=abc&x=1") == \
        "https://sis.example.org:8443/ims?client_secret=***&x=1"
    path = tmp_path / "r.jsonl"
    w = ResultsWriter(path)
    line = w.header({**META, "target": "https://id:s3cret@sis.example.org/ims"})
    w.close()
    assert "s3cret" not in path.read_text() and line["target"] == "https://sis.example.org/ims"
    assert line["started_at"] == META["started_at"]


def test_header_defaults_started_at_to_utc_now(tmp_path):
    w = ResultsWriter(tmp_path / "r.jsonl")
    meta = {k: v for k, v in META.items() if k != "started_at"}
    line = w.header(meta)
    w.close()
    assert line["started_at"].endswith("Z")
    assert validate_results_file(tmp_path / "r.jsonl", require_footer=False) == []
