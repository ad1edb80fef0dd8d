"""GUIDRefs: the references one record makes to another ({sourcedId, type, href}).

Found in one place for every reader: ``guid_refs`` (with paths, for messages), ``guid_ref_list``
(the same refs, quicker, for the per-record sweep) and ``scan`` (the refs plus every object holding
a sourcedId, as rows for the record store). A GUIDRef is an object with at least the three keys and
a string type; nothing under ``metadata`` and nothing inside a GUIDRef counts.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

GUIDREF_KEYS = frozenset({"sourcedId", "type", "href"})


def guid_refs(value: object, path: str = "") -> Iterator[tuple[str, dict]]:
    """Every GUIDRef object inside a record, with its path."""
    if isinstance(value, dict):
        if value.keys() >= GUIDREF_KEYS and isinstance(value.get("type"), str):
            yield path, value
            return
        for k, v in value.items():
            if k != "metadata":
                yield from guid_refs(v, f"{path}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from guid_refs(v, f"{path}/{i}")


_SCANNED = threading.local()  # the page being swept in this thread: id(record) -> (record, its GUIDRefs)


def guid_ref_list(record: object) -> list[dict]:
    """The GUIDRefs of a record, exactly those guid_refs yields and in its order (tested),
    without its paths: a plain recursion instead of nested generators, for the per-record sweep
    (which reuses the walk the crawl made of the same record, see ``scanned``)."""
    memo = getattr(_SCANNED, "page", None)
    hit = memo.get(id(record)) if memo is not None else None
    if hit is not None and hit[0] is record:
        return hit[1]
    return scan(record)[0]


@contextlib.contextmanager
def scanned(records: list, scans: list[tuple[list[dict], list]]) -> Iterator[None]:
    """While the per-record checks run over a page, guid_ref_list answers from these scans."""
    _SCANNED.page = {id(r): (r, s[0]) for r, s in zip(records, scans, strict=True)}
    try:
        yield
    finally:
        _SCANNED.page = None


def scan(record: object) -> tuple[list[dict], list[tuple[int, str | None, object]]]:
    """One walk over a record: its GUIDRefs (as ``guid_ref_list``) and every object in it that
    carries a sourcedId, as (ord, type, target sourcedId) rows for the refs table.

    ``ord`` is the position among the GUIDRefs (the references-resolve check judges those) or -1
    for any other object with a sourcedId: the relations read references without asking whether
    they are well-formed GUIDRefs."""
    refs: list[dict] = []
    rows: list[tuple[int, str | None, object]] = []

    def visit(value: object, judged: bool) -> None:
        # judged: guid_refs would look here (not under metadata, not inside a GUIDRef)
        if isinstance(value, dict):
            is_ref = judged and value.keys() >= GUIDREF_KEYS and isinstance(value.get("type"), str)
            if is_ref:
                refs.append(value)
            if "sourcedId" in value and (is_ref or value is not record):
                kind = value.get("type")
                rows.append((len(refs) - 1 if is_ref else -1, kind if isinstance(kind, str) else None,
                             _target(value.get("sourcedId"))))
            inner = judged and not is_ref
            for k, v in value.items():
                if isinstance(v, dict | list):
                    visit(v, inner and k != "metadata")
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, dict | list):
                    visit(v, judged)

    visit(record, True)
    return refs, rows


def _target(value: object) -> object:
    return value if isinstance(value, str) or value is None else repr(value).encode()
