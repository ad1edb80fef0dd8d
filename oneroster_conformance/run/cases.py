"""What a parametrized case contributes to its result: the operation and the named parameters.

A case value describes itself through ``case_fields()`` (operations, scope cells, readiness reads);
any other text or number is kept under its parameter name. The plugin knows no fixture names.
"""

from __future__ import annotations

from collections.abc import Mapping


def case_fields(params: Mapping[str, object]) -> tuple[str | None, dict[str, str]]:
    """(operation, params) of a result from a case's parametrization."""
    operation: str | None = None
    out: dict[str, str] = {}
    for name, value in params.items():
        describe = getattr(value, "case_fields", None)
        if callable(describe):
            fields = dict(describe())
            operation = fields.pop("operation", None) or operation
            out.update(fields)
        elif isinstance(value, str | int) and not isinstance(value, bool):
            out[name] = str(value)
    return operation, out
