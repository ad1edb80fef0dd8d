"""Evidence a district can share and a vendor can act on, shown on one faulty run (see conftest.py).

No secret and no personal value reaches any output, whatever produced it (hypothesis' falsifying
examples included); redaction never touches protocol syntax; every curl line is valid shell and the
ones without a placeholder reproduce the recorded answer; every failure carries the exchange that
showed it; the HTML report shows one finding per cause.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from oneroster_conformance.client.redaction import MARK, NOT_IDENTIFYING, personal_fields
from oneroster_conformance.harness import load_builtin_clients
from oneroster_conformance.report.html import scope_of, token_command
from oneroster_conformance.resources import fixtures_dir

PSEUDONYM = re.compile(re.escape(MARK) + r":[0-9a-f]{6}›")
BROKEN = ("fail", "warn")


def people() -> list[dict]:
    records: list[dict] = []
    for name in ("users.yaml", "demographics.yaml"):
        doc = yaml.safe_load((fixtures_dir() / "roster" / name).read_text(encoding="utf-8"))
        records += doc if isinstance(doc, list) else next(iter(doc.values()))
    return records


def personal_values(min_length: int) -> set[str]:
    """The roster's personal values long enough that finding one in a text is finding it, not a word."""
    values: set[str] = set()

    def walk(value: object, personal: bool) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, personal or k in personal_fields())
        elif isinstance(value, list):
            for v in value:
                walk(v, personal)
        elif personal and value is not None and str(value).casefold() not in NOT_IDENTIFYING:
            text = str(value)
            # a short number is found by chance in any uuid: those are checked where they sit (below)
            if len(text) >= 8 or (len(text) >= min_length and any(c.isalpha() for c in text)):
                values.add(text)

    walk(people(), False)
    return values


def text_of(run) -> dict[str, str]:
    return {str(p.relative_to(run.folder)): p.read_text(encoding="utf-8", errors="replace") for p in run.outputs()}


def broken(run) -> list[dict]:
    return [r for r in run.results() if r["outcome"] in BROKEN]


# ------------------------------------------------------------------------------------------ the run itself
def test_the_faults_fail_checks_and_hypothesis_properties(faulty_run):
    assert faulty_run.exit_status == 1, faulty_run.terminal.read_text()[-3000:]
    failed = {r["nodeid"].split("::")[-1].split("[")[0] for r in broken(faulty_run)}
    assert {"test_property_or_is_union", "test_property_windows_are_slices"} <= failed
    # The falsifying examples reached Allure: what the leak test below searches is really there.
    allure = [json.loads(p.read_text()) for p in faulty_run.allure.glob("*-result.json")]
    details = [json.dumps(a.get("statusDetails", {})) for a in allure if a["name"].startswith("test_property")]
    assert any("Failing test case" in d or "Falsifying" in d for d in details)


def test_parametrized_checks_show_short_ids_in_allure(faulty_run):
    values = [p["value"].strip("'") for f in faulty_run.allure.glob("*-result.json")  # allure quotes strings
              for p in json.loads(f.read_text()).get("parameters", [])]
    assert "getAllUsers" in values and "roster-core.readonly-getAllEnrollments" in values
    assert all("(" not in v and len(v) < 80 for v in values), [v for v in values if "(" in v or len(v) >= 80][:3]


# ------------------------------------------------------------------------------------------ nothing leaks
def test_no_secret_token_or_personal_value_in_any_output(faulty_run):
    texts = text_of(faulty_run)
    assert any(name.endswith("-result.json") for name in texts) and "terminal.txt" in texts
    secrets = [c.client_secret for c in load_builtin_clients().values()] + faulty_run.tokens
    assert len(faulty_run.tokens) >= 3
    values = personal_values(4)
    assert len(values) > 100
    leaks = sorted({(name, v[:8]) for name, text in texts.items() for v in [*secrets, *values] if v in text})
    assert leaks == []


def test_personal_fields_hold_only_pseudonyms_wherever_they_are_written(faulty_run):
    """Short values too (two-letter state codes, 'F', small numbers): hidden where they sit."""
    fields = "|".join(sorted(personal_fields(), key=len, reverse=True))
    # (a value cut by the excerpt's length limit has no closing quote and is not matched)
    pair = re.compile(rf"""(?:\\?["'])({fields})(?:\\?["'])\s*:\s*(\\?["'])([^"'\\]*)\2""")
    seen = 0
    for name, text in text_of(faulty_run).items():
        for m in pair.finditer(text):
            seen += 1
            assert PSEUDONYM.fullmatch(m.group(3)) or m.group(3) == "", (name, m.group(0)[:80])
    assert seen > 100


# ------------------------------------------------------------------------------------------ protocol intact
def test_redaction_never_touches_protocol_syntax(faulty_run):
    results = broken(faulty_run)
    for r in results:
        for text in (r["message"], r.get("expected") or "", r.get("actual") or ""):
            # every pseudonym stands where a value was quoted, never for a word, operator or number
            for m in PSEUDONYM.finditer(text):
                assert text[m.start() - 1] in "'\"", (r["requirement"], text[:200])
            assert not re.search(rf"(?:limit|offset)={re.escape(MARK)}", text)
        for ex in r["evidence"]:
            parts = urlsplit(ex["url"])
            assert MARK not in parts.path  # sourcedIds in paths stay
            for key, value in parse_qsl(parts.query):
                assert key == "filter" or MARK not in value, ex["url"]
                if key in ("limit", "offset") and ex["status"] == 200:
                    assert value.isdigit(), ex["url"]
            for key, value in ex["response_headers"].items():
                assert MARK not in key
                if key.lower() == "x-total-count":
                    assert value.isdigit()
            assert not re.search(rf'"sourcedId":\s*"{re.escape(MARK)}', ex["body_excerpt"])
    logical = [r for r in results if r["requirement"] == "filter/logical-or"]
    assert len(logical) >= 12 and all(" OR " in r["message"] for r in logical)
    # sourcedIds that look like email local parts (par-001@family.example) are kept as ids
    assert any("par-001" in ex["body_excerpt"] for r in results for ex in r["evidence"])
    assert any(PSEUDONYM.search(r["message"]) for r in logical)  # the personal values were redacted


# ------------------------------------------------------------------------------------------ reproducers
def _status(output: str) -> int | None:
    statuses = re.findall(r"^HTTP/[\d.]+ (\d{3})", output, re.MULTILINE)
    return int(statuses[-1]) if statuses else None


def test_curl_lines_are_valid_shell_and_reproduce_the_recorded_answer(faulty_run):
    meta = {"target": faulty_run.base_url, "token_url": faulty_run.token_url}
    env = {**os.environ, "ONEROSTER_CLIENT_ID": faulty_run.client_id,
           "ONEROSTER_CLIENT_SECRET": faulty_run.client_secret}
    tokens: dict[tuple, str] = {}
    lines = placeholders = replayed = 0
    for r in broken(faulty_run):
        for ex in r["evidence"]:
            curl = ex["curl"]
            if not curl:
                continue
            lines += 1
            assert subprocess.run(["bash", "-n", "-c", curl], capture_output=True).returncode == 0, curl
            if "${VALUE_" in curl:
                placeholders += 1
                unset = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, env=env)
                assert unset.returncode != 0 and "set VALUE_1 to the" in unset.stderr  # it says what to set
                continue
            if "***" in curl or ex["status"] is None:
                continue  # a masked form value, or a request that got no answer
            scope = scope_of_result(r)
            if scope not in tokens:
                # the report's own token command, for the scope this check used
                command = token_command(meta, _as_result(r)) + ' && printf %s "$ONEROSTER_TOKEN"'
                tokens[scope] = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                                               env=env, check=True).stdout
            got = subprocess.run(["bash", "-c", curl], capture_output=True, text=True,
                                 env={**env, "ONEROSTER_TOKEN": tokens[scope]}, timeout=30)
            assert _status(got.stdout) == ex["status"], (curl, got.stdout[:300])
            recorded = re.findall(r'"sourcedId":\s*"([^"]+)"', ex["body_excerpt"])
            fresh = re.findall(r'"sourcedId":\s*"([^"]+)"', got.stdout)
            assert fresh[:len(recorded)] == recorded, curl  # the same records, in the same order
            replayed += 1
    assert lines > 100 and placeholders >= 5 and replayed > 50


def _as_result(d: dict):
    from oneroster_conformance.report.jsonl import result_from_dict

    return result_from_dict(d)


def scope_of_result(d: dict) -> tuple[str, ...]:
    return scope_of(_as_result(d))


# ------------------------------------------------------------------------------------------ evidence
def test_every_failure_carries_the_exchange_that_showed_it(faulty_run):
    results = broken(faulty_run)
    assert len(results) > 50
    bare = [r["nodeid"] for r in results if not r["evidence"]]
    assert bare == []
    for r in results:
        if r["requirement"] in ("pagination/window", "pagination/complete-walk"):
            # a walk's finding names the page where it went wrong, not only the offset=0 baseline
            offsets = {dict(parse_qsl(urlsplit(ex["url"]).query)).get("offset") for ex in r["evidence"]}
            assert offsets - {None, "0"}, (r["nodeid"], offsets)


# ------------------------------------------------------------------------------------------ one finding per cause
@pytest.mark.parametrize("requirement", ["filter/logical-or", "pagination/window", "pagination/complete-walk"])
def test_one_finding_per_cause_names_the_operations(faulty_run, requirement):
    html = (faulty_run.reports / "report.html").read_text(encoding="utf-8")
    anchor = "req-" + requirement.replace("/", "-")
    found = re.findall(rf'<article class="finding[^"]*" id="{anchor}(?:-\d+)?">(.*?)</article>', html, re.DOTALL)
    failing = [r for r in broken(faulty_run) if r["requirement"] == requirement]
    assert 1 <= len(found) < len(failing)
    first = found[0]
    assert "The same failure on" in first and first.count("getAll") >= 12 and "<details class=\"more\">" in first
    assert html.count("To run the curl lines") >= 1 and html.index("To run the curl lines") < html.index("curl -sS")
