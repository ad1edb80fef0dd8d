"""The six outcomes of a check, each carrying everything a view needs to show it.

One table, one "worst" order. A broken MUST (fail) is the worst outcome: it is a proven
non-conformance, while an errored check is a question the harness could not answer; both gate.
The requirement's level, not the test author, decides which broken outcome a rule produces.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class _Traits:
    severity: int  # 0 = nothing wrong; the highest is the worst
    symbol: str  # one character in the HTML report
    letter: str  # pytest's progress character
    label: str  # short column heading
    word: str  # pytest's status word (summary line)
    verb: str  # "2 MUST requirements failed"
    requirement_label: str  # a requirement whose worst outcome is this one
    broken_level: str | None  # the level whose broken rule gives this outcome


_TRAITS: dict[str, _Traits] = {
    "pass": _Traits(0, "✓", ".", "pass", "passed", "passed", "met: every check passed", None),
    "not-applicable": _Traits(0, "–", "n", "n/a", "not-applicable", "was not applicable",
                              "not applicable to this provider", None),
    "info": _Traits(1, "i", "i", "info", "info", "reported info", "observations (MAY / informational)", "MAY"),
    "warn": _Traits(2, "!", "W", "warn", "warned", "warned", "warned (a SHOULD not followed)", "SHOULD"),
    "errored": _Traits(3, "?", "E", "errored", "errored", "errored", "undecided: a check errored", None),
    "fail": _Traits(4, "✗", "F", "fail", "failed", "failed", "not met (a MUST failed)", "MUST"),
}


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"  # a MUST broken: the provider is not conformant
    WARN = "warn"  # a SHOULD broken
    INFO = "info"  # a MAY broken, or an observation worth reporting
    NOT_APPLICABLE = "not-applicable"  # with the reason, e.g. no grading periods in the data
    ERRORED = "errored"  # the harness could not decide (network error, setup failure)

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value

    @property
    def traits(self) -> _Traits:
        return _TRAITS[self.value]

    @property
    def severity(self) -> int:
        return self.traits.severity

    @property
    def symbol(self) -> str:
        return self.traits.symbol

    @property
    def label(self) -> str:
        return self.traits.label

    @property
    def verb(self) -> str:
        return self.traits.verb

    @property
    def requirement_label(self) -> str:
        return self.traits.requirement_label

    @property
    def is_problem(self) -> bool:
        """Broken or undecided: what a progress line counts and the proof calls an alarm."""
        return self in (Outcome.FAIL, Outcome.WARN, Outcome.ERRORED)

    @property
    def pytest_status(self) -> tuple[str, str, str]:
        """(word, letter, verbose word) for pytest_report_teststatus."""
        t = self.traits
        return t.word, t.letter, t.label.upper() if self is not Outcome.NOT_APPLICABLE else "N/A"

    @staticmethod
    def broken(level: str) -> Outcome:
        """The outcome a broken requirement of ``level`` produces (MUST fail, SHOULD warn, MAY info)."""
        for o in Outcome:
            if o.traits.broken_level == level:
                return o
        raise ValueError(f"unknown level {level!r}: use MUST, SHOULD or MAY")

    @property
    def level(self) -> str | None:
        return self.traits.broken_level


LEVELS = ("MUST", "SHOULD", "MAY")
#: display order of every view
OUTCOMES = (Outcome.PASS, Outcome.FAIL, Outcome.WARN, Outcome.INFO, Outcome.NOT_APPLICABLE, Outcome.ERRORED)


def worst(outcomes: object) -> Outcome | None:
    outs = [Outcome(o) for o in outcomes]  # type: ignore[attr-defined]
    return max(outs, key=lambda o: o.severity) if outs else None
