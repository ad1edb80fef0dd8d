"""`oneroster-conformance --cleanup JOURNAL`: one plain sentence and exit status 4 on a bad invocation."""

from __future__ import annotations

import json

from oneroster_conformance.cli import main


def test_a_missing_journal_is_one_sentence(tmp_path, capsys):
    assert main(["--cleanup", str(tmp_path / "none.jsonl")]) == 4
    out = capsys.readouterr().out
    assert "no such journal file" in out and "Traceback" not in out


def test_no_journal_named(capsys):
    assert main(["--cleanup"]) == 4
    assert "needs the journal file" in capsys.readouterr().out


def test_an_unknown_option_is_named(tmp_path, capsys):
    (tmp_path / "j.jsonl").write_text("", encoding="utf-8")
    assert main(["--cleanup", str(tmp_path / "j.jsonl"), "--no-such-option"]) == 4
    assert "--no-such-option" in capsys.readouterr().out


def test_credentials_are_required(tmp_path, capsys, monkeypatch):
    for var in ("ONEROSTER_CLIENT_ID", "ONEROSTER_CLIENT_SECRET", "ONEROSTER_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    path = tmp_path / "j.jsonl"
    path.write_text(json.dumps({"event": "send", "service_root": "http://127.0.0.1:9/ims/oneroster/gradebook/v1p2",
                                "collection": "lineItems", "creates": ["orc-test-x-lineitem-1"]}) + "\n",
                    encoding="utf-8")
    assert main(["--cleanup", str(path)]) == 4
    assert "credentials" in capsys.readouterr().out


def test_a_journal_with_nothing_left_is_nothing_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ONEROSTER_CLIENT_SECRET", "s")
    path = tmp_path / "j.jsonl"
    root = "http://127.0.0.1:9/ims/oneroster/gradebook/v1p2"
    lines = [{"event": "send", "service_root": root, "collection": "lineItems", "creates": ["orc-test-x-lineitem-1"]},
             {"event": "removed", "service_root": root, "collection": "lineItems", "id": "orc-test-x-lineitem-1"}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    assert main(["--cleanup", str(path), "--client-id", "c"]) == 0
    assert "nothing to do" in capsys.readouterr().out
