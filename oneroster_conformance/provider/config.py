"""Configuration of one reference provider instance."""

from __future__ import annotations

from dataclasses import dataclass

from oneroster_conformance.provider.faults import FAULTS


@dataclass(frozen=True)
class ProviderConfig:
    faults: frozenset[str] = frozenset()
    db_path: str | None = None  # persist to this SQLite file; None = a temporary database
    students: int | None = None  # None = the sample roster in fixtures/roster; N = generated district
    seed: int = 0
    token_lifetime: int = 3600
    page_cap: int | None = None  # a maximum page size, announced through X-Total-Count and Link
    public_url: str | None = None  # origin for hrefs / Link / discovery; default: from the request

    def __post_init__(self) -> None:
        # Accept any iterable of names (a list from argparse, a set) but store a frozenset.
        object.__setattr__(self, "faults", frozenset(self.faults))
        unknown = sorted(self.faults - FAULTS.keys())
        if unknown:
            raise ValueError(f"unknown fault(s) {', '.join(unknown)}; known faults: {', '.join(sorted(FAULTS))}")
        if self.page_cap is not None and self.page_cap < 1:
            raise ValueError("page_cap must be a positive integer")
        if self.students is not None and self.students < 1:
            raise ValueError("students must be a positive integer")
        if self.token_lifetime < 1:
            raise ValueError("token_lifetime must be a positive number of seconds")

    def has(self, fault: str) -> bool:
        """True when the named fault is switched on (a typo is a bug, so it raises)."""
        if fault not in FAULTS:
            raise KeyError(f"no fault named {fault!r}")
        return fault in self.faults
