"""Client-side pacing of Bizstim GET requests across one or more API keys.

Bizstim allows a fixed number of requests per HTTP method per key in a rolling window
(1000 GETs per hour by default). dlt's stock retry helper would simply wait out 429s (capped at
300 s), which wastes requests and cannot plan an hours-long extraction, so the pacer spends each
key's budget exactly instead:

* every key has a sliding-window log of its last ``limit`` request timestamps;
* a request may start on a key only when fewer than ``limit`` of that key's requests *finished*
  within the last ``window`` seconds. Recording the finish time (not the send time) means the
  server, which counts arrivals, can never see more than ``limit`` requests inside one window,
  whatever the network latency;
* ``acquire()`` hands out the key that can send soonest, so all keys work in parallel;
* ``penalise()`` parks a key until a server-sent ``Retry-After`` has passed;
* the log survives restarts (one small append-only journal per key, named by the key's
  fingerprint, never the key), so a resumed run does not burst into a half-spent window.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:10]


@dataclass
class KeySlot:
    """One API key with its own request budget. ``label`` is safe to print; ``secret`` is not."""

    index: int
    secret: str = field(repr=False)
    finished: deque[float] = field(default_factory=deque)
    in_flight: int = 0
    blocked_until: float = 0.0
    requests: int = 0
    rejected: int = 0

    @property
    def label(self) -> str:
        return f"key{self.index + 1}:{fingerprint(self.secret)}"


class BudgetExhausted(RuntimeError):
    """The next request could only start after the caller's ``max_wait`` allows."""

    def __init__(self, wait_seconds: float) -> None:
        super().__init__(f"request budget exhausted for {wait_seconds:.0f} s on every key")
        self.wait_seconds = wait_seconds


class PoolClosed(BudgetExhausted):
    """The extraction stopped while this request waited for budget (a fetch-ahead thread)."""

    def __init__(self) -> None:
        Exception.__init__(self, "the extraction stopped while this request waited for budget")
        self.wait_seconds = 0.0


class KeyPool:
    def __init__(
        self,
        secrets: list[str] | tuple[str, ...],
        limit: int,
        window: float,
        journal_dir: Path | None = None,
        clock: Callable[[], float] = time.time,
        max_wait: float | None = None,
    ) -> None:
        if not secrets:
            raise ValueError("at least one API key is required")
        if limit < 1 or window <= 0:
            raise ValueError("rate limit and window must be positive")
        self.limit = limit
        self.window = window
        self.max_wait = max_wait
        self._clock = clock
        self._cond = threading.Condition()
        self._closed = False
        self.slots = [KeySlot(i, s) for i, s in enumerate(secrets)]
        self._journal_dir = journal_dir
        self._journals: dict[int, object] = {}
        if journal_dir is not None:
            journal_dir.mkdir(parents=True, exist_ok=True)
            for slot in self.slots:
                self._load_journal(slot)

    # -- persistence -------------------------------------------------------------------
    def _journal_path(self, slot: KeySlot) -> Path:
        assert self._journal_dir is not None
        return self._journal_dir / f"{fingerprint(slot.secret)}.log"

    def _load_journal(self, slot: KeySlot) -> None:
        path = self._journal_path(slot)
        horizon = self._clock() - self.window
        if path.exists():
            for line in path.read_text().split():
                try:
                    ts = float(line)
                except ValueError:
                    continue
                if ts > horizon:
                    slot.finished.append(ts)
            while len(slot.finished) > self.limit:
                slot.finished.popleft()
        # rewrite compactly, then append from here on
        path.write_text("".join(f"{ts:.6f}\n" for ts in slot.finished))
        self._journals[slot.index] = path.open("a", buffering=1)

    def close(self) -> None:
        """Close the journals; a request still waiting for budget raises :class:`PoolClosed`."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for handle in self._journals.values():
            handle.close()  # type: ignore[attr-defined]
        self._journals.clear()

    # -- scheduling --------------------------------------------------------------------
    def _ready_at(self, slot: KeySlot, now: float) -> float:
        horizon = now - self.window
        while slot.finished and slot.finished[0] <= horizon:
            slot.finished.popleft()
        used = len(slot.finished) + slot.in_flight
        ready = now if used < self.limit else float("inf")
        if used >= self.limit and slot.finished and len(slot.finished) >= used - self.limit + 1:
            # the oldest finished request that must leave the window before we may send
            ready = slot.finished[used - self.limit] + self.window
        return max(ready, slot.blocked_until)

    def next_ready(self) -> float:
        """Earliest time (clock seconds) at which some key may send, without reserving it."""
        with self._cond:
            now = self._clock()
            return min(self._ready_at(slot, now) for slot in self.slots)

    def acquire(self) -> KeySlot:
        """Block until some key may send; reserve one request on it and return it."""
        with self._cond:
            while True:
                if self._closed:
                    raise PoolClosed()
                now = self._clock()
                best = min(
                    self.slots, key=lambda s: (self._ready_at(s, now), s.in_flight, s.requests)
                )
                ready = self._ready_at(best, now)
                if ready <= now:
                    best.in_flight += 1
                    best.requests += 1
                    return best
                wait = ready - now if ready != float("inf") else 0.05
                if self.max_wait is not None and wait > self.max_wait:
                    raise BudgetExhausted(wait)
                self._cond.wait(timeout=min(wait, 1.0))

    def release(self, slot: KeySlot) -> None:
        """The request on ``slot`` finished. Every attempt counts, even a rejected or failed
        one: we cannot know whether the server charged it, so we assume it did."""
        with self._cond:
            slot.in_flight -= 1
            ts = self._clock()
            slot.finished.append(ts)
            journal = self._journals.get(slot.index)
            if journal is not None:
                journal.write(f"{ts:.6f}\n")  # type: ignore[attr-defined]
            self._cond.notify_all()

    def penalise(self, slot: KeySlot, retry_after: float) -> None:
        with self._cond:
            slot.rejected += 1
            slot.blocked_until = max(slot.blocked_until, self._clock() + retry_after)
            self._cond.notify_all()

    def requests_per_key(self) -> dict[str, int]:
        return {slot.label: slot.requests for slot in self.slots}
