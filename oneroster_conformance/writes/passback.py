"""The grade-passback flow (--readiness grade-passback): what a gradebook's grade sync does, step by step,
and what fails in a district admin's words.

The sync creates an assignment (a lineItem) in a class, posts a result for each enrolled student, changes
one grade, and later removes the assignment. A SIS that also takes a grade for a student who is not in
the class lets a misrouted grade land on the wrong roster. Every record is the harness's own (journalled,
deleted at the end of the run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oneroster_conformance.writes import records
from oneroster_conformance.writes.flow import Base, base, ok
from oneroster_conformance.writes.readback import same
from oneroster_conformance.writes.session import Writes, WriteUnavailable, pairs, wrapped

STEPS = ("create-lineitem", "post-results", "update-result", "wrong-roster", "delete-lineitem")
OPERATION = {"create-lineitem": "postLineItemsForClass", "post-results": "postResultsForLineItem",
             "update-result": "putResult", "wrong-roster": "postResultsForLineItem",
             "delete-lineitem": "deleteLineItem"}
MAX_STUDENTS = 30


@dataclass
class Step:
    ok: bool | None  # None: not reached (an earlier step failed) or cannot be judged here
    message: str = ""
    replies: list[Any] = field(default_factory=list)


def _status(reply: Any) -> str:
    return str(reply.status or reply.error)


def run(harness: Any, writer: Writes) -> dict[str, Step] | str:
    """Every step's outcome, or the sentence saying why the flow cannot run at all."""
    try:
        b = base(harness, writer)
    except WriteUnavailable as e:
        return str(e)
    try:
        return _flow(writer, b)
    except WriteUnavailable as e:
        return str(e)


def _flow(writer: Writes, b: Base) -> dict[str, Step]:
    box, roots = b.sandbox, writer.roots
    out = {s: Step(None, "not reached: an earlier step of the flow failed") for s in STEPS}
    # 1. the assignment, created in the class as a sync creates it
    supplied = writer.new_id("passback-lineitem")
    item = records.line_item(roots, supplied, box.class_id, box.school_id, b.category, "ORC grade sync assignment")
    reply = writer.post(f"/classes/{box.class_id}/lineItems", [item])
    step = out["create-lineitem"] = Step(True, replies=[reply])
    mapping, _ = pairs(reply)
    if not ok(reply):
        step.ok, step.message = False, (f"the gradebook cannot create an assignment in class {box.class_id}: the SIS "
                                        f"answered {_status(reply)}, so no grade column reaches it")
        return out
    if supplied not in mapping:
        step.ok, step.message = False, ("the SIS creates the assignment but does not say which id it gave it: the "
                                        "gradebook cannot update or remove it later, and every sync adds another")
        return out
    line_item = mapping[supplied]
    # 2. a grade for every student of the class
    students = box.students[:MAX_STUDENTS]
    grades = [records.result(roots, writer.new_id("passback-result"), line_item, s, 70.0 + i % 30)
              for i, s in enumerate(students)]
    reply = writer.post(f"/lineItems/{line_item}/results", grades)
    got, _ = pairs(reply)
    step = out["post-results"] = Step(True, replies=[reply])
    if not ok(reply):
        step.ok, step.message = False, (f"grades for the {len(students)} students of class {box.class_id} are "
                                        f"refused (the SIS answered {_status(reply)}): teachers' scores never reach "
                                        "the SIS")
        return out
    missing = [g["sourcedId"] for g in grades if g["sourcedId"] not in got]
    if missing:
        step.ok, step.message = False, (f"the SIS does not say which ids it gave {len(missing)} of the "
                                        f"{len(grades)} grades: the gradebook cannot correct them later")
        return out
    # 3. a teacher changes one grade
    first = dict(grades[0], sourcedId=got[str(grades[0]["sourcedId"])], score=99.0, dateLastModified=records.now())
    reply = writer.put("results", first)
    back = writer.get(f"/results/{first['sourcedId']}")
    step = out["update-result"] = Step(True, replies=[reply, back])
    stored = wrapped(back, "result")
    if not ok(reply) or not isinstance(stored, dict) or not same(99.0, stored.get("score")):
        now = stored.get("score") if isinstance(stored, dict) else f"unreadable ({_status(back)})"
        step.ok, step.message = False, (f"a changed grade is not stored (the SIS answered {_status(reply)} and now "
                                        f"holds {now!r}, not 99): report cards keep the old score")
    # 4. a grade for a student who is not in the class
    if box.outsider is None:
        out["wrong-roster"] = Step(None, "no active student outside the class to try it with")
    else:
        stray = records.result(roots, writer.new_id("passback-stray"), line_item, box.outsider, 55.0)
        reply = writer.post(f"/lineItems/{line_item}/results", [stray])
        out["wrong-roster"] = Step(not ok(reply), replies=[reply], message=(
            "" if not ok(reply) else f"results for students not enrolled in the class are accepted (student "
            f"{box.outsider} is not in class {box.class_id}): grades would land on the wrong roster"))
    # 5. the teacher removes the assignment
    reply = writer.delete("lineItems", line_item)
    back = writer.get(f"/lineItems/{line_item}")
    step = out["delete-lineitem"] = Step(True, replies=[reply, back])
    kept = wrapped(back, "lineItem")
    marked = isinstance(kept, dict) and kept.get("status") == "tobedeleted"
    if reply.status != 204 or not (back.status == 404 or marked):
        step.ok, step.message = False, (f"a removed assignment stays in the SIS (DELETE answered {_status(reply)}, "
                                        f"then it still reads back {_status(back)}): its column and scores keep "
                                        "counting in the grade")
    return out
