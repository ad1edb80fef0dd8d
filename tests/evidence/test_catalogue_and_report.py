"""Every MUST and SHOULD requirement says what its failure costs a district; an unfinished record says so."""

from __future__ import annotations

import json

from oneroster_conformance.report import cli
from oneroster_conformance.report.html import clusters, message_shape
from oneroster_conformance.report.model import Outcome, Result
from oneroster_conformance.spec.requirements import catalogue


def test_every_must_and_should_requirement_has_a_consequence():
    missing = [r.id for r in catalogue() if r.level in ("MUST", "SHOULD") and not (r.consequence or "").strip()]
    assert missing == []
    for r in catalogue():
        if r.consequence:
            # a district admin's sentence, not a restatement of the rule
            assert r.consequence.strip().endswith(".") and len(r.consequence) > 30, r.id
            assert "MUST" not in r.consequence and "SHOULD" not in r.consequence, r.id


def _result(op: str, message: str, outcome: Outcome = Outcome.FAIL) -> Result:
    return Result(requirement="filter/logical-or", level="MUST", area="filter", section="s", normative=True,
                  outcome=outcome, nodeid=f"t[{op}]", operation=op, message=message)


def test_findings_are_grouped_by_cause_not_by_operation():
    same = [_result("getAllUsers", "OR: filter=familyName='‹redacted:91b2e0›' OR familyName='‹redacted:bced74›' "
                                   "returned 0 record(s); missing 30 that match: stu-0002, stu-0004 (+25 more)"),
            _result("getAllCourses", "OR: filter=title='Algebra I' OR title='Reading 3' returned 0 record(s); "
                                     "missing 2 that match: crs-alg1, crs-read3"),
            _result("getAllOrgs", "getAllOrgs cannot be paged: /orgs?offset=6 returned only records already seen"),
            _result("getAllTerms", "getAllTerms cannot be paged: /terms?offset=4 returned only records already seen")]
    found = clusters(same)
    assert [f.operations for f in found] == [["getAllUsers", "getAllCourses"], ["getAllOrgs", "getAllTerms"]]
    assert message_shape(same[2].message) == message_shape(same[3].message)
    assert message_shape("Expected 401 or 403") != message_shape("Expected 401 and 403")


def test_a_report_rendered_from_an_unfinished_record_says_so(tmp_path):
    record = tmp_path / "results.jsonl"
    header = {"type": "header", "harness_version": "0", "catalogue_version": "1.0.0", "binding": "v1p2",
              "target": "https://sis.example.org/ims/oneroster/rostering/v1p2", "profile": None, "seed": "0",
              "started_at": "2026-01-01T00:00:00Z", "evidence_mode": "redacted"}
    result = _result("getAllUsers", "OR: filter=status='active' OR status='tobedeleted' returned 0 record(s)").to_dict()
    record.write_text(json.dumps(header) + "\n" + json.dumps({"type": "result", **result}) + "\n", encoding="utf-8")
    assert cli.main(["html", str(record), "-o", str(tmp_path / "unfinished.html")]) == 0
    html = (tmp_path / "unfinished.html").read_text(encoding="utf-8")
    assert "Unfinished run." in html and "<title>UNFINISHED" in html and "not final" in html
    with record.open("a", encoding="utf-8") as f:  # the same record, finished
        f.write(json.dumps({"type": "footer", "finished_at": "2026-01-01T00:01:00Z", "exit_status": 1,
                            "verdict": "NOT CONFORMANT", "counts": {}, "gate": {}}) + "\n")
    cli.main(["html", str(record), "-o", str(tmp_path / "finished.html")])
    assert "Unfinished run." not in (tmp_path / "finished.html").read_text(encoding="utf-8")
