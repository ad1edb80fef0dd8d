"""How many HTTP exchanges each check caused: a counter per check, like the evidence bucket.

The plugin starts a tally when a check starts and reads it when the check ends; the client counts
every request it sends into the tally of the context it runs in (pages fetched ahead by the crawl
carry the check's context, so they count for it too). Requests sent outside any check (the crawl's
background walks, the preflight) count for none: the run's total shows them.
"""

from __future__ import annotations

import contextvars
import itertools

_current: contextvars.ContextVar[itertools.count | None] = contextvars.ContextVar("tally", default=None)


def start() -> None:
    _current.set(itertools.count())


def count() -> None:
    counter = _current.get()
    if counter is not None:
        next(counter)  # atomic under the GIL: threads fetching ahead for the same check may count at once


def stop() -> int:
    """The number of requests counted since ``start`` (0 when no tally was running)."""
    counter = _current.get()
    _current.set(None)
    return next(counter) if counter is not None else 0
