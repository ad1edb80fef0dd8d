"""Field selection (`fields=`): parsing and the projections a conformant provider may return.

- Only known names: exactly the requested fields the full record has (a requested field the
  full record lacks may be absent, or present).
- Only unknown names: "ALL data for the record is returned".
- Known and unknown mixed: all fields, or just the known ones (spec reading fields-unknown-names).
- A blank entry is an invalid request (400 invalid_selection_field): BlankFieldError.

A name that matches a known field only case-insensitively (`givenname`) may be read as that
field or as unknown (the spec's own example uses `firstname,lastname`, spec reading v1p1-names-in-examples); both
readings are accepted.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any


class BlankFieldError(ValueError):
    """`fields` has a blank entry: `fields=`, `a,,b`, `a,` or only whitespace."""


def parse_fields(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",")]
    if any(not n for n in names):
        raise BlankFieldError(f"blank field name in fields={text!r}")
    return names


def _readings(requested: Sequence[str], known: Collection[str]) -> list[tuple[list[str], list[str]]]:
    """(known, unknown) splits of the requested names, one per accepted reading."""
    by_fold = {k.casefold(): k for k in known}
    exact = ([n for n in requested if n in known], [n for n in requested if n not in known])
    folded: tuple[list[str], list[str]] = ([], [])
    for n in requested:
        canon = n if n in known else by_fold.get(n.casefold())
        (folded[0] if canon else folded[1]).append(canon or n)
    return [exact] if folded == exact else [exact, folded]


def project(record: dict[str, Any], fields: Sequence[str], known_fields: Collection[str]) -> dict[str, Any]:
    """The projection under the strict reading: the known requested fields the record has,
    or the whole record when no requested name is known."""
    known = [f for f in fields if f in known_fields]
    if not known:
        return dict(record)
    return {f: record[f] for f in known if f in record}


def _check(
    returned: dict[str, Any], full: dict[str, Any], keys: Collection[str], extra_ok: Collection[str]
) -> list[str]:
    problems = []
    got = set(returned)
    for k in sorted(set(keys) - got):
        problems.append(f"field {k!r} missing from the response")
    for k in sorted(got - set(keys) - set(extra_ok)):
        problems.append(f"field {k!r} returned but not requested")
    for k in sorted(got & set(keys)):
        if returned[k] != full[k]:
            problems.append(f"field {k!r} differs from the full record: {returned[k]!r} != {full[k]!r}")
    return problems


def projection_violations(
    record_returned: dict[str, Any],
    full_record: dict[str, Any],
    requested: Sequence[str],
    known_fields: Collection[str],
) -> list[str]:
    """Why `record_returned` is no accepted answer to `fields=requested`; [] when it is one."""
    attempts: list[list[str]] = []
    for known, unknown in _readings(requested, known_fields):
        options: list[list[str]] = []
        if known:
            want = [k for k in known if k in full_record]
            absent_ok = [k for k in known if k not in full_record]
            options.append(_check(record_returned, full_record, want, absent_ok))
        if unknown or not known:
            options.append(_check(record_returned, full_record, list(full_record), ()))
        for problems in options:
            if not problems:
                return []
        attempts.append(min(options, key=len))
    return min(attempts, key=len)
