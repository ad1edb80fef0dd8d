"""Consumer readiness › grade passback (--readiness grade-passback, or all): will a gradebook's grade sync
work against this SIS? The flow it runs (create an assignment in a class, post its students' grades,
change one, remove the assignment) is run once on records the harness creates, and each step is judged
in a district admin's words. It writes, so it runs only where writes are on (docs/writes.md).
"""

import pytest

from oneroster_conformance.checks import answered, fail, not_applicable
from oneroster_conformance.writes import passback


class PassbackStep(str):
    """One step of the flow: the result records the operation it uses."""

    def case_fields(self) -> dict[str, str]:
        return {"operation": passback.OPERATION[self], "step": str(self)}


@pytest.mark.requirement("readiness/grade-passback")
@pytest.mark.parametrize("step", [PassbackStep(s) for s in passback.STEPS], ids=str)
def test_grade_passback(harness, writer, step):
    if harness.settings.readiness not in ("grade-passback", "all"):
        not_applicable("the grade-passback flow runs with --readiness grade-passback (or all)")
    if writer.off_reason:
        not_applicable(writer.off_reason)
    if writer.plan:
        not_applicable("--plan-writes: the grade-passback flow is not run")
    if not harness.checks("gradebook-pull"):
        not_applicable("the provider does not offer the Gradebook service")
    flow = harness.once(("grade-passback", writer.run_id), lambda: passback.run(harness, writer))
    if isinstance(flow, str):
        not_applicable(flow)
    outcome = flow[step]
    for reply in outcome.replies:
        answered(reply)
    if outcome.ok is None:
        not_applicable(outcome.message)
    if not outcome.ok:
        fail(outcome.message, expected="the grade sync's step works", actual=outcome.message)
