"""The proof, run: every fault against its own HTTPS reference provider, judged against the clean
baseline and the conformant variant. This is what the README's proof table reports.

It takes a few minutes on 2 cores (every case is a full run of the suites). PROOF_ONLY="a b" runs
a subset while developing.
"""

import os

import pytest

from oneroster_conformance import proof


@pytest.fixture(scope="module")
def judgement(tmp_path_factory):
    selected = proof.cases()
    only = os.environ.get("PROOF_ONLY")
    if only:
        selected = [c for c in selected if c.name in {"clean", "variant", *only.split()}]
    results = proof.run(selected, workers=2, workdir=tmp_path_factory.mktemp("proof"))
    return proof.judge(results)


def test_no_false_alarm_on_conformant_providers(judgement):
    assert judgement["false_alarms_clean"] == 0, judgement["findings"].get("clean")
    assert judgement["false_alarms_variant"] == 0, (judgement["findings"].get("variant"),
                                                    judgement["findings"].get(proof.ROSTERING_ONLY))


def test_every_fault_is_detected_without_collateral(judgement):
    faulty = {k: v for k, v in judgement["findings"].items() if k not in ("clean", "variant", proof.ROSTERING_ONLY)}
    assert faulty == {}


def test_every_must_and_should_requirement_is_broken_by_some_fault(judgement):
    if os.environ.get("PROOF_ONLY"):
        pytest.skip("a subset of faults was run")
    assert judgement["not_broken_by_any_fault"] == []
