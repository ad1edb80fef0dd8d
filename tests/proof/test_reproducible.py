"""Certification runs are reproducible: the query suites (hypothesis included) give the same
outcomes twice, and every query check passes on the clean provider."""

import json

from oneroster_conformance import proof


def outcomes(folder) -> dict[str, str]:
    lines = [json.loads(x) for x in (folder / "reports" / "results.jsonl").read_text().splitlines()]
    return {x["nodeid"]: x["outcome"] for x in lines if x.get("type") == "result"}


def test_two_certification_runs_agree(tmp_path):
    certs = proof.certificates(tmp_path)
    args = ("-k", "endpoint_parameters", "--hypothesis-profile", "certification")
    for name in ("first", "second"):
        proof.run_case(proof.Case(name), tmp_path, certs, args)
    first, second = outcomes(tmp_path / "first"), outcomes(tmp_path / "second")
    assert first == second
    assert len(first) > 300
    assert not [k for k, v in first.items() if v in ("fail", "warn", "errored")]
