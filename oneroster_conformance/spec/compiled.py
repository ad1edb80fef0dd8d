"""A compiled fast path for the spec's JSON Schemas: "is this body valid?" in a few µs per record.

jsonschema's validators interpret the schema on every call; on OneRoster bodies that costs
0.4-1 ms per record (oneOf branches for extensible vocabularies, $ref resolution, format checks),
which makes a full sweep of a district (millions of records) take hours. The spec's schemas use a
small set of keywords, so each schema is compiled once into nested Python closures that answer
valid / not valid. Only the answer is taken from here: when a body is not valid, jsonschema itself
is asked for the issues, so messages and paths are exactly those it gives.

Soundness: the closures follow jsonschema's own keyword semantics (its type checker and format
checker are called, not re-implemented). A schema using any keyword not handled here is not
compiled (``compile_schema`` returns None) and jsonschema alone decides. tests/perf checks that both
agree on valid and mutated records.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jsonschema import Draft201909Validator
from jsonschema._utils import equal

Check = Callable[[object], bool]

# Keywords that do not constrain an instance (annotations and containers of definitions).
ANNOTATIONS = frozenset({"description", "$comment", "title", "$schema", "$id", "$defs", "definitions", "examples",
                         "default", "deprecated", "readOnly", "writeOnly"})
HANDLED = frozenset({"type", "properties", "required", "additionalProperties", "enum", "$ref", "items", "format",
                     "oneOf", "anyOf", "pattern", "minItems"}) | ANNOTATIONS


class Unsupported(Exception):
    """The schema uses something the fast path does not handle: jsonschema decides alone."""


def _type_checks() -> dict[str, Callable[[object], bool]]:
    checker = Draft201909Validator.TYPE_CHECKER
    out = {}
    for name in ("array", "boolean", "integer", "null", "number", "object", "string"):
        out[name] = (lambda n: lambda x: checker.is_type(x, n))(name)
    # The common cases without the checker's dispatch (same semantics as jsonschema's _types).
    out["string"] = lambda x: isinstance(x, str)
    out["object"] = lambda x: isinstance(x, dict)
    out["array"] = lambda x: isinstance(x, list)
    out["boolean"] = lambda x: isinstance(x, bool)
    out["null"] = lambda x: x is None
    return out


_TYPES = _type_checks()
_FORMATS = Draft201909Validator.FORMAT_CHECKER


FORMAT_MEMO = 65_536  # format verdicts remembered per format (dates repeat across records); then forgotten


def _format(fmt: str) -> Check:
    """FormatChecker.conforms for one format, with its function looked up once and its verdicts on
    strings remembered (a district's records share a few thousand dateLastModified values)."""
    if fmt not in _FORMATS.checkers:
        return lambda x: True  # an unknown format constrains nothing (as jsonschema)
    func, raises = _FORMATS.checkers[fmt]
    seen: dict[str, bool] = {}

    def conforms(x: object) -> bool:
        if isinstance(x, str):
            known = seen.get(x)
            if known is not None:
                return known
        try:
            ok = bool(func(x))
        except raises:
            ok = False
        if isinstance(x, str):
            if len(seen) >= FORMAT_MEMO:
                seen.clear()
            seen[x] = ok
        return ok
    return conforms


def compile_schema(root: dict) -> Check | None:
    """A function answering whether an instance is valid against ``root``; None when unsupported."""
    try:
        return _Compiler(root).compile(root)
    except Unsupported:
        return None


def _all(checks: list[Check]) -> Check:
    # Nested pairs rather than all(generator): a third of the time on typical records.
    if len(checks) == 1:
        return checks[0]
    first, rest = checks[0], _all(checks[1:])
    return lambda x: first(x) and rest(x)


class _Compiler:
    def __init__(self, root: dict) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def resolve(self, ref: str) -> Check:
        if ref in self.refs:
            return self.refs[ref]
        if not ref.startswith("#/"):
            raise Unsupported(ref)
        node: object = self.root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise Unsupported(ref)
            node = node[part]
        slot: list[Check] = []
        # Recursive schemas: the reference is bound lazily, after its target is compiled.
        self.refs[ref] = lambda x: slot[0](x)
        slot.append(self.compile(node))
        self.refs[ref] = slot[0]
        return slot[0]

    def compile(self, schema: object) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        unknown = set(schema) - HANDLED
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self.resolve(schema["$ref"]))
        if "type" in schema:
            checks.append(self._type(schema["type"]))
        if "enum" in schema:
            checks.append(self._enum(schema["enum"]))
        if "pattern" in schema:
            regex = re.compile(schema["pattern"])
            checks.append(lambda x: not isinstance(x, str) or regex.search(x) is not None)
        if "format" in schema:
            checks.append(_format(schema["format"]))
        if "minItems" in schema:
            least = schema["minItems"]
            checks.append(lambda x: not isinstance(x, list) or len(x) >= least)
        if "items" in schema:
            checks.append(self._items(schema["items"]))
        if {"properties", "required", "additionalProperties"} & set(schema):
            checks.append(self._object(schema))
        if "oneOf" in schema:
            branches = [self.compile(b) for b in schema["oneOf"]]
            checks.append(lambda x: sum(1 for b in branches if b(x)) == 1)  # exactly one, as jsonschema
        if "anyOf" in schema:
            alternatives = [self.compile(b) for b in schema["anyOf"]]
            checks.append(lambda x: any(b(x) for b in alternatives))
        if not checks:
            return lambda x: True
        return _all(checks)

    @staticmethod
    def _type(types: object) -> Check:
        names = [types] if isinstance(types, str) else types
        if not isinstance(names, list) or not all(isinstance(n, str) and n in _TYPES for n in names):
            raise Unsupported(f"type {types!r}")
        fns = [_TYPES[n] for n in names]
        if len(fns) == 1:
            return fns[0]
        return lambda x: any(f(x) for f in fns)

    @staticmethod
    def _enum(values: object) -> Check:
        if not isinstance(values, list):
            raise Unsupported("enum")
        if all(isinstance(v, str) for v in values):
            allowed = frozenset(values)  # jsonschema compares strings by ==: a non-string never matches
            return lambda x: isinstance(x, str) and x in allowed
        return lambda x: any(equal(v, x) for v in values)

    def _items(self, items: object) -> Check:
        if isinstance(items, list):
            raise Unsupported("items as a list")
        each = self.compile(items)
        return lambda x: not isinstance(x, list) or all(each(v) for v in x)

    def _object(self, schema: dict) -> Check:
        if not isinstance(schema.get("properties", {}), dict):
            raise Unsupported("properties")
        props = {k: self.compile(v) for k, v in (schema.get("properties") or {}).items()}
        required = tuple(schema.get("required") or ())
        extra = schema.get("additionalProperties", True)
        if not isinstance(extra, bool | dict):
            raise Unsupported("additionalProperties")
        extra_check = None if isinstance(extra, bool) else self.compile(extra)
        closed = extra is False

        def check(x: object) -> bool:
            if not isinstance(x, dict):
                return True
            for name in required:
                if name not in x:
                    return False
            for key, value in x.items():
                fn = props.get(key)
                if fn is not None:
                    if not fn(value):
                        return False
                elif closed or (extra_check is not None and not extra_check(value)):
                    return False
            return True

        return check
