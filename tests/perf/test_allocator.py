"""The harness's process gives large freed buffers back to the system (glibc)."""

from __future__ import annotations

import platform

import pytest

from oneroster_conformance.run import allocator


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_the_mmap_threshold_is_fixed_on_glibc() -> None:
    assert allocator.keep_large_buffers_mapped()


def test_elsewhere_nothing_is_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocator.platform, "system", lambda: "Darwin")
    assert not allocator.keep_large_buffers_mapped()
