"""Small wording helpers shared by every layer (no imports from the package)."""

from __future__ import annotations

from collections.abc import Sequence


def first_n(items: Sequence[object], n: int = 3, sep: str = ", ", total: int | None = None) -> str:
    """'a, b, c (+4 more)': a list shown to a person, never a wall of ids.

    ``total``: how many there are when ``items`` holds only the first few of them."""
    total = len(items) if total is None else total
    shown = sep.join(str(i) for i in list(items)[:n])
    return shown + (f" (+{total - n} more)" if total > n else "")
