"""Does a record read back as it was written? Field by field, allowing what a server may add or normalise.

A server sets dateLastModified itself, may add optional fields, may rewrite a reference's href (the
sourcedId and type are what identify it), may print a number as 90 or 90.0, a date-time with or
without fractional seconds, and may return list items in another order (the spec calls no order
significant)."""

from __future__ import annotations

from datetime import datetime

SERVER_SET = frozenset({"dateLastModified"})


def _instant(value: str) -> datetime | None:
    if "T" not in value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def same(sent: object, got: object) -> bool:
    if isinstance(sent, bool) or isinstance(got, bool):
        return sent == got
    if isinstance(sent, int | float) and isinstance(got, int | float):
        return abs(float(sent) - float(got)) <= 1e-9 * max(1.0, abs(float(sent)))
    if isinstance(sent, str) and isinstance(got, str):
        if sent == got:
            return True
        a, b = _instant(sent), _instant(got)
        return a is not None and b is not None and a == b
    if isinstance(sent, dict) and isinstance(got, dict):
        if {"sourcedId", "type"} <= sent.keys() and "href" in sent:  # a reference: what it points at
            return sent["sourcedId"] == got.get("sourcedId") and sent["type"] == got.get("type")
        return all(k in got and same(v, got[k]) for k, v in sent.items())
    if isinstance(sent, list) and isinstance(got, list):
        left = list(got)
        for item in sent:
            match = next((i for i, g in enumerate(left) if same(item, g)), None)
            if match is None:
                return False
            left.pop(match)
        return not left
    return sent == got


def differences(sent: dict, got: object) -> list[str]:
    """What of the record written is missing or different in the record read back."""
    if not isinstance(got, dict):
        return [f"the read-back is {type(got).__name__}, not a record"]
    out = []
    for key, value in sent.items():
        if key in SERVER_SET:
            continue
        if key not in got:
            out.append(f"{key} is missing")
        elif not same(value, got[key]):
            out.append(f"{key}: written {value!r}, read back {got[key]!r}")
    return out
