"""Being a good guest: a global request-rate limit and bounded concurrency, shared by all threads."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    """Spaces requests at least 1/rate seconds apart across every thread of the run."""

    def __init__(self, rate: float, max_concurrency: int) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(max_concurrency)

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


def retry_after_seconds(value: str | None, cap: float) -> float:
    """Seconds to wait for a Retry-After header (delta-seconds or HTTP date), capped."""
    if not value:
        return min(1.0, cap)
    try:
        return max(0.0, min(float(value), cap))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            delta = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return min(1.0, cap)
        return max(0.0, min(delta, cap))
