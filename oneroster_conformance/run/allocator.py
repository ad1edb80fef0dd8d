"""Large buffers go back to the system when freed (glibc only).

A page of a large sweep is megabytes of JSON text. glibc raises its mmap threshold each time such
a buffer is freed, so the next ones are carved from the heap instead; the small objects parsed in
between pin that heap, and it is never given back. Held at a fixed threshold, every buffer above
it is mapped and unmapped on its own and the heap stays the size of what is live. The
100,000-student sweep (benchmarks/scale.py) peaked at 250 MB before and 185 MB with it, and took
less time. Elsewhere (musl, macOS, Windows) nothing changes.
"""

from __future__ import annotations

import ctypes
import platform

M_MMAP_THRESHOLD = -3  # mallopt parameter number (malloc.h)
THRESHOLD = 256 * 1024  # above the pages of a default run's bodies; below a large sweep's


def keep_large_buffers_mapped() -> bool:
    """Fix glibc's mmap threshold for this process; whether it was set."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, THRESHOLD))
    except (OSError, AttributeError):
        return False
