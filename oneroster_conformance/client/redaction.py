"""Keep a district's student data out of shareable reports.

In ``redacted`` evidence mode (the default against a real provider) every output keeps its
structure (field names, value types and lengths, sourcedIds) but personal values become a marker.
Two layers: JSON bodies are redacted by field name (schemas/personal-fields.yaml, from the spec's
Privacy column); free text (messages, URLs, curl lines, non-JSON bodies) is redacted by value,
using the personal values the run has seen in the provider's own records.
"""

from __future__ import annotations

import json
import re
import threading
from functools import cache
from urllib.parse import quote, unquote

from oneroster_conformance.resources import load_yaml, schemas_dir

MARK = "‹redacted›"
# Vocabulary values (demographic flags and enums) identify nobody on their own and appear in every
# body: hiding them everywhere would hide structure, not people.
NOT_IDENTIFYING = frozenset({"true", "false", "male", "female", "other", "unspecified", "yes", "no"})
_WORD = re.compile(r"[^\s'\"=,;:&?/<>()\[\]{}|\\]+")


@cache
def personal_fields() -> frozenset[str]:
    doc = load_yaml(schemas_dir() / "personal-fields.yaml")
    return frozenset(name for names in doc.values() for name in names)


class Redactor:
    def __init__(self) -> None:
        self.enabled = False
        # hash() of each casefolded personal value seen in records, not the value: a 100,000-student
        # district holds ~10^6 of them and the text would grow the harness's memory with the roster.
        # (Stable within the run, never written anywhere; a collision only hides a harmless word.)
        self._values: set[int] = set()
        self._longest_words = 1
        self._lock = threading.Lock()

    # ------------------------------------------------------------ learning what to hide
    def learn(self, record: object) -> None:
        if not self.enabled:
            return
        found: list[str] = []
        _collect(record, found, False)
        with self._lock:
            for v in found:
                v = v.strip()
                if len(v) >= 2 and v.casefold() not in NOT_IDENTIFYING:
                    self._values.add(hash(v.casefold()))
                    self._longest_words = max(self._longest_words, min(len(v.split()), 6))

    # ------------------------------------------------------------ redacting
    def json_value(self, value: object) -> object:
        if isinstance(value, dict):
            return {k: (_mark(v) if k in personal_fields() else self.json_value(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json_value(v) for v in value]
        return value

    def body(self, text: str) -> str:
        if not self.enabled or not text:
            return text
        try:
            parsed = json.loads(text)
        except ValueError:
            return self.text(text)
        return self.text(json.dumps(self.json_value(parsed), ensure_ascii=False))

    def text(self, text: str | None) -> str | None:
        if not self.enabled or not text:
            return text
        decoded = unquote(text) if "%" in text else text
        out = self._replace(decoded)
        if out == decoded:
            return text
        return _requote(out) if decoded != text else out

    def _replace(self, text: str) -> str:
        with self._lock:
            values, width = self._values, self._longest_words
        if not values:
            return text
        words = list(_WORD.finditer(text))
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(width, len(words) - i), 0, -1):  # longest match first: "de la Cruz"
                start, end = words[i].start(), words[i + n - 1].end()
                if hash(text[start:end].casefold()) in values:
                    hit = (start, end, n)
                    break
            if hit:
                spans.append(hit[:2])
                i += hit[2]
            else:
                i += 1
        for start, end in reversed(spans):
            text = text[:start] + MARK + text[end:]
        return text


def _mark(value: object) -> object:
    if isinstance(value, str):
        return f"{MARK}({len(value)})"
    if isinstance(value, list):
        return [_mark(v) for v in value]
    if isinstance(value, dict):
        return {k: _mark(v) for k, v in value.items()}
    return MARK


def _collect(value: object, out: list[str], personal: bool) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _collect(v, out, personal or k in personal_fields())
    elif isinstance(value, list):
        for v in value:
            _collect(v, out, personal)
    elif personal and isinstance(value, str):
        out.append(value)
        out.extend(p for p in value.replace("@", " ").split() if len(p) >= 3 and p.casefold() != value.casefold())


def _requote(text: str) -> str:
    """Re-encode a URL's query after redaction so the line stays a usable URL."""
    if "?" not in text:
        return text
    head, _, query = text.partition("?")
    return head + "?" + "&".join(
        "=".join(quote(part, safe="‹›") for part in pair.split("=", 1)) for pair in query.split("&"))


REDACTOR = Redactor()
