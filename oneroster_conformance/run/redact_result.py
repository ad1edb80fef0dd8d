"""One gate for every text that leaves the process: secrets masked, personal values redacted.

A check's result is masked and redacted field by field; pytest's own report of the check (its
longrepr, captured output, hypothesis' falsifying example and notes, tracebacks) goes through the
same function; and, once the run is active, so does every line the terminal writer prints and every
file the Allure writer writes (results, containers, attachments). Whatever produced a text, it
cannot reach an output without passing ``sanitize``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oneroster_conformance.client.masking import MASKER
from oneroster_conformance.client.redaction import REDACTOR
from oneroster_conformance.report.model import Result

_INSTALLED = pytest.StashKey[bool]()


def sanitize(text: str | None) -> str | None:
    """Secrets masked, then (in redacted evidence) personal values replaced by their pseudonyms."""
    if not text:
        return text
    return REDACTOR.text(MASKER.mask(text))


def sanitize_any(value: object) -> object:
    """Every string inside a JSON-like structure sanitized."""
    if isinstance(value, str):
        return sanitize(value)
    if isinstance(value, dict):
        return {k: sanitize_any(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [sanitize_any(v) for v in value]
    return value


def finish(result: Result, report: pytest.TestReport) -> None:
    """The result's texts and pytest's report of the same check, through the one gate."""
    result.message = sanitize(result.message) or ""
    result.expected, result.actual = sanitize(result.expected), sanitize(result.actual)
    result.reading = sanitize(result.reading)
    sanitize_report(report)


def sanitize_report(report: pytest.TestReport) -> None:
    """pytest's longrepr (tracebacks, hypothesis' falsifying example) and captured sections."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (path, line, reason)
        report.longrepr = (longrepr[0], longrepr[1], sanitize(str(longrepr[2])) or "")
    elif longrepr is not None:
        report.longrepr = sanitize(str(longrepr))
    report.sections = [(name, sanitize(text) or "") for name, text in report.sections]


def install(config: pytest.Config) -> None:
    """Route the terminal and the Allure writer through ``sanitize`` (once per run)."""
    if config.stash.get(_INSTALLED, False):
        return
    config.stash[_INSTALLED] = True
    _wrap_terminal(config)
    _wrap_allure()


def _wrap_terminal(config: pytest.Config) -> None:
    tr = config.pluginmanager.get_plugin("terminalreporter")
    writer = getattr(tr, "_tw", None)
    if writer is None or getattr(writer, "_oneroster_sanitized", False):
        return
    original: Callable[..., None] = writer.write

    def write(msg: str, *, flush: bool = False, **markup: bool) -> None:
        original(sanitize(msg) or "", flush=flush, **markup)

    writer.write = write
    writer._oneroster_sanitized = True


def _wrap_allure() -> None:
    """Make allure-pytest's file writer sanitize everything it writes (results, containers, attachments).

    The writer stays registered (allure-pytest unregisters it by identity at the end of the run); its
    JSON writer is wrapped on the instance and its attachment hooks where pluggy holds them."""
    try:
        import allure_commons
        from allure_commons.logger import AllureFileLogger
    except ImportError:  # allure-pytest not installed: nothing to wrap
        return
    loggers = [p for p in allure_commons.plugin_manager.get_plugins() if isinstance(p, AllureFileLogger)]
    for logger in loggers:
        report_item = logger._report_item

        def sanitized_item(item: object, _write: Callable[[object], None] = report_item) -> None:
            _sanitize_allure(item)
            _write(item)

        logger._report_item = sanitized_item  # type: ignore[method-assign]  # on this instance only
    hooks = allure_commons.plugin_manager.hook
    for impl in hooks.report_attached_data.get_hookimpls() + hooks.report_attached_file.get_hookimpls():
        if impl.plugin in loggers:
            impl.function = _sanitized_attachment(impl.function, impl.plugin)


def _sanitized_attachment(original: Callable[..., None], logger: Any) -> Callable[..., None]:
    def write_data(body: str | bytes, file_name: str) -> None:
        if isinstance(body, bytes):
            try:
                body = body.decode("utf-8")
            except UnicodeDecodeError:
                return  # a binary attachment the harness never makes: dropped rather than written unchecked
        logger.report_attached_data(sanitize(body) or "", file_name)

    def write_file(source: str, file_name: str) -> None:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        logger.report_attached_data(sanitize(text) or "", file_name)

    return write_file if original.__name__ == "report_attached_file" else write_data


def _sanitize_allure(value: object) -> object:
    import attr

    if isinstance(value, str):
        return sanitize(value)
    if isinstance(value, list):
        return [_sanitize_allure(v) for v in value]
    if isinstance(value, dict):
        return {k: _sanitize_allure(v) for k, v in value.items()}
    if attr.has(type(value)):
        for name in attr.fields_dict(type(value)):  # type: ignore[arg-type]  # attr.has() just said so
            setattr(value, name, _sanitize_allure(getattr(value, name)))
    return value

