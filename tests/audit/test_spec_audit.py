"""The spec audit as tests: every row of docs/spec-audit.yaml drives the real decision of its check with
the examples the spec's words allow (they must pass) and exclude (they must be refused).

`python tests/audit/test_spec_audit.py --write` renders docs/spec-audit.md from the YAML.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

from oneroster_conformance import accepted, checks
from oneroster_conformance.data import datamodel
from oneroster_conformance.query.evaluate import Verdict, evaluate
from oneroster_conformance.query.filter import parse_filter
from oneroster_conformance.query.paging import LinkHeaderError, check_links, parse_link_header
from oneroster_conformance.resources import suites_dir
from oneroster_conformance.spec import schemas
from oneroster_conformance.spec.discovery import DISCOVERY_FILES, revision_document, revision_of, server_urls
from oneroster_conformance.spec.requirements import catalogue

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / "docs" / "spec-audit.yaml"
TABLE = ROOT / "docs" / "spec-audit.md"
ROWS: list[dict] = yaml.safe_load(AUDIT.read_text(encoding="utf-8"))


def _query_support():
    path = suites_dir() / "endpoint_parameters" / "query_support.py"
    spec = importlib.util.spec_from_file_location("audit_query_support", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@dataclass
class _Exchange:
    url: str = "https://sis.example.org/ims/oneroster/rostering/v1p2/users"


@dataclass
class FakeReply:
    """A complete HTTP answer as the client hands it to a check (the fields the check vocabulary reads)."""

    status: int
    body: object = None
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)
    method: str = "GET"
    error: str | None = None
    redirected_to: str | None = None
    exchange: _Exchange = field(default_factory=_Exchange)

    @property
    def content(self) -> bytes:
        import json

        return json.dumps(self.body).encode() if self.body is not None else b""

    def json(self) -> object:
        if self.body is None:
            raise ValueError("the body is not JSON")
        return self.body

    def json_or_none(self) -> object:
        return self.body

    def header(self, name: str) -> str | None:
        return httpx.Headers(self.headers).get(name)


def _status_info_reply(case: dict) -> FakeReply:
    if "body" in case:
        return FakeReply(case["status"], case["body"])
    body: dict = {"imsx_codeMajor": case.get("major", "failure"), "imsx_severity": case.get("severity", "error"),
                  "imsx_description": "audit example"}
    if case.get("minor"):
        body["imsx_CodeMinor"] = {"imsx_codeMinorField": [
            {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": case["minor"]}]}
    return FakeReply(case["status"], body)


def _passes(run) -> bool:
    """True when the check logic accepts (returns), False when it raises NonConformance."""
    try:
        run()
    except checks.NonConformance:
        return False
    return True


# ---- decisions: (row, example) -> accepted? ------------------------------------------------------
def _status_info(row: dict, case: dict) -> bool:
    want = row.get("expect") or {}
    reply = _status_info_reply(case)
    return _passes(lambda: checks.assert_status_info(reply, want.get("status", case["status"]), want.get("minor")))


def _unknown_parent(row: dict, case: dict) -> bool:
    reply = _status_info_reply(case)
    if not accepted.unknown_parent_status_ok(reply.status):
        return False
    return _passes(lambda: checks.assert_status_info(reply, reply.status, "unknownobject"))


def _operation_status(row: dict, case: dict) -> bool:
    return _passes(lambda: checks.assert_status(FakeReply(case["status"], {"classes": []}), 200))


def _code_minor(row: dict, case: dict) -> bool:
    checks.configure(case["binding"])
    try:
        return checks.code_minor_matches(case["expected"], [case["sent"]])
    finally:
        checks.configure("v1p2")


def _filter_record(row: dict, case: dict) -> bool:
    verdict = evaluate(row["record"], parse_filter(case["filter"]))
    if case["returned"]:
        return verdict in (Verdict.MATCH, Verdict.EITHER)
    return verdict in (Verdict.NO_MATCH, Verdict.EITHER)


def _link_header(row: dict, case: str) -> bool:
    page = row["page"]
    try:
        links = parse_link_header(case)
    except LinkHeaderError:
        return False
    rels = {k: v for k, v in links.items() if k in {"next", "prev", "first", "last"}}
    return bool(rels) and not check_links(rels, page["total"], page["limit"], page["offset"])


def _total_count(row: dict, case: dict) -> bool:
    return _query_support().total_header(FakeReply(200, {}, headers=case)) == 50


def _discovery_document(row: dict, case: dict) -> bool:
    doc = revision_document(case["revision"]) if "revision" in case else case["doc"]
    if "revision" in case:
        assert revision_of(doc) == case["revision"]  # and the revision is told apart, for the information line
    return not accepted.openapi_document_problems(doc)


def _localized_server(row: dict, case: list) -> bool:
    base = row["base"].rstrip("/")
    return any(u.rstrip("/") == base for u in server_urls({"servers": case}))


def _schema(row: dict, case: dict) -> bool:
    body = copy.deepcopy(row["base"])
    (wrapper,) = body
    record = body[wrapper]
    if case.get("reorder"):
        body[wrapper] = dict(reversed(list(record.items())))
    else:
        record.update(case)
    return not schemas.issues(row["schema"], body, "v1p2")


DECISIONS = {
    "status_info": _status_info,
    "unknown_parent": _unknown_parent,
    "operation_status": _operation_status,
    "code_minor": _code_minor,
    "method_refusal": lambda row, case: accepted.method_refusal_ok(case),
    "bad_query_status": lambda row, case: accepted.bad_query_status_ok(case),
    "content_type": lambda row, case: _passes(lambda: checks.assert_json(FakeReply(200, {}, content_type=case))),
    "href": lambda row, case: accepted.href_usable(case),
    "utc_datetime": lambda row, case: datamodel.is_utc_datetime(case),
    "exact_datetime": lambda row, case: bool(datamodel.EXACT_DATETIME.match(case)),
    "filter_record": _filter_record,
    "link_header": _link_header,
    "total_count": _total_count,
    "discovery_name": lambda row, case: case in DISCOVERY_FILES.values(),
    "discovery_document": _discovery_document,
    "localized_server": _localized_server,
    "schema": _schema,
}


def _examples() -> list:
    out = []
    for row in ROWS:
        for kind in ("accept", "refuse"):
            for i, case in enumerate(row.get(kind) or []):
                out.append(pytest.param(row, kind, case, id=f"{row['id']}-{kind}-{i}"))
    return out


@pytest.mark.parametrize("row, kind, case", _examples())
def test_audit_example(row: dict, kind: str, case) -> None:
    got = DECISIONS[row["decision"]](row, case)
    assert got == (kind == "accept"), f"{row['requirement']}: {case!r} should be {kind}ed ({row['accepts']})"


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_audit_row_is_complete(row: dict) -> None:
    assert row["requirement"] in catalogue(), row["requirement"]
    assert row["decision"] in DECISIONS
    assert row["change"] in ("widened", "narrowed", "kept")
    assert row.get("accept") and row.get("refuse"), "a row states what must be accepted and what must be refused"
    assert row["spec"] and row["section"] and row["accepts"]


def test_audit_ids_unique() -> None:
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))


def render(rows: list[dict]) -> str:
    def cell(text: object) -> str:
        return " ".join(str(text).split()).replace("|", "\\|")

    lines = [
        "# Spec audit: what each check accepts against what the spec's words allow",
        "",
        "Rendered from `docs/spec-audit.yaml` by `python tests/audit/test_spec_audit.py --write`; every row is a",
        "test (`tests/audit/test_spec_audit.py`) that feeds the row's accepted and refused examples to the",
        "check's own decision logic. *change*: widened (the check refused something the spec allows), narrowed",
        "(it accepted what the spec excludes), kept (found right).",
        "",
        "| requirement | spec text (section) | accepted | change | examples accepted / refused |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| `{r['requirement']}` | {cell(r['spec'])} ({cell(r['section'])}) | {cell(r['accepts'])} | "
                     f"{r['change']} | {len(r['accept'])} / {len(r['refuse'])} |")
    return "\n".join(lines) + "\n"


def test_rendered_table_is_current() -> None:
    assert TABLE.read_text(encoding="utf-8") == render(ROWS), "run: python tests/audit/test_spec_audit.py --write"


if __name__ == "__main__" and "--write" in sys.argv:
    TABLE.write_text(render(ROWS), encoding="utf-8")
    print(f"wrote {TABLE}")
