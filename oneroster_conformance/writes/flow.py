"""The records the write checks build on, made once per run: the sandbox, a category, a lineItem in the
sandbox class and an assessment lineItem (each PUT with the harness's own sourcedId), and fresh records
of every writable collection on demand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oneroster_conformance.writes import records
from oneroster_conformance.writes.sandbox import Sandbox, choose
from oneroster_conformance.writes.session import Writes, WriteUnavailable, ok

NOT_OFFERED = (404, 405, 501)


@dataclass(frozen=True)
class Base:
    sandbox: Sandbox
    category: str
    line_item: str
    other_line_item: str  # a second lineItem in the same class
    assessment_line_item: str | None  # None: the provider does not offer the Assessment Results profile


def _base(harness: Any, writer: Writes) -> Base | str:
    if not writer.plan:
        harness.crawl.prefetch()  # the crawl is complete before the first write: it never reads the harness's records
    sandbox = choose(harness, harness.settings.write_class)
    if isinstance(sandbox, str):
        return f"no class to write into: {sandbox}"
    roots = writer.roots
    cat = writer.new_id("category")
    made = [("putCategory", writer.put("categories", records.category(cat, "ORC conformance category")))]
    item = writer.new_id("lineitem")
    made.append(("putLineItem", writer.put("lineItems", records.line_item(
        roots, item, sandbox.class_id, sandbox.school_id, cat, "ORC conformance assignment"))))
    other = writer.new_id("lineitem")
    made.append(("putLineItem", writer.put("lineItems", records.line_item(
        roots, other, sandbox.class_id, sandbox.school_id, cat, "ORC conformance assignment 2"))))
    assessment = None
    if harness.checks("assessment-results"):
        assessment = writer.new_id("assessmentlineitem")
        made.append(("putAssessmentLineItem", writer.put("assessmentLineItems", records.assessment_line_item(
            assessment, "ORC conformance assessment"))))
    for name, reply in made:
        if reply.status in NOT_OFFERED and name == "putCategory":
            return (f"the provider does not take Gradebook writes: {name} answered {reply.status} "
                    f"({reply.method} {reply.url})")
        if not ok(reply):
            return (f"the records the write checks build on could not be written: {name} answered "
                    f"{reply.status or reply.error} (judged by gradebook-write/put-reads-back)")
    return Base(sandbox, cat, item, other, assessment)


def base(harness: Any, writer: Writes) -> Base:
    """The shared records (made once per run), or WriteUnavailable with the reason."""
    if writer.off_reason:
        raise WriteUnavailable(writer.off_reason)
    def make() -> Base | str:
        try:
            return _base(harness, writer)
        except WriteUnavailable as e:  # e.g. no token for the write scope: said once, not tried per check
            return str(e)

    found = harness.once(("writes-base", writer.run_id), make)
    if isinstance(found, str):
        raise WriteUnavailable(found)
    return found


def fresh(writer: Writes, b: Base, collection: str, student: int = 0) -> dict:
    """A new record of ``collection`` under a new sourcedId of the harness, referring to the base records."""
    roots, box = writer.roots, b.sandbox
    sid = writer.new_id(records.WRAPPER[collection].lower())
    if collection == "categories":
        return records.category(sid, "ORC conformance category")
    if collection == "scoreScales":
        return records.score_scale(roots, sid, box.class_id, "ORC conformance scale")
    if collection == "lineItems":
        return records.line_item(roots, sid, box.class_id, box.school_id, b.category, "ORC conformance assignment")
    if collection == "results":
        return records.result(roots, sid, b.line_item, box.students[student % len(box.students)], 87.5)
    if collection == "assessmentLineItems":
        return records.assessment_line_item(sid, "ORC conformance assessment")
    if collection == "assessmentResults":
        if b.assessment_line_item is None:
            raise WriteUnavailable("the provider does not offer the Assessment Results profile")
        return records.assessment_result(roots, sid, b.assessment_line_item, box.students[student % len(box.students)],
                                         42.0)
    raise KeyError(collection)
