"""JSON Schema validation of response bodies against the spec's own schemas.

Validators are compiled once per (binding, schema) and format checking is on, so ``date`` and
``date-time`` values are really checked (rfc3339-validator backs ``date-time``). A valid body is
recognised by a compiled fast path (spec.compiled, ~100x faster, which a full sweep needs); the
issues of an invalid one always come from jsonschema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError

from oneroster_conformance.resources import schemas_dir

MAX_ISSUES = 20


@dataclass(frozen=True)
class SchemaIssue:
    path: str  # JSON pointer-like path into the instance, e.g. "/users/3/dateLastModified"
    message: str
    schema_path: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message}"


@cache
def schema(name: str, binding: str = "v1p2") -> dict:
    path = schemas_dir() / binding / f"{name}.json"
    if not path.exists() and binding == "v1p2":
        from oneroster_conformance.spec.published import component_schema

        return component_schema(name)
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def validator(name: str, binding: str = "v1p2") -> Draft201909Validator:
    s = schema(name, binding)
    Draft201909Validator.check_schema(s)
    return Draft201909Validator(s, format_checker=Draft201909Validator.FORMAT_CHECKER)


@cache
def fast_check(name: str, binding: str = "v1p2"):
    """The compiled validity check of a schema (None: jsonschema alone decides)."""
    from oneroster_conformance.spec.compiled import compile_schema

    return compile_schema(schema(name, binding))


def is_valid(name: str, instance: object, binding: str = "v1p2") -> bool:
    fast = fast_check(name, binding)
    return fast(instance) if fast is not None else validator(name, binding).is_valid(instance)


def _pointer(parts) -> str:
    return "".join(f"/{p}" for p in parts)


def _short(error: ValidationError) -> str:
    msg = error.message
    return msg if len(msg) <= 300 else msg[:297] + "..."


def issues(name: str, instance: object, binding: str = "v1p2", limit: int = MAX_ISSUES) -> list[SchemaIssue]:
    """Every schema violation (up to ``limit``), deepest first within each branch."""
    fast = fast_check(name, binding)
    if fast is not None and fast(instance):
        return []
    found: list[SchemaIssue] = []
    for error in validator(name, binding).iter_errors(instance):
        # oneOf failures are reported by their best-matching branch, which names the real field.
        leaf = _best_leaf(error)
        found.append(SchemaIssue(_pointer(leaf.absolute_path), _short(leaf), _pointer(leaf.absolute_schema_path)))
        if len(found) >= limit:
            break
    return found


def _best_leaf(error: ValidationError) -> ValidationError:
    from jsonschema.exceptions import best_match

    if error.context:
        return best_match(error.context) or error
    return error
