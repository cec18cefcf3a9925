"""Sliding-window request budget: ``limit`` requests per ``window`` seconds per bucket.

The sandbox keeps one bucket per (key fingerprint, HTTP method). Only admitted requests are
recorded, so a rejected (429) request does not spend budget. ``Retry-After`` is the whole number
of seconds (rounded up, at least 1) until the oldest admitted request leaves the window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(self, limit: int, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str, method: str, record: bool = True) -> int | None:
        """Admit one request (None; recorded unless ``record`` is false), or refuse it: the
        seconds to wait (>= 1)."""
        with self._lock:
            # the clock is read under the lock: read before it, a thread that waited for the
            # lock appended an older time behind a newer one, the window's oldest hit then
            # stayed counted too long, and a client pacing exactly at the limit met 429s (500
            # in the 2 003 496-record run once the extraction no longer paused)
            now = self._clock()
            hits = self._hits.setdefault((key, method), deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) < self.limit:
                if record:
                    hits.append(now)
                return None
            return max(1, math.ceil(hits[0] + self.window - now))
