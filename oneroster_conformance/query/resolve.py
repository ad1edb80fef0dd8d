"""Dot-notation field resolution shared by filtering and sorting.

`school.sourcedId` walks into a GUIDRef; `roles.role` crosses the roles array and collects every
element's value; `metadata.ext:district` reaches a metadata key. Metadata keys may themselves
contain '.', so at each object the longest key that is a prefix of the remaining path is tried
first, falling back to shorter ones (a key `ext.a` wins over walking `ext` then `a`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .collation import as_text


@dataclass(frozen=True)
class Resolved:
    """What a path names in one record.

    values: the leaf values as text, in record order (None leaves dropped).
    is_array: the path ended on an array or crossed one, so array semantics apply.
    opaque: the path ended on an object (e.g. `filter=school='x'`); comparing an object to a
        string has no spec meaning, so the evaluator never judges it.
    collected: the values were gathered across an array of objects (`roles.role`) rather than
        read from one stored array, so no provider holds them as one comma-joined text.
    """

    values: tuple[str, ...]
    is_array: bool
    opaque: bool = False
    collected: bool = False

    @property
    def first(self) -> str | None:
        """Arrays sort and compare on their first value (spec, Sorting)."""
        return self.values[0] if self.values else None


def _walk(node: Any, path: str, out: list[Any], crossed: list[bool]) -> bool:
    """Append the leaves under `path` to `out`; True when the path exists in `node`."""
    if path == "":
        out.append(node)
        return True
    if isinstance(node, list):
        crossed[0] = True
        found = False
        for item in node:
            found = _walk(item, path, out, crossed) or found
        return found
    if not isinstance(node, dict):
        return False
    if path in node:
        return _walk(node[path], "", out, crossed)
    dots = [i for i, ch in enumerate(path) if ch == "."]
    for i in reversed(dots):
        head = path[:i]
        if head in node:
            mark = len(out)
            if _walk(node[head], path[i + 1 :], out, crossed):
                return True
            del out[mark:]
    return False


def resolve(record: dict[str, Any], path: str) -> Resolved | None:
    """The values `path` names in `record`, or None when the record has no value there.

    null, an empty array, or an array of objects none of which has the sub-field all count as
    absent: SQL-backed providers store all of them as NULL / no rows.
    """
    leaves: list[Any] = []
    crossed = [False]
    if not _walk(record, path, leaves, crossed):
        return None
    collected = is_array = crossed[0]
    values: list[str] = []
    opaque = False
    for leaf in leaves:
        items = leaf if isinstance(leaf, list) else [leaf]
        is_array = is_array or isinstance(leaf, list)
        for item in items:
            if isinstance(item, dict | list):
                opaque = True
                continue
            text = as_text(item)
            if text is not None:
                values.append(text)
    if opaque:
        return Resolved(tuple(values), is_array, opaque=True, collected=collected)
    if not values:
        return None
    return Resolved(tuple(values), is_array, collected=collected)
