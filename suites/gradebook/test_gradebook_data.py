"""Gradebook service › data rules the published schemas and their descriptions state, checked on the
crawled lineItems, assessment lineItems and results (the Gradebook pull and Assessment Results
profiles). Where the provider does not offer a profile, its checks are not applicable (suites/conftest).
"""

import pytest

from oneroster_conformance.certificate import PROFILES, unit_of
from oneroster_conformance.checks import crawled, expect, not_applicable
from oneroster_conformance.spec.operations import by_id

SHOWN = 5
RANGED = ["getAllLineItems", "getAllAssessmentLineItems"]


def _records(harness, crawl, op):
    if op.operation_id not in crawl.ops:
        unit = unit_of(op)
        offer = harness.offers.get(unit)
        not_applicable(f"{PROFILES[unit].title} not offered by this provider: {offer.evidence if offer else ''}")
    return crawled(crawl, op.operation_id)


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _shown(items: list[str]) -> str:
    return "; ".join(items[:SHOWN]) + (f" (+{len(items) - SHOWN} more)" if len(items) > SHOWN else "")


@pytest.mark.requirement("gradebook/result-value-range")
@pytest.mark.parametrize("operation_id", RANGED)
def test_result_value_range(harness, crawl, operation_id):
    operation = by_id(operation_id)
    data = _records(harness, crawl, operation)
    inverted, judged = [], 0
    for r in data.iter_records():
        low, high = _number(r.get("resultValueMin")), _number(r.get("resultValueMax"))
        if low is None or high is None:
            continue  # both are optional: nothing to compare
        judged += 1
        if low > high:
            inverted.append(f"{r.get('sourcedId')}: resultValueMin {low:g} > resultValueMax {high:g}")
    if not judged:
        not_applicable(f"no record of {operation.operation_id} gives both resultValueMin and resultValueMax")
    expect(not inverted, f"{len(inverted)} record(s) allow no score at all: {_shown(inverted)}",
           expected="resultValueMin <= resultValueMax", actual=_shown(inverted))


@pytest.mark.requirement("gradebook/result-class-consistent")
@pytest.mark.parametrize("operation_id", ["getAllResults"])
def test_result_class_consistent(harness, crawl, operation_id):
    results = _records(harness, crawl, by_id("getAllResults"))
    items = _records(harness, crawl, by_id("getAllLineItems"))
    class_of = {li.get("sourcedId"): (li.get("class") or {}).get("sourcedId") for li in items.iter_records()
                if isinstance(li, dict)}
    wrong, judged = [], 0
    for r in results.iter_records():
        own = (r.get("class") or {}).get("sourcedId") if isinstance(r.get("class"), dict) else None
        item = (r.get("lineItem") or {}).get("sourcedId") if isinstance(r.get("lineItem"), dict) else None
        if own is None or item not in class_of or class_of[item] is None:
            continue  # class is optional on a result; an unknown lineItem is data/references-resolve's
        judged += 1
        if own != class_of[item]:
            wrong.append(f"{r.get('sourcedId')}: class {own!r}, its lineItem {item!r} is in {class_of[item]!r}")
    if not judged:
        not_applicable("no result names both its class and a known lineItem")
    expect(not wrong, f"{len(wrong)} result(s) name a class other than their lineItem's: {_shown(wrong)}",
           expected="a result's class is its lineItem's class", actual=_shown(wrong))
