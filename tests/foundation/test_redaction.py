"""A shared report holds no student data by default; --evidence full puts it back, and says so."""

import math
from pathlib import Path

import pytest
import yaml

from oneroster_conformance import proof
from oneroster_conformance.client import redaction
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
                # a short number turns up by chance (a duration, a uuid): checked where it sits in tests/evidence
                if k in personal_fields() and isinstance(v, str) and len(v) >= 5 and v not in NOT_IDENTIFYING \
                        and (len(v) >= 8 or any(c.isalpha() for c in v)):
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


def _redactor() -> Redactor:
    r = Redactor()
    r.enabled = True
    r.learn({"sourcedId": "par-001", "givenName": "Zoë", "familyName": "de la Cruz", "email": "par-001@family.example",
             "username": "zdelacruz", "stateOfBirthAbbreviation": "OR", "identifier": "12345"})
    return r


def test_redactor_keeps_structure_and_sourcedids():
    r = _redactor()
    body = r.body('{"users": [{"sourcedId": "par-001", "givenName": "Zoë", "familyName": "de la Cruz", '
                  '"status": "active", "middleName": null}]}')
    assert '"sourcedId": "par-001"' in body and '"status": "active"' in body and '"middleName": null' in body
    assert "Zoë" not in body and "de la Cruz" not in body
    assert f'"givenName": "{r.pseudonym("Zoë")}"' in body  # the same value, the same marker everywhere
    url = r.url("https://x/users?filter=familyName%3D%27de%20la%20Cruz%27&limit=5")
    assert "Cruz" not in url and "limit=5" in url and r.pseudonym("de la Cruz") in url


def test_pseudonyms_are_stable_within_a_run_and_keyed_per_run():
    a, b = _redactor(), _redactor()
    assert a.pseudonym("Zoë") == a.pseudonym("Zoë") != a.pseudonym("Zoe")
    assert a.pseudonym("Zoë") != b.pseudonym("Zoë")  # a key drawn per run: no dictionary of guesses works
    assert a.pseudonym("Zoë").startswith(MARK)


def test_protocol_syntax_is_never_redacted_even_when_a_personal_value_equals_it():
    r = _redactor()
    text = ("filter=title='x' OR familyName='de la Cruz' returned 3; Expected 401 or 403; "
            "limit=12345&offset=12345 X-Total-Count: 12345 par-001 sourcedId='par-001'")
    out = r.text(text)
    assert " OR " in out and "401 or 403" in out and "limit=12345&offset=12345" in out
    assert "X-Total-Count: 12345" in out and "par-001 sourcedId='par-001'" in out
    assert f"familyName='{r.pseudonym('de la Cruz')}'" in out
    # a short value is hidden where it sits (a personal field), nowhere else
    assert r.text("stateOfBirthAbbreviation='OR'") == f"stateOfBirthAbbreviation='{r.pseudonym('OR')}'"
    marked = r.pseudonym("12345")
    assert r.text('{"identifier": 12345, "limit": 12345}') == f'{{"identifier": {marked}, "limit": 12345}}'


def test_renderings_of_records_are_redacted_by_field():
    r = _redactor()
    out = r.text("Failing test case: f(users=[{'sourcedId': 'u1', 'givenName': 'Zoë', 'sex': 'F'}], "
                 "a=Clause(field='givenName', op='=', value='Zoë'), b=Clause(field='status', op='=', value='active'))")
    assert "Zoë" not in out and "'F'" not in out and "'u1'" in out and "value='active'" in out
    out = r.text("field 'givenName' differs from the full record: 'Zoë' != 'Zoe'")
    assert "Zoë" not in out and "Zoe" not in out
    # the safety net: a long personal value quoted where no rule recognises it
    assert "zdelacruz" not in r.text("KeyError: zdelacruz")
    assert r.text("KeyError: Zoë") == "KeyError: Zoë"  # short values: only where they sit


def test_the_safety_net_keeps_memory_flat():
    r = _redactor()
    for i in range(20_000):
        r.learn({"givenName": f"Student{i:06d}", "email": f"student{i}@district.example"})
    assert len(r._net or b"") == redaction._NET_BITS // 8  # fixed, whatever the district's size
    assert "Student000123" not in r.text("missing Student000123 here")
    assert r.text("Studentship is a word") == "Studentship is a word"


def test_the_safety_net_stays_readable_in_the_largest_district():
    # The net fills as a Bloom filter should (checked on 100,000 values), so its false-positive rate
    # at the 1,000,000-student district's ~2 M distinct values follows from its size: a harmless
    # word is hidden about once in 10^7 (4 MB and 4 probes: about once in 400).
    r = _redactor()
    n = 100_000
    for i in range(n):
        r.learn({"email": f"s{i:07d}@district.example"})
    bits, k = redaction._NET_BITS, redaction._NET_HASHES
    filled = int.from_bytes(r._net or b"", "little").bit_count() / bits
    assert filled == pytest.approx(1 - math.exp(-k * n / bits), rel=0.05)
    assert (1 - math.exp(-k * 2_000_000 / bits)) ** k < 1e-5


def test_curl_lines_are_valid_shell_with_named_placeholders(tmp_path):
    import subprocess

    import httpx

    from oneroster_conformance.client import evidence
    from oneroster_conformance.client.redaction import REDACTOR

    REDACTOR.enabled = True
    try:
        req = httpx.Request("GET", "https://h/users", params={
            "filter": "familyName='de la Cruz' OR givenName='O''Brien $x `y` \\z'", "limit": "5"})
        curl = evidence.curl_line(req)
    finally:
        REDACTOR.enabled = False
    assert subprocess.run(["bash", "-n", "-c", curl]).returncode == 0
    assert "Cruz" not in curl and "Brien" not in curl and "limit=5" in curl and " OR " in curl
    assert "${VALUE_1:?set VALUE_1 to the familyName value" in curl and "${VALUE_2:?" in curl
    # with the values set, curl sends exactly the filter the harness sent
    script = tmp_path / "curl.sh"
    script.write_text("curl() { printf '%s\\n' \"$@\"; }\n" + curl + "\n", encoding="utf-8")
    out = subprocess.run(["bash", str(script)], capture_output=True, text=True,
                         env={"VALUE_1": "de la Cruz", "VALUE_2": "O''Brien $x `y` \\z", "PATH": "/usr/bin:/bin"})
    assert "filter=familyName='de la Cruz' OR givenName='O''Brien $x `y` \\z'" in out.stdout
