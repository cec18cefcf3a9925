"""Per-workspace token bucket (reference §7): continuous refill of ``limit / window`` tokens per
second, burst = ``limit``, one token per API request."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds, >= 1 when refused
    reset_epoch: int  # epoch seconds when the next token is available


@dataclass
class TokenBucket:
    limit: int  # 0 = rate limiting off
    window: float  # seconds
    _tokens: float = field(init=False)
    _stamp: float = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._tokens = float(self.limit)
        self._stamp = time.monotonic()

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def take(self) -> Decision:
        rate = self.limit / self.window
        with self._lock:
            now = time.monotonic()
            self._tokens = min(float(self.limit), self._tokens + (now - self._stamp) * rate)
            self._stamp = now
            allowed = self._tokens >= 1.0
            if allowed:
                self._tokens -= 1.0
            missing = max(0.0, 1.0 - self._tokens)
            retry = max(1, math.ceil(missing / rate)) if not allowed else 0
            return Decision(allowed, self.limit, int(self._tokens), retry,
                            math.ceil(time.time() + missing / rate))
