"""Freshsales' request limits in the stand-in: a rolling hour per account, optionally a minute.

Freshsales meters the whole account, every API call of every integration: 1 000 requests an hour
on Free and Growth, 2 000 on Pro, 5 000 on Enterprise, and Classic accounts also 400 a minute,
429 past either (destinations-2.md §3.3, §3.10 item 5, §3.11 rule 8; destinations.md §3.4). At
1 000 an hour a 20 000-record load spends a day, so the loader's pacing, its stop at exit 14 and
its resume are what the stand-in must exercise; both windows are enforced here.

Choices where the reference is silent ([?] there):

* The hour is rolling (a request leaves the count 3 600 s after it was made): Freshsales says "per
  hour" without saying whether the hour is fixed; a rolling hour is the stricter of the two, so a
  loader that fits it fits a fixed hour too. The minute is rolling the same way.
* Time is the stand-in's clock (``/_sandbox/clock/advance``): a test or the benchmark moves an hour
  on without waiting one.
* Counted: every request from a known key that is not refused for the limit, whatever its answer,
  4xx included (validation 400s, 403s, 404s): the hour "covers every API call" (§3.10 item 5),
  and monday's docs say the same of failed calls. Not counted: a 429 from this limit (it did no
  work; the loader's retry is what counts) and a request without a valid key (no account to
  charge). Test hooks (``/_sandbox/...``) are never counted.
* ``Retry-After`` on a 429: whole seconds until a slot frees in the window that refused (the
  minute if both are full and the minute frees later), at least 1.
* 429 body, in the shape of Freshsales' other errors (§3.4 and the 401 of rule 1):
  ``{"errors": {"code": 429, "message": "<which limit, how many, when a slot frees>"}}``.
* Headers ``X-RateLimit-Total`` (the hour's requests), ``X-RateLimit-Remaining`` (left in the
  hour after this request) and ``X-RateLimit-Used-CurrentRequest`` (1; 0 on a 429) on every answer:
  Freshdesk's names, unconfirmed for Freshsales ([?] in §3.3), so ``rate_headers=False`` leaves
  them out (``Retry-After`` on a 429 stays).
* ``set_used`` (the ``/_sandbox/hour/used`` hook) books the requests at the current moment, as if
  the customer's other integrations had just spent them: they free up an hour later.
* The counts live in memory: a restarted stand-in starts with an empty hour.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sandbox.httpbase import Response

PLAN_HOURLY = {"free": 1000, "growth": 1000, "pro": 2000, "enterprise": 5000}
CLASSIC_PER_MINUTE = 400
HOUR_S = 3600.0
MINUTE_S = 60.0


class Clock(Protocol):
    def now(self) -> datetime: ...


def hourly_for(plan: str) -> int:
    """The plan's requests per hour (Free/Growth 1 000, Pro 2 000, Enterprise 5 000)."""
    if plan not in PLAN_HOURLY:
        raise ValueError(f"unknown plan {plan!r}: one of {', '.join(PLAN_HOURLY)}")
    return PLAN_HOURLY[plan]


class RollingWindow:
    """Requests in the last ``span_s`` seconds, kept as (moment, count) bookings."""

    def __init__(self, span_s: float) -> None:
        self.span_s = span_s
        self._bookings: deque[tuple[float, int]] = deque()

    def used(self, now: float) -> int:
        self._expire(now)
        return sum(count for _, count in self._bookings)

    def book(self, now: float, count: int = 1) -> None:
        if self._bookings and self._bookings[-1][0] == now:
            count += self._bookings.pop()[1]
        self._bookings.append((now, count))

    def reset_to(self, now: float, count: int) -> None:
        self._bookings.clear()
        if count > 0:
            self._bookings.append((now, count))

    def wait_for_slot(self, now: float, limit: int) -> int:
        """Whole seconds until fewer than ``limit`` requests are in the window (0: now)."""
        excess = self.used(now) - limit + 1
        for moment, count in self._bookings:
            if excess <= 0:
                break
            excess -= count
            if excess <= 0:
                return max(math.ceil(moment + self.span_s - now), 1)
        return 0

    def _expire(self, now: float) -> None:
        start = now - self.span_s
        bookings = self._bookings
        while bookings and bookings[0][0] <= start:
            bookings.popleft()
        if bookings and bookings[-1][0] > now:  # the clock was set back: forget the future
            self._bookings = deque((m, c) for m, c in bookings if m <= now)


@dataclass
class AccountLimits:
    hourly: int
    per_minute: int | None
    hour: RollingWindow = field(default_factory=lambda: RollingWindow(HOUR_S))
    minute: RollingWindow = field(default_factory=lambda: RollingWindow(MINUTE_S))


class RequestLimits:
    """Every account's rolling hour (and minute); thread-safe."""

    def __init__(self, clock: Clock, *, rate_headers: bool = True) -> None:
        self.clock, self.rate_headers = clock, rate_headers
        self._lock = threading.Lock()
        self._accounts: dict[str, AccountLimits] = {}

    def configure(
        self,
        account: str,
        *,
        plan: str = "growth",
        hourly: int | None = None,
        per_minute: int | None = None,
    ) -> None:
        """The account's limits: the plan's hour unless ``hourly`` overrides it; ``per_minute``
        (Classic's 400) or None for no minute limit. What was counted so far stays counted."""
        hour = hourly if hourly is not None else hourly_for(plan)
        if hour < 1 or (per_minute is not None and per_minute < 1):
            raise ValueError("limits must be at least one request")
        with self._lock:
            known = self._accounts.get(account)
            if known is None:
                self._accounts[account] = AccountLimits(hour, per_minute)
            else:
                known.hourly, known.per_minute = hour, per_minute

    def admit(self, account: str) -> Response | None:
        """Count one request of ``account``; a 429 (not counted) when a window is full."""
        now = self._now()
        with self._lock:
            limits = self._limits(account)
            used_hour = limits.hour.used(now)
            waits: list[tuple[int, str]] = []
            if used_hour >= limits.hourly:
                wait = limits.hour.wait_for_slot(now, limits.hourly)
                waits.append((wait, f"{limits.hourly} requests per hour"))
            if limits.per_minute is not None and limits.minute.used(now) >= limits.per_minute:
                wait = limits.minute.wait_for_slot(now, limits.per_minute)
                waits.append((wait, f"{limits.per_minute} requests per minute"))
            if waits:
                wait, which = max(waits)
                remaining = max(limits.hourly - used_hour, 0)
                return _too_many(which, wait, self._rate(limits.hourly, remaining, counted=False))
            limits.hour.book(now)
            limits.minute.book(now)
        return None

    def headers(self, account: str) -> dict[str, str]:
        """The rate headers for an answer that was counted (empty when they are off)."""
        now = self._now()
        with self._lock:
            limits = self._limits(account)
            remaining = max(limits.hourly - limits.hour.used(now), 0)
            return self._rate(limits.hourly, remaining)

    def used(self, account: str) -> int:
        with self._lock:
            return self._limits(account).hour.used(self._now())

    def set_used(self, account: str, used: int) -> None:
        """The hour's count, booked now as the customer's other integrations' (test hook)."""
        if used < 0:
            raise ValueError("used must not be negative")
        now = self._now()
        with self._lock:
            limits = self._limits(account)
            limits.hour.reset_to(now, used)
            limits.minute.reset_to(now, 0)

    def state(self, account: str) -> dict[str, Any]:
        now = self._now()
        with self._lock:
            limits = self._limits(account)
            return {
                "account": account,
                "hourly": limits.hourly,
                "used": limits.hour.used(now),
                "per_minute": limits.per_minute,
                "used_this_minute": limits.minute.used(now),
            }

    def _limits(self, account: str) -> AccountLimits:
        known = self._accounts.get(account)
        if known is None:  # an account nobody configured gets Growth's hour, the default plan
            known = self._accounts[account] = AccountLimits(hourly_for("growth"), None)
        return known

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _rate(self, total: int, remaining: int, counted: bool = True) -> dict[str, str]:
        if not self.rate_headers:
            return {}
        return {
            "X-RateLimit-Total": str(total),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Used-CurrentRequest": "1" if counted else "0",
        }


def _too_many(which: str, wait: int, rate: dict[str, str]) -> Response:
    message = f"API rate limit of {which} exceeded; a request is allowed again in {wait} s"
    body = {"errors": {"code": 429, "message": message}}
    return Response(429, body, headers={**rate, "Retry-After": str(wait)})
