"""Has a walk read these records before? A page that only repeats records already seen ends the
walk (a provider ignoring offset would otherwise never end)."""

from __future__ import annotations

from collections.abc import Callable

from oneroster_conformance.data.store import RecordStore


class Seen:
    """sourcedIds read so far in a walk (in memory: walks made by checks are bounded)."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def all_seen(self, page: list) -> bool:
        # As the walk has always read it: objects whose sourcedId was read before, nothing new.
        return not any(isinstance(r, dict) and r.get("sourcedId") not in self.ids for r in page)

    def add(self, page: list) -> None:
        self.ids.update(r["sourcedId"] for r in page if isinstance(r, dict) and isinstance(r.get("sourcedId"), str))


class StoredSeen(Seen):
    """The same question for a spilled walk, without a set of every id: a Bloom filter says "new"
    for certain, and the store confirms the rare "maybe all seen" (a provider ignoring offset)."""

    BITS = 1 << 24  # 2 MB; two probes: under 5 % false positives per id even at two million ids

    def __init__(self, store: RecordStore, key: str, confirm: Callable[[list[str]], bool] | None = None) -> None:
        self.store, self.key = store, key
        self.confirm = confirm or (lambda ids: store.seen_all(key, ids))  # asked on a "maybe all seen"
        self.bits = bytearray(self.BITS >> 3)

    def _probes(self, sid: str) -> tuple[int, int]:
        h = hash(sid) & 0xFFFFFFFFFFFFFFFF
        return h % self.BITS, (h >> 32) % self.BITS

    def all_seen(self, page: list) -> bool:
        ids = []
        for r in page:
            if not isinstance(r, dict):
                continue
            sid = r.get("sourcedId")
            if not isinstance(sid, str):
                return False  # a missing or non-string id was never "seen"
            a, b = self._probes(sid)
            if not (self.bits[a >> 3] >> (a & 7)) & 1 or not (self.bits[b >> 3] >> (b & 7)) & 1:
                return False
            ids.append(sid)
        return self.confirm(ids)

    def add(self, page: list) -> None:
        for r in page:
            sid = r.get("sourcedId") if isinstance(r, dict) else None
            if isinstance(sid, str):
                for p in self._probes(sid):
                    self.bits[p >> 3] |= 1 << (p & 7)
