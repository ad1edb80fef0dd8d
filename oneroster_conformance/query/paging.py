"""Pagination: page windows, the Link header, and which links a conformant provider may send.

The spec's example (503 records, limit=10, offset=10) sends next offset=20, prev and first
offset=0 and last `limit=3&offset=500`: the last link names the remaining count. We accept for
each link the limit requested or the count actually left from that offset; for `last` any start
on the page grid from 0 or from the current offset, or the start of the final full page. prev and
next must be absent where not applicable (no prev at offset 0, no next when the page reaches the
end). A link without limit means the default 100, without offset means 0.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

DEFAULT_LIMIT = 100


class LinkHeaderError(ValueError):
    """The Link header is not RFC 8288 syntax."""


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _param_value(text: str, i: int) -> tuple[str, int]:
    if i < len(text) and text[i] == '"':
        out: list[str] = []
        i += 1
        while i < len(text) and text[i] != '"':
            if text[i] == "\\" and i + 1 < len(text):
                i += 1
            out.append(text[i])
            i += 1
        if i >= len(text):
            raise LinkHeaderError(f"unterminated quoted string in Link header: {text!r}")
        return "".join(out), i + 1
    start = i
    while i < len(text) and text[i] not in ";,":
        i += 1
    return text[start:i].strip(), i


def parse_link_header(value: str) -> dict[str, str]:
    """rel -> URL for every link (RFC 8288). A link may carry several space-separated rels;
    rel names are lowercased; the first link for a rel wins."""
    links: dict[str, str] = {}
    i = 0
    while True:
        i = _skip_ws(value, i)
        while i < len(value) and value[i] == ",":
            i = _skip_ws(value, i + 1)
        if i >= len(value):
            return links
        if value[i] != "<":
            raise LinkHeaderError(f"expected '<' at position {i} of Link header: {value!r}")
        end = value.find(">", i)
        if end < 0:
            raise LinkHeaderError(f"unterminated '<' in Link header: {value!r}")
        url, i = value[i + 1 : end].strip(), end + 1
        rels: list[str] | None = None
        while True:
            i = _skip_ws(value, i)
            if i >= len(value) or value[i] == ",":
                break
            if value[i] != ";":
                raise LinkHeaderError(f"expected ';' or ',' at position {i} of Link header: {value!r}")
            i = _skip_ws(value, i + 1)
            start = i
            while i < len(value) and value[i] not in "=;, \t":
                i += 1
            name = value[start:i].lower()
            i = _skip_ws(value, i)
            param = ""
            if i < len(value) and value[i] == "=":
                param, i = _param_value(value, _skip_ws(value, i + 1))
            if name == "rel" and rels is None:  # RFC 8288: later rel params are ignored
                rels = param.lower().split()
        for rel in rels or []:
            links.setdefault(rel, url)


def window(total: int, limit: int, offset: int) -> tuple[int, int]:
    """The [start, stop) slice of the whole collection that limit/offset select."""
    if limit < 1 or offset < 0 or total < 0:
        raise ValueError(f"bad window: total={total} limit={limit} offset={offset}")
    return min(offset, total), min(offset + limit, total)


def _last_starts(total: int, limit: int, offset: int) -> set[int]:
    starts = {((total - 1) // limit) * limit, max(0, total - limit)}
    if offset < total:
        starts.add(offset + ((total - 1 - offset) // limit) * limit)
    return starts


def expected_links(total: int, limit: int, offset: int) -> dict[str, tuple[int, int]]:
    """rel -> (limit, offset) as the spec's example writes them; prev/next only where they apply."""
    window(total, limit, offset)
    links = {"first": (limit, 0)}
    if offset > 0:
        links["prev"] = (limit, max(0, offset - limit))
    if offset + limit < total:
        links["next"] = (limit, offset + limit)
    last = ((total - 1) // limit) * limit if total else 0
    links["last"] = (total - last if total else limit, last)
    return links


def _accepted(rel: str, total: int, limit: int, offset: int) -> set[tuple[int, int]] | None:
    """Every (limit, offset) accepted for rel; None when the rel must not be sent; an empty set
    means any value is accepted (a rel we do not judge)."""

    def sized(start: int) -> set[tuple[int, int]]:
        return {(limit, start), (min(limit, max(total - start, 0)), start)}

    if rel == "first":
        return sized(0)
    if rel == "next":
        return sized(offset + limit) if offset + limit < total else None
    if rel == "prev":
        if offset == 0:
            return None
        start = max(0, offset - limit)
        accepted = {(limit, start), (offset - start, start)}
        if offset >= total:  # beyond the end: pointing back at the last page is as sensible
            for s in _last_starts(total, limit, offset) if total else {0}:
                accepted |= sized(s)
        return accepted
    if rel == "last":
        if total == 0:
            return {(limit, 0), (0, 0)}
        accepted = set()
        for s in _last_starts(total, limit, offset):
            accepted |= sized(s)
        return accepted
    return set()


def _int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    values = query.get(name)
    if not values:
        return default
    if len(values) > 1:
        raise ValueError(f"{name} given {len(values)} times")
    if not values[0].isdigit():
        raise ValueError(f"{name}={values[0]!r} is not a non-negative integer")
    return int(values[0])


def check_link(rel: str, url: str, total: int, limit: int, offset: int) -> str | None:
    """None when the `rel` link of the page (limit, offset) of `total` records is acceptable."""
    accepted = _accepted(rel.lower(), total, limit, offset)
    if accepted is None:
        return f"rel={rel} link sent although not applicable (total={total} limit={limit} offset={offset})"
    if not accepted:
        return None
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    try:
        got = (_int_param(query, "limit", DEFAULT_LIMIT), _int_param(query, "offset", 0))
    except ValueError as exc:
        return f"rel={rel} link {url}: {exc}"
    if got in accepted:
        return None
    want = " or ".join(f"limit={a}&offset={b}" for a, b in sorted(accepted))
    return f"rel={rel} link has limit={got[0]}&offset={got[1]}, expected {want} (url {url})"


def check_links(links: dict[str, str], total: int, limit: int, offset: int) -> list[str]:
    """check_link over a parsed Link header; absent links are not judged (they are RECOMMENDED)."""
    return [m for rel, url in links.items() if (m := check_link(rel, url, total, limit, offset))]
