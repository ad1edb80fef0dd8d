"""Compare two runs by result key: what got worse, what got fixed, what appeared or went away."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from oneroster_conformance.report.model import Outcome, Result

# for a diff, info (a MAY or an observation) is not worse than a pass
_RANK = {o: (0 if o is Outcome.INFO else o.severity) for o in Outcome}


@dataclass(frozen=True)
class Change:
    key: str
    old: Outcome | None
    new: Outcome | None
    level: str
    message: str = ""

    def line(self) -> str:
        old = self.old.value if self.old else "-"
        new = self.new.value if self.new else "-"
        tail = f"  {self.message}" if self.message and self.new not in (None, Outcome.PASS) else ""
        return f"  {old:>14} -> {new:<14} {self.level:<6} {self.key}{tail}"


@dataclass
class ResultsDiff:
    regressions: list[Change] = field(default_factory=list)  # got worse (pass -> fail/warn/errored, warn -> fail...)
    fixes: list[Change] = field(default_factory=list)  # got better
    changed: list[Change] = field(default_factory=list)  # different, neither better nor worse (pass -> n/a)
    new: list[Change] = field(default_factory=list)  # only in the new run
    removed: list[Change] = field(default_factory=list)  # only in the old run

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressions)

    def render(self, old_name: str = "old", new_name: str = "new") -> str:
        groups = (("Regressions", self.regressions), ("Fixes", self.fixes), ("Other changes", self.changed),
                  ("New results", self.new), ("Removed results", self.removed))
        out = [f"Comparing {old_name} -> {new_name}"]
        if not any(g for _, g in groups):
            out.append("No result changed its outcome.")
        for title, group in groups:
            if group:
                out.append(f"{title} ({len(group)}):")
                out.extend(c.line() for c in group)
        out.append(f"{len(self.regressions)} regression(s), {len(self.fixes)} fix(es), "
                   f"{len(self.new)} new, {len(self.removed)} removed.")
        return "\n".join(out)


def _by_key(results: Iterable[Result]) -> dict[str, Result]:
    out: dict[str, Result] = {}
    for r in results:
        prev = out.get(r.key)
        # a key seen twice (repeated parametrization) keeps its worst outcome
        if prev is None or r.outcome.severity > prev.outcome.severity:
            out[r.key] = r
    return out


def diff_results(old: Iterable[Result], new: Iterable[Result]) -> ResultsDiff:
    a, b = _by_key(old), _by_key(new)
    d = ResultsDiff()
    for key in sorted(a.keys() | b.keys()):
        ra, rb = a.get(key), b.get(key)
        if ra is None and rb is not None:
            d.new.append(Change(key, None, rb.outcome, rb.level, rb.message))
        elif rb is None and ra is not None:
            d.removed.append(Change(key, ra.outcome, None, ra.level, ra.message))
        elif ra is not None and rb is not None and ra.outcome is not rb.outcome:
            c = Change(key, ra.outcome, rb.outcome, rb.level, rb.message)
            delta = _RANK[rb.outcome] - _RANK[ra.outcome]
            (d.regressions if delta > 0 else d.fixes if delta < 0 else d.changed).append(c)
    return d
