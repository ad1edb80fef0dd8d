"""The proof against the independently written provider (oneroster_conformance.altprovider).

The reference provider and the checks come from the same hands, so a misreading they share cannot
show against it. The independent provider is another stack (the standard library's HTTP server,
dicts in memory) that makes every free choice of the spec the other way; the suites, run against it
over HTTPS as a user would, in 1.2 and in 1.1, must raise no false alarm (no fail, warn or errored).
About 40 s on 2 cores.
"""

from __future__ import annotations

import pytest

from oneroster_conformance import proof


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return {r.case.name: r for r in proof.run(proof.cases_independent(), workers=2,
                                               workdir=tmp_path_factory.mktemp("independent"))}


@pytest.mark.parametrize("name", sorted(proof.INDEPENDENT.values()))
def test_the_run_starts_and_judges(results, name):
    result = results[name]
    assert not result.error, result.error
    assert result.exit_status in (0, 1), f"exit {result.exit_status}: the run did not start"
    passed = [rid for rid, outcome in result.outcomes.items() if outcome == "pass"]
    # every area was judged, not skipped: a run that decides nothing proves nothing
    assert len(passed) >= 50, sorted(result.outcomes.items())
    for rid in ("auth/token-issued", "operations/success", "pagination/complete-walk", "filter/predicates",
                "sort/order", "fields/subset", "errors/unknown-parent", "data/nested-matches"):
        assert result.outcomes.get(rid) == "pass", (rid, result.outcomes.get(rid))


@pytest.mark.parametrize("name", sorted(proof.INDEPENDENT.values()))
def test_no_false_alarm_on_the_independent_provider(results, name):
    alarms = sorted(rid for rid, outcome in results[name].outcomes.items() if outcome in ("fail", "warn", "errored"))
    assert alarms == [], f"false alarms on a conformant provider: {alarms}"


def test_the_proof_table_reports_it(results):
    table = proof.judge(list(results.values()))
    assert set(table["false_alarms_independent"]) == {"v1p2", "v1p1"}
    assert "false alarms on the independent provider (1.2 / 1.1)" in proof.markdown(table)
    assert sum(table["false_alarms_independent"].values()) == 0
