"""Allure as one more view of the result record (active only with --alluredir).

The requirement id is the Allure history id (stable across runs, so Allure's history follows a
requirement, not a test function), the spec area is the suite, the level the severity, and the
masked evidence of a broken rule is attached.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from oneroster_conformance.report.model import Outcome, Result

SEVERITY = {"MUST": "critical", "SHOULD": "normal", "MAY": "minor"}


def active(config: pytest.Config) -> bool:
    return config.pluginmanager.get_plugin("allure_listener") is not None


def label(item: pytest.Item, requirement, binding: str) -> None:
    import allure

    allure.dynamic.parent_suite(f"OneRoster {binding}")
    allure.dynamic.suite(requirement.area)
    allure.dynamic.sub_suite(requirement.id)
    allure.dynamic.severity(SEVERITY[requirement.level])
    allure.dynamic.label("requirement", requirement.id)
    allure.dynamic.description(f"{requirement.level} · {requirement.section}\n\n{requirement.summary}")
    callspec = getattr(item, "callspec", None)
    for name, value in (callspec.params.items() if callspec is not None else ()):
        # Set first, so allure-pytest keeps these instead of the parameter objects' whole reprs.
        allure.dynamic.parameter(name, short_value(value))


def short_value(value: object) -> str:
    """A parameter as a reader names it: the operation id, the case name, the scope's last segment."""
    op, scope = getattr(value, "op", None), getattr(value, "scope", None)
    if scope and op is not None:
        return f"{str(scope).rstrip('/').rsplit('/', 1)[-1]}-{op.operation_id}"
    if hasattr(value, "operation_id"):
        return str(value.operation_id)
    read, consumer = getattr(value, "read", None), getattr(value, "consumer", None)
    if read is not None and consumer is not None:
        return f"{consumer.name}-{read.operation}"
    if hasattr(value, "name") and isinstance(value.name, str):
        return value.name
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    if isinstance(value, str) and value.startswith("https://purl.imsglobal.org/"):
        return value.rstrip("/").rsplit("/", 1)[-1]
    return str(value) if isinstance(value, str | int | float | bool) else type(value).__name__


def attach(result: Result) -> None:
    import allure

    if result.outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE):
        return
    text = [f"{result.requirement} [{result.level}] {result.outcome.value}: {result.message}"]
    if result.expected or result.actual:
        text.append(f"expected: {result.expected}\nactual: {result.actual}")
    for ex in result.evidence:
        text.append(f"{ex.method} {ex.url} -> {ex.status}\n{ex.body_excerpt[:2000]}\n{ex.curl}")
    allure.attach("\n\n".join(text), name="evidence", attachment_type=allure.attachment_type.TEXT)


def set_history_id(item: pytest.Item, result_key: str) -> None:
    listener: Any = item.config.pluginmanager.get_plugin("allure_listener")
    try:  # allure-pytest computes the history id in its teardown hook; ours runs after it
        test = listener.allure_logger.get_test(listener._cache.get(item.nodeid))
        test.historyId = hashlib.md5(result_key.encode()).hexdigest()
    except Exception:  # pragma: no cover - a different allure-pytest layout: keep its own id
        pass
