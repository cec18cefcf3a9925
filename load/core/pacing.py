"""Pacing by a declared budget: every destination states its limit, the core keeps to it.

The five destinations throttle in different units: Twenty 100 requests per 60 s per workspace
(a continuously refilled token bucket), Salesforce API calls per rolling 24 h, Pipedrive
*tokens* (a POST costs 5, a GET 1-2) per 2 s burst and per day, Freshsales requests per account
per hour, monday *complexity points* per minute. So a :class:`Budget` names its unit, its
window and, where the destination has one, a daily cap; a request states its cost in that unit.

The bucket is our own rather than ``pyrate-limiter``'s: a destination's 429 says how empty the
*server's* bucket is (``X-RateLimit-Remaining``, ``Retry-After``, a new ``X-RateLimit-Limit``),
and the client must drain or reshape its own to match. pyrate-limiter's buckets can only be
asked for permits, not told the server's state; without the drain the 2 000 000-record
benchmark met 429s in bursts instead of 4 in 11 571 requests. Its burst is kept 10 % below the
server's (``reserve``): a request reaches the server's bucket a variable time after it left the
client's, and the headroom absorbs that jitter (tests/load/test_pacing_jitter.py).

Where the destination counts a *rolling* window (Pipedrive's 2 s burst, Freshsales' hour) the
bucket is the wrong shape: after a pause it lets its capacity plus a window's refill through
(108 + 120 requests in 2 s at Pipedrive's 120; 7 burst 429s on a 2 087-record run), so those
destinations pace with :class:`SlidingWindow`, which remembers when each request left. A window
of an hour can ask for a wait no load should sit through silently: ``max_wait`` turns such a
wait into :class:`WindowFull`, a clean stop (exit 14) the rerun resumes from. monday counts
*points* in a sliding minute (10 000 000 complexity a token), where one document may cost 4.8M:
``weighted=True`` makes the window count each request's cost instead of one (the token bucket
refilled behind two such documents and met 8 429s in the 50 000-record benchmark).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Budget:
    """What a destination allows: ``limit`` units per ``window`` seconds, and at most ``daily``
    units per UTC day where the destination counts one (Pipedrive, Salesforce)."""

    limit: int
    window: float
    unit: str = "requests"  # requests | tokens | complexity
    daily: int | None = None
    reserve: float = 0.1  # share of the server's burst the client never spends


class BudgetExhausted(RuntimeError):
    """The destination's daily budget would be exceeded: the load stops (and resumes from the
    ledger after the reset) instead of meeting refusals for the rest of the day."""


class TokenBucket:
    def __init__(
        self,
        limit: int,
        window: float,
        initial: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        reserve: float = 0.0,
    ) -> None:
        self.reserve = reserve
        self.capacity = self._capacity(limit)
        self.rate = limit / window
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self.tokens = self.capacity if initial is None else float(initial)
        self.updated = clock()
        self.lock = threading.Lock()

    def _capacity(self, limit: int) -> float:
        return float(limit) - (max(1.0, limit * self.reserve) if self.reserve else 0.0)

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def take(self, cost: float = 1.0) -> float:
        """Wait until ``cost`` tokens are available and take them; returns seconds waited."""
        waited = 0.0
        while True:
            with self.lock:
                self._refill()
                if self.tokens >= cost:
                    self.tokens -= cost
                    return waited
                wait = (cost - self.tokens) / self.rate
            self._sleep(wait)
            waited += wait

    def drain(self, seconds_until_refill: float | None = None, remaining: float = 0.0) -> None:
        """The server says its bucket is (nearly) empty."""
        with self.lock:
            self._refill()
            self.tokens = min(self.tokens, remaining)
            if seconds_until_refill:
                # tokens go negative so the next take waits that long
                self.tokens = min(self.tokens, 1 - seconds_until_refill * self.rate)

    def reshape(self, limit: int, window: float) -> None:
        with self.lock:
            self._refill()
            self.capacity = self._capacity(limit)
            self.rate = limit / window
            self.window = window
            self.tokens = min(self.tokens, self.capacity)


class WindowFull(BudgetExhausted):
    """The next request would wait ``wait`` seconds for the rolling window, past ``max_wait``."""

    def __init__(self, wait: float, max_wait: float) -> None:
        self.wait, self.max_wait = wait, max_wait
        super().__init__(
            f"the next request would wait {wait:,.0f} s for the destination's rolling window, "
            f"longer than the {max_wait:,.0f} s allowed; run the same command again later, the "
            "load resumes from its ledger"
        )


class SlidingWindow:
    """At most ``limit`` requests (less the reserve) in any rolling ``window`` seconds, as
    Pipedrive counts its burst and Freshsales its hour. Same interface as :class:`TokenBucket`
    (``take``, ``drain``, ``reshape``), so the core's retry loop follows a 429 with it; with
    ``max_wait``, a wait longer than that raises :class:`WindowFull` instead of sleeping."""

    def __init__(
        self,
        limit: int,
        window: float,
        reserve: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float | None = None,
        weighted: bool = False,
    ) -> None:
        self.window, self.reserve, self.max_wait = window, reserve, max_wait
        self.capacity = self._capacity(limit)
        self.sent: deque[float] = deque()
        self.weighted = weighted  # count each take's cost (monday's points), not one
        self.costs: deque[float] = deque()  # beside ``sent`` when weighted
        self.blocked_until = 0.0
        self._clock, self._sleep = clock, sleep
        self.lock = threading.Lock()

    def _capacity(self, limit: int) -> int:
        kept = max(1.0, limit * self.reserve) if self.reserve else 0.0
        return max(1, int(limit - kept))

    def _forget_old(self, now: float) -> None:
        while self.sent and self.sent[0] <= now - self.window:
            self.sent.popleft()
            if self.weighted:
                self.costs.popleft()

    def _weighted_wait(self, now: float, cost: float) -> float:
        """Seconds until ``cost`` more fits beside what the window holds (0: now; a cost above
        the whole capacity goes once the window is empty, and the server's own cap decides)."""
        excess = sum(self.costs) + cost - self.capacity
        if excess <= 0:
            return 0.0
        for moment, spent in zip(self.sent, self.costs, strict=True):
            excess -= spent
            if excess <= 0:
                return moment + self.window - now
        return self.sent[-1] + self.window - now if self.sent else 0.0

    def in_window(self) -> int:
        """Requests counted in the rolling window now."""
        with self.lock:
            self._forget_old(self._clock())
            return len(self.sent)

    def take(self, cost: float = 1.0) -> float:
        """Wait until one more request fits the window and count it; returns seconds waited
        (``cost`` is counted only when ``weighted``; else the window counts requests)."""
        waited = 0.0
        while True:
            with self.lock:
                now = self._clock()
                self._forget_old(now)
                wait = max(0.0, self.blocked_until - now)
                if not wait and self.weighted:
                    wait = self._weighted_wait(now, cost)
                elif not wait and len(self.sent) >= self.capacity:
                    wait = self.sent[-self.capacity] + self.window - now
                if wait <= 0:
                    self.sent.append(now)
                    if self.weighted:
                        self.costs.append(cost)
                    return waited
                if self.max_wait is not None and wait > self.max_wait:
                    raise WindowFull(wait, self.max_wait)
            self._sleep(wait)
            waited += wait

    def drain(self, seconds_until_refill: float | None = None, remaining: float = 0.0) -> None:
        """The server refused (429): send nothing until the wait it named is over."""
        with self.lock:
            self.blocked_until = self._clock() + (seconds_until_refill or 0.0)

    def reshape(self, limit: int, window: float) -> None:
        with self.lock:
            self.capacity, self.window = self._capacity(limit), window


def account_key(base_url: str, secret: str) -> str:
    """The key the clients of one destination account share their window or day under within
    a process (the secret hashed: a stand-in serves several accounts on one address)."""
    return f"{base_url.rstrip('/')}#{hashlib.sha256(secret.encode()).hexdigest()[:16]}"


@dataclass
class DailyBudget:
    """Units spent per UTC day against a destination's daily cap (None: no cap)."""

    cap: int | None
    spent: int = 0
    day: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())

    def spend(self, cost: int) -> None:
        today = dt.datetime.now(dt.UTC).date()
        if today != self.day:
            self.day, self.spent = today, 0
        if self.cap is not None and self.spent + cost > self.cap:
            raise BudgetExhausted(
                f"the destination's daily budget of {self.cap} would be exceeded "
                f"({self.spent} spent today); run the same command again after 00:00 UTC, "
                "the load resumes from its ledger"
            )
        self.spent += cost


class Pacer:
    """One budget's pacing: the window bucket and the daily cap together."""

    def __init__(self, budget: Budget, sleep: Callable[[float], None] = time.sleep) -> None:
        self.budget = budget
        self.bucket = TokenBucket(
            budget.limit,
            budget.window,
            initial=budget.limit / 10,
            reserve=budget.reserve,
            sleep=sleep,
        )
        self.daily = DailyBudget(budget.daily)

    def take(self, cost: int = 1) -> float:
        self.daily.spend(cost)
        return self.bucket.take(cost)


@dataclass
class RequestStats:
    by_kind: Counter[str] = field(default_factory=Counter)  # "GET /rest/people", ...
    statuses: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    waited: float = 0.0
    # the destination's own count against its daily allocation, as its last answer reported
    # it (Salesforce ``Sforce-Limit-Info: api-usage=used/max``); None where it reports none
    daily_used: int | None = None
    daily_max: int | None = None

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def writes(self) -> int:
        return sum(n for kind, n in self.by_kind.items() if not kind.startswith("GET "))
