"""Keep a district's student data out of shareable reports, by meaning rather than by string matching.

In ``redacted`` evidence mode (the default against a real provider) a value is personal because of
where it sits: in a personal field of the data model (schemas/personal-fields.yaml, the spec's
Privacy column) inside a body or a Python/JSON rendering of a record, or as the value of a filter
clause on such a field (``familyName='…'``) in a URL, a message or a curl line. Exactly those values
become a pseudonym, ``‹redacted:3f9a1c›``: a keyed hash of the value with a key drawn for this run and
never written, so the same value reads the same in every output of the run (a reader can follow it)
and nobody can test a guess against it. Protocol syntax is never touched: operators, AND/OR, field
names, limit/offset/X-Total-Count numbers, sourcedIds, status codes and header names.

A last safety net catches a personal value quoted somewhere no rule above recognises (a traceback):
values seen in the provider's records, but only long, distinctive ones (five characters or more,
with a letter, not a word of the protocol's vocabulary), remembered in a fixed-size Bloom filter so
the harness's memory stays flat however large the district (a false positive hides a harmless word).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import threading
from functools import cache
from urllib.parse import quote, unquote, unquote_plus

from oneroster_conformance.resources import load_yaml, schemas_dir

MARK = "‹redacted"  # every pseudonym starts with it: ‹redacted:3f9a1c›
# Vocabulary values (demographic flags and enums): never learned for the free-text net.
NOT_IDENTIFYING = frozenset({"true", "false", "male", "female", "other", "unspecified", "yes", "no"})
NET_MIN_LENGTH = 5
# 16 MB, 7 probes. The 1,000,000-student generated district (~2 M distinct values) sets 10 % of the
# bits: ~10^-7 false positives a word, where 4 MB and 4 probes set 22 % (2.4 * 10^-3) and hid 5 of
# the 1,691 distinctive words of docs/ ("above", "cells", "result-value-range") and the verdict
# line's "tls-required); exit status". A district with four times as many distinct values still
# stays near 5 * 10^-4. (benchmarks/redaction_net.py measures it on a kept district.)
_NET_BITS = 1 << 27
_NET_HASHES = 7
_WORD = re.compile(r"[^\s'\"=,;:&?/<>()\[\]{}|\\`]+")
# Protocol words that a personal value may equal but that must stay readable wherever they are
# not in a personal field (header names, parameters, operators, HTTP and OAuth words).
PROTOCOL_WORDS = frozenset(w.casefold() for w in (
    "AND", "OR", "limit", "offset", "filter", "sort", "orderBy", "fields", "asc", "desc", "Link", "next", "prev",
    "first", "last", "X-Total-Count", "Authorization", "Bearer", "Basic", "Content-Type", "application/json",
    "scope", "token", "access_token", "client_credentials", "grant_type", "error", "codeMajor", "codeMinor",
    "severity", "success", "failure", "invalid_filter_field", "invalid_selection_field", "unauthorisedrequest",
    "forbidden", "unknownobject", "invalid_sort_field", "status", "active", "tobedeleted", "sourcedId", "users",
    "students", "teachers", "classes", "courses", "schools", "orgs", "terms", "enrollments", "demographics",
    "academicSessions", "gradingPeriods", "records", "record", "returned", "expected", "actual", "missing",
))
_FIELD = r"[A-Za-z_][\w.:-]*"
# A filter clause: field, predicate, quoted value ('' is an apostrophe inside the value).
CLAUSE = re.compile(rf"(?P<field>{_FIELD})(?P<op>\s*(?:!=|>=|<=|=|>|<|~)\s*)'(?P<value>(?:[^']|'')*)'")
# key: value / key=value in JSON, Python reprs and keyword calls.
_KEY_VALUE = re.compile(
    rf"(?P<q>['\"]?)(?P<key>{_FIELD})(?P=q)(?P<sep>\s*[:=]\s*)"
    r"(?P<value>'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|-?\d[\d.]*\b)")
# The repr of a filter clause object: Clause(field='givenName', op='=', value='…').
_CLAUSE_REPR = re.compile(r"field=(?P<q>['\"])(?P<field>[^'\"]+)(?P=q),\s*op=(['\"])[^'\"]*\3,\s*value="
                          r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
# A projection difference: field 'givenName' differs from the full record: 'x' != 'y'.
_DIFFERS = re.compile(r"field (?P<q>['\"])(?P<field>[^'\"]+)(?P=q) differs from the full record: (?P<rest>.*?)"
                      r"(?=; |\n|$)")
_LETTER = re.compile(r"[^\W\d_]")
_URL = re.compile(r"(?:https?://|~/)[^\s<>\"'`]+")


@cache
def personal_fields() -> frozenset[str]:
    doc = load_yaml(schemas_dir() / "personal-fields.yaml")
    return frozenset(name for names in doc.values() for name in names)


def is_personal_field(name: str) -> bool:
    """True for a personal field, also when addressed in dot notation (``userIds.identifier``)."""
    return name.rsplit(".", 1)[-1] in personal_fields()


@cache
def vocabulary() -> frozenset[str]:
    """Every property name and enumerated value of the spec's schemas, and the protocol's words."""
    words: set[str] = set(PROTOCOL_WORDS)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "properties" and isinstance(v, dict):
                    words.update(str(name).casefold() for name in v)
                elif k == "enum" and isinstance(v, list):
                    words.update(str(x).casefold() for x in v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    # The bindings' JSON Schemas only: the OpenAPI files say the same in megabytes the harness would
    # parse for nothing (and keep as peak memory).
    for path in sorted(p for p in schemas_dir().glob("v1p*/*.json") if p.name != "openapi.json"):
        try:
            walk(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return frozenset(words)


def _requoted(original: str, replacement: str) -> str:
    """``replacement`` in the quotes ``original`` had, if any."""
    quoted = len(original) >= 2 and original[0] == original[-1] and original[0] in "'\""
    return f"{original[0]}{replacement}{original[0]}" if quoted else replacement


def _unquote_literal(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


class Redactor:
    def __init__(self) -> None:
        self.enabled = False
        self._key = os.urandom(16)  # drawn per run, never written: pseudonyms cannot be tested against guesses
        self._net: bytearray | None = None
        self._learned = 0
        self._longest_words = 1
        self._lock = threading.Lock()

    # ------------------------------------------------------------ pseudonyms
    def pseudonym(self, value: object) -> str:
        digest = hmac.new(self._key, str(value).encode("utf-8", "surrogatepass"), hashlib.blake2s).hexdigest()
        return f"{MARK}:{digest[:6]}›"

    def value(self, field: str, value: object) -> object:
        """A value a check quotes from a record: its pseudonym when the field is personal (and redacting)."""
        if not self.enabled or value is None or not is_personal_field(field):
            return value
        return self.pseudonym(value)

    # ------------------------------------------------------------ learning what the net catches
    def learn(self, record: object) -> None:
        if not self.enabled:
            return
        found: list[str] = []
        _collect(record, found, False)
        keep = [v for v in (x.strip() for x in found) if _distinctive(v)]
        if not keep:
            return
        with self._lock:
            if self._net is None:
                self._net = bytearray(_NET_BITS // 8)
            net = self._net
            for v in keep:
                for bit in self._bits(v.casefold()):
                    net[bit >> 3] |= 1 << (bit & 7)
                self._learned += 1
                self._longest_words = max(self._longest_words, min(len(v.split()), 6))

    @staticmethod
    def _bits(text: str) -> list[int]:
        # Python's string hash is keyed per process (and the filter is never written): two of them,
        # combined (double hashing), give the filter's bit positions at a fraction of a digest's cost.
        h1, h2 = hash(text), hash((text, 0x5EED)) | 1
        return [(h1 + i * h2) % _NET_BITS for i in range(_NET_HASHES)]

    def _netted(self, text: str) -> bool:
        net = self._net
        return net is not None and all(net[b >> 3] & (1 << (b & 7)) for b in self._bits(text.casefold()))

    # ------------------------------------------------------------ bodies
    def json_value(self, value: object) -> object:
        if isinstance(value, dict):
            return {k: (self._mark(v) if isinstance(k, str) and k in personal_fields() else self.json_value(v))
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.json_value(v) for v in value]
        return value

    def _mark(self, value: object) -> object:
        if value is None:
            return None
        if isinstance(value, list):
            return [self._mark(v) for v in value]
        if isinstance(value, dict):
            return {k: self._mark(v) for k, v in value.items()}
        return self.pseudonym(value)

    def body(self, text: str) -> str:
        if not self.enabled or not text:
            return text
        try:
            parsed = json.loads(text)
        except ValueError:
            return self.text(text) or ""  # a truncated or non-JSON body: its key/value pairs still show
        return json.dumps(self.json_value(parsed), ensure_ascii=False)

    # ------------------------------------------------------------ URLs
    def url(self, url: str | None) -> str | None:
        """The URL with every filter value on a personal field replaced; the rest byte for byte."""
        if not self.enabled or not url or "?" not in url:
            return url
        head, _, rest = url.partition("?")
        query, hash_, fragment = rest.partition("#")
        pairs = query.split("&")
        changed = False
        for i, pair in enumerate(pairs):
            name, eq, raw = pair.partition("=")
            if not eq or unquote(name) != "filter":
                continue
            decoded = unquote_plus(raw)
            redacted = self.filter_text(decoded)
            if redacted != decoded:
                pairs[i] = f"{name}={_encode_keeping_marks(redacted)}"
                changed = True
        return head + "?" + "&".join(pairs) + hash_ + fragment if changed else url

    def filter_text(self, text: str) -> str:
        """A filter expression with the values of clauses on personal fields replaced."""
        def sub(m: re.Match) -> str:
            if not is_personal_field(m.group("field")) or m.group("value").startswith(MARK):
                return m.group(0)
            value = m.group("value").replace("''", "'")
            return f"{m.group('field')}{m.group('op')}'{self.pseudonym(value)}'"
        return CLAUSE.sub(sub, text)

    def personal_clauses(self, text: str) -> list[tuple[str, str]]:
        """(field, value) of each clause on a personal field in a filter expression, in order."""
        return [(m.group("field"), m.group("value").replace("''", "'")) for m in CLAUSE.finditer(text)
                if is_personal_field(m.group("field"))]

    # ------------------------------------------------------------ free text
    def text(self, text: str | None) -> str | None:
        if not self.enabled or not text:
            return text
        out = _URL.sub(lambda m: self.url(m.group(0)) or "", text)
        out = self.filter_text(out)
        out = _CLAUSE_REPR.sub(self._clause_repr, out)
        out = _KEY_VALUE.sub(self._key_value, out)
        out = _DIFFERS.sub(self._differs, out)
        return self._net_pass(out)

    def _key_value(self, m: re.Match) -> str:
        if not is_personal_field(m.group("key")) or MARK in m.group("value"):
            return m.group(0)
        value = m.group("value")
        literal = _unquote_literal(value)
        quote_char = value[0] if value[:1] in ("'", '"') else ""
        if not quote_char and not m.group("q"):
            return m.group(0)  # "email: 3 records" is prose; a bare number is a value only after a quoted key
        return f"{m.group('q')}{m.group('key')}{m.group('q')}{m.group('sep')}" \
               f"{quote_char}{self.pseudonym(literal)}{quote_char}"

    def _clause_repr(self, m: re.Match) -> str:
        if not is_personal_field(m.group("field")):
            return m.group(0)
        value = m.group("value")
        start = m.start("value") - m.start(0)
        return m.group(0)[:start] + value[0] + self.pseudonym(_unquote_literal(value)) + value[0]

    def _differs(self, m: re.Match) -> str:
        if not is_personal_field(m.group("field")):
            return m.group(0)
        sides = m.group("rest").split(" != ")
        shown = " != ".join(s if MARK in s else _requoted(s, self.pseudonym(_unquote_literal(s))) for s in sides)
        return m.group(0)[:m.start("rest") - m.start(0)] + shown

    def _net_pass(self, text: str) -> str:
        if self._net is None:
            return text
        width = self._longest_words
        words = list(_WORD.finditer(text))
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(width, len(words) - i), 0, -1):  # longest match first: "de la Cruz"
                start, end = words[i].start(), words[i + n - 1].end()
                candidate = text[start:end]
                if _distinctive(candidate) and not candidate.startswith(MARK) and self._netted(candidate):
                    hit = (start, end, n)
                    break
            if hit:
                spans.append(hit[:2])
                i += hit[2]
            else:
                i += 1
        for start, end in reversed(spans):
            text = text[:start] + self.pseudonym(text[start:end]) + text[end:]
        return text

    def quote_values(self, field: str, text: str, values: list[object]) -> str:
        """``text`` that quotes ``values`` of ``field`` (e.g. a sort finding): each becomes its pseudonym."""
        if not self.enabled or not is_personal_field(field):
            return text
        for v in sorted({str(v) for v in values if v is not None}, key=len, reverse=True):
            text = text.replace(repr(v), repr(self.pseudonym(v)))
        return text


def _distinctive(value: str) -> bool:
    """Long and specific enough that finding it in free text is finding the person, not a word."""
    if len(value) < NET_MIN_LENGTH or not _LETTER.search(value):
        return False
    folded = value.casefold()
    return folded not in NOT_IDENTIFYING and folded not in vocabulary()


def _collect(value: object, out: list[str], personal: bool) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _collect(v, out, personal or k in personal_fields())
    elif isinstance(value, list):
        for v in value:
            _collect(v, out, personal)
    elif personal and isinstance(value, str):
        out.append(value)


_MARK_RE = re.compile(re.escape(MARK) + r":[0-9a-f]{6}›")


def _encode_keeping_marks(text: str) -> str:
    """Percent-encode a query value as a URL needs, leaving pseudonyms readable."""
    parts = _MARK_RE.split(text)
    marks = _MARK_RE.findall(text)
    out = quote(parts[0], safe="'!*()~")
    for mark, part in zip(marks, parts[1:], strict=True):
        out += mark + quote(part, safe="'!*()~")
    return out


REDACTOR = Redactor()
