"""The hypothesis profiles of a run: quick / certification (the default: fixed seed, bounded) / thorough."""

from __future__ import annotations


def register() -> None:
    from hypothesis import HealthCheck, settings

    common: dict[str, object] = dict(
        deadline=None, database=None, print_blob=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.filter_too_much, HealthCheck.data_too_large])
    # Each example is a request to the provider. The certification default is the count at which the
    # proof (tests/proof) finds every fault; 'thorough' draws widely, with a fresh seed each run.
    settings.register_profile("quick", max_examples=4, derandomize=True, **common)  # type: ignore[arg-type]
    settings.register_profile("certification", max_examples=8, derandomize=True, **common)  # type: ignore[arg-type]
    settings.register_profile("thorough", max_examples=200, derandomize=False, **common)  # type: ignore[arg-type]


def load_default(chosen: str | None) -> None:
    """--hypothesis-profile picks one; otherwise the certification profile."""
    from hypothesis import settings

    if not chosen:
        settings.load_profile("certification")
