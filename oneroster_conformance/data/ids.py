"""Real ids for the path parameters of single-object and nested operations, chosen from the crawl.

A nested operation is called with parents that have children where the data has any (a class with
students says more than an empty one); which collections supply the parents, and which records a
relation reads to tell, come from the relations (relations.py), not from collection names here.
"""

from __future__ import annotations

import itertools
from collections import ChainMap
from collections.abc import Mapping

from oneroster_conformance.data.relations import RELATIONS, SINGLE_SOURCE, Relation
from oneroster_conformance.data.store import CHUNK
from oneroster_conformance.spec.operations import Operation

CANDIDATES = 50  # parent ids tried when looking for one that has children
_NONE = object()


class IdChoice:
    """The part of the crawl that picks ids (mixed into Crawl: it reads the crawl's collections)."""

    def ids_for(self, op: Operation) -> dict[str, str] | None:
        """Real ids for the operation's path parameters, preferring parents that have children.

        Chosen once per operation: the sample, the scope cells and the nested check all use them."""
        if not op.path_params:
            return {}
        with self._lock:
            if op.operation_id in self._ids_for:
                return self._ids_for[op.operation_id]
        ids = self._choose_ids(op)
        with self._lock:
            return self._ids_for.setdefault(op.operation_id, ids)

    def _choose_ids(self, op: Operation) -> dict[str, str] | None:
        if not op.is_collection:
            source = self.collection(SINGLE_SOURCE[op.operation_id])
            # The first active record, else the first id: read in order, stopping at the first hit.
            choice = next((r["sourcedId"] for r in source.iter_records()
                           if isinstance(r, dict) and r.get("status") == "active" and "sourcedId" in r), _NONE)
            if choice is _NONE:
                choice = next(iter(source.store.ids(source.key, 1) if source.store is not None else source.ids), None)
            return {op.path_params[0]: choice} if choice else None
        rel = RELATIONS[op.operation_id]
        best = None
        for ids in self._parent_candidates(rel, CANDIDATES):
            if rel.has_children(self.data_for(rel, ids), ids):
                return ids
            best = best or ids
        return best

    def data_for(self, rel: Relation, ids: dict[str, str] | None = None) -> Mapping[str, list[dict]]:
        """The collections a relation reads. Small ones whole (cached); a large one, given the parent
        ids, only as the records around them (store.neighbourhood): the relations only ever read
        records linked to the parent, so the answer is the same without holding the collection."""
        out: dict[str, list[dict]] = {}
        near = []
        for k in (k for k in rel.collections if k in self.ops):
            data = self.collection(k)
            if ids is None or data.store is None or data.store.is_small(data.key):
                out[k] = data.records
            else:
                near.append(k)
        if near:  # read lazily: a relation reads only some of the collections it is given
            return ChainMap(out, self.store.neighbourhood(near, ids.values()))
        return out

    def _parent_candidates(self, rel: Relation, limit: int) -> list[dict[str, str]]:
        if rel.within is not None:
            # Two parameters: records of the inner parent's collection paired with the outer parent
            # they name (a class and its school), where that parent exists.
            outer, key = rel.within
            inner = next(p for p in rel.parent if p != outer)
            # The outer parents are looked up a batch at a time: the outer collection may be every
            # class of the largest district, too many to hold as a set.
            outers = self.collection(rel.parent[outer])
            out: list[dict[str, str]] = []
            batch: list[tuple[object, object]] = []
            records = self.collection(rel.parent[inner]).iter_records()
            for r in itertools.chain(records, [None]):
                if r is not None:
                    named = (r.get(key) or {}).get("sourcedId") if isinstance(r, dict) else None
                    if named is not None:
                        batch.append((named, r.get("sourcedId")))
                    if len(batch) < CHUNK:
                        continue
                known = _present(outers, (named for named, _ in batch))
                for named, sid in batch:
                    if named in known:
                        out.append({outer: named, inner: sid})
                        if len(out) >= limit:
                            return out
                batch = []
            return out
        if rel.through is not None:
            # Two parameters a third collection names together (a class and a student it enrolls).
            # Only pairs whose second id is a record of its parameter's collection: an enrollment
            # names a class and a user, and the user of a class's first enrollment is often its
            # teacher, which /classes/{c}/students/{s}/... may rightly answer 404 for.
            link, first_key, second_key = rel.through
            first, second = rel.parent
            seconds = self.collection(rel.parent[second])
            out = []
            pairs: list[tuple[str, str]] = []
            for r in itertools.chain(self.collection(link).iter_records(), [None]):
                if r is not None:
                    a, b = ((r.get(k) or {}).get("sourcedId") if isinstance(r, dict) else None
                            for k in (first_key, second_key))
                    if a and b:
                        pairs.append((a, b))
                    if len(pairs) < CHUNK:
                        continue
                known = _present(seconds, (b for _, b in pairs))
                out += [{first: a, second: b} for a, b in pairs if b in known]
                if len(out) >= limit:
                    return out[:limit]
                pairs = []
            return out
        (param, source), = rel.parent.items()
        data = self.collection(source)
        ids = data.store.ids(data.key, limit) if data.store is not None else data.ids[:limit]
        return [{param: i} for i in ids]


def _present(data, ids) -> set:
    """Which of ``ids`` some record of the collection carries (the store answers for a stored one)."""
    if data.store is not None:
        return data.store.present(data.key, ids)
    wanted = set(ids)
    return {i for i in data.ids if i in wanted}
