from __future__ import annotations

from report_samples import META, make

from oneroster_conformance.report.cli import main
from oneroster_conformance.report.diff import diff_results
from oneroster_conformance.report.gate import decide
from oneroster_conformance.report.jsonl import ResultsWriter


def record(path, results):
    w = ResultsWriter(path)
    w.header(META)
    for r in results:
        w.result(r)
    w.footer(decide(results).to_footer())
    return path


OLD = [make("transport/tls-required", "pass"), make("pagination/window", "pass", "getAllUsers"),
       make("auth/token-no-store", "fail"), make("sort/order", "pass", "getAllUsers"),
       make("data/unique-ids", "pass")]
NEW = [make("transport/tls-required", "pass"), make("pagination/window", "fail", "getAllUsers"),
       make("auth/token-no-store", "pass"), make("sort/order", "warn", "getAllUsers"),
       make("filter/delta-sync", "not-applicable", "getAllUsers")]


def test_diff_groups():
    d = diff_results(OLD, NEW)
    assert [c.key for c in d.regressions] == ["pagination/window|getAllUsers", "sort/order|getAllUsers"]
    assert [c.key for c in d.fixes] == ["auth/token-no-store"]
    assert [c.key for c in d.new] == ["filter/delta-sync|getAllUsers"]
    assert [c.key for c in d.removed] == ["data/unique-ids"]
    assert diff_results(OLD, OLD).render().count("No result changed") == 1


def test_diff_cli_exit_codes(tmp_path, capsys):
    old = record(tmp_path / "old.jsonl", OLD)
    new = record(tmp_path / "new.jsonl", NEW)
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "Regressions (2):" in out and "Fixes (1):" in out and "New results (1):" in out
    assert "Removed results (1):" in out and "pass -> fail" in out
    assert main(["diff", str(new), str(old)]) == 1  # the fix reversed is a regression
    only_fixes = record(tmp_path / "fixed.jsonl", [make("transport/tls-required", "pass"),
                                                   make("auth/token-no-store", "pass")])
    assert main(["diff", str(old), str(only_fixes)]) == 0


def test_html_junit_validate_from_the_record(tmp_path, capsys):
    new = record(tmp_path / "new.jsonl", NEW)
    assert main(["html", str(new), "-o", str(tmp_path / "r.html")]) == 0
    assert "NOT CONFORMANT" in (tmp_path / "r.html").read_text()
    assert main(["html", str(new), "--strict"]) == 0 and (tmp_path / "new.html").exists()
    assert main(["junit", str(new), "-o", str(tmp_path / "j.xml")]) == 0
    assert (tmp_path / "j.xml").read_text().startswith("<?xml")
    assert main(["validate", str(new)]) == 0
    (tmp_path / "bad.jsonl").write_text('{"type": "result"}\n')
    assert main(["validate", str(tmp_path / "bad.jsonl")]) == 1
    capsys.readouterr()


def test_unreadable_file_is_a_clear_error(tmp_path, capsys):
    """Unreadable input is exit 3, told apart from a regression (1) and from no regression (0)."""
    import pytest

    with pytest.raises(SystemExit) as stop:
        main(["diff", str(tmp_path / "nope.jsonl"), str(tmp_path / "nope2.jsonl")])
    assert stop.value.code == 3
    err = capsys.readouterr().err
    assert "cannot read" in err and len(err.strip().splitlines()) == 1
