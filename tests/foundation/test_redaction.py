"""A shared report holds no student data by default; --evidence full puts it back, and says so."""

from pathlib import Path

import yaml

from oneroster_conformance import proof
from oneroster_conformance.client.redaction import MARK, NOT_IDENTIFYING, Redactor, personal_fields
from oneroster_conformance.resources import fixtures_dir

# Faults whose failures carry names in messages (sort order) and in URLs (filters).
FAULTS = ("sort-bytewise", "case-sensitive-filter")


def personal_values() -> set[str]:
    values: set[str] = set()
    for name in ("users.yaml", "demographics.yaml"):
        doc = yaml.safe_load((fixtures_dir() / "roster" / name).read_text(encoding="utf-8"))
        records = doc if isinstance(doc, list) else next(iter(doc.values()))
        for r in records:
            for k, v in r.items():
                if k in personal_fields() and isinstance(v, str) and len(v) >= 5 and v not in NOT_IDENTIFYING:
                    values.add(v)
    return values


def outputs(folder: Path) -> str:
    """Everything a user would share: the report folder and the terminal output."""
    files = [p for p in (folder / "reports").rglob("*") if p.is_file()] + [folder / "terminal.txt"]
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def test_default_report_of_a_real_provider_holds_no_personal_values(tmp_path):
    values = personal_values()
    assert len(values) > 50
    case = proof.Case("redacted", faults=FAULTS)
    result = proof.run_case(case, tmp_path, proof.certificates(tmp_path), ("--evidence", "redacted"))
    assert result.outcomes.get("sort/collation") == "warn", result.error
    text = outputs(tmp_path / "redacted")
    leaked = sorted(v for v in values if v in text)
    assert leaked == []
    assert MARK in text
    assert '"evidence_mode":"redacted"' in (tmp_path / "redacted" / "reports" / "results.jsonl").read_text()


def test_full_evidence_keeps_values_and_says_so(tmp_path):
    case = proof.Case("full", faults=FAULTS)
    proof.run_case(case, tmp_path, proof.certificates(tmp_path), ("--evidence", "full"))
    text = outputs(tmp_path / "full")
    assert any(v in text for v in personal_values())
    html = (tmp_path / "full" / "reports" / "report.html").read_text(encoding="utf-8")
    assert "full (response bodies may contain personal data" in html


def test_redactor_keeps_structure_and_sourcedids():
    r = Redactor()
    r.enabled = True
    r.learn({"sourcedId": "u1", "givenName": "Zoë", "familyName": "de la Cruz", "email": "zoe@school.example"})
    body = r.body('{"users": [{"sourcedId": "u1", "givenName": "Zoë", "familyName": "de la Cruz", '
                  '"status": "active"}]}')
    assert '"sourcedId": "u1"' in body and '"status": "active"' in body
    assert "Zoë" not in body and "de la Cruz" not in body and f"{MARK}(3)" in body
    assert r.text("'de la Cruz' came before 'Zoë'") == f"'{MARK}' came before '{MARK}'"
    url = r.text("https://x/users?filter=familyName%3D%27de%20la%20Cruz%27&limit=5")
    assert "Cruz" not in url and "limit=5" in url
