"""Variants of one probe taken in turn over the operations it is asked of.

Two spellings of the same mistake (a made-up token and a malformed one; an unknown field alone and
beside a known one) are answered by the same code path of a provider: asking both of every
collection doubled the probe's requests without a fault to tell them apart. Each operation is asked
one variant, the variants alternating in catalogue order, so every variant still meets about half
of the operations and every service (docs/requests.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from oneroster_conformance.spec.operations import Operation

T = TypeVar("T")


def in_turn(op: Operation, ops: Sequence[Operation], variants: Sequence[T]) -> T:
    """The variant ``op`` is asked with: by its position among ``ops`` (the operations of its shape)."""
    ids = [o.operation_id for o in ops]
    position = ids.index(op.operation_id) if op.operation_id in ids else 0
    return variants[position % len(variants)]
