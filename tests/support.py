"""Plain helpers shared by the provider-level tests (fixtures stay in the conftest files)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class FaultChecks(dict[str, Callable]):
    """One small check per named fault, registered with ``@checks.check(name)``; each is called with
    the faulty provider and the clean one."""

    def check(self, name: str) -> Callable[[Callable], Callable]:
        def register(fn: Callable) -> Callable:
            self[name] = fn
            return fn

        return register


def per_faults(build: Callable[..., T]) -> Callable[..., T]:
    """``build(faults, **config)`` made once per set of faults and config, then shared: building an
    app per test would dominate the provider tests' time."""
    cache: dict[tuple, T] = {}

    def make(*faults: str, **config) -> T:
        key = (faults, tuple(sorted(config.items())))
        if key not in cache:
            cache[key] = build(faults, **config)
        return cache[key]

    return make


@contextmanager
def issued_tokens() -> Iterator[list[str]]:
    """Every access token the in-process reference provider issues while the block runs (to search outputs for)."""
    from oneroster_conformance.provider import auth

    issued: list[str] = []
    original = auth.TokenStore.issue

    def spy(self, *args, **kwargs):
        value = original(self, *args, **kwargs)
        issued.append(value)
        return value

    auth.TokenStore.issue = spy
    try:
        yield issued
    finally:
        auth.TokenStore.issue = original
