"""Pipedrive's token-based rate limits (§2.11 rule 11; destinations.md §2.4): a daily token
budget per company and a 2-second burst window, both answered with 429 when exhausted.

Since Dec 2024 every request costs its operation's ``x-token-cost`` (``contract.py``: a v2
create 5, a list 10, a search 20, a merge 40) out of a company-wide day of
``30 000 * plan multiplier * seats`` tokens (Lite 1, Growth 2, Premium 5, Ultimate 7: a
5-seat Growth company has 300 000), shared with the customer's own UI use, and "blocks until
the next day" once spent (destinations-2.md §2.10 pitfall 4). On top, ``api_token`` callers
get 20/40/80/100/120 requests per rolling 2 s by plan (Lite/Growth/Professional/Premium/
Ultimate). A loader that ignores either stalls a migration for a day, so both are enforced.

Choices where the reference is silent ([?] there):

* The day is the UTC day of the stand-in clock (the reference leaves the reset timezone
  open); ``clock/advance`` past midnight gives a fresh budget.
* A request whose cost exceeds what is left is refused whole (no partial spend), so a
  40-token merge can be refused while 5-token writes still pass.
* A request refused with 429 is not charged and does not count in the burst window: it did
  no work. (Requests the contract refuses with 4xx are charged by the app: they reached the
  API and Pipedrive meters what reaches it.)
* The burst window counts requests per account (the company's one integration token).
* The 429 body is ``{"success": false, "error": "Too Many Requests", "error_info": <which
  limit and when it resets>, "errorCode": 429}``: the text tells burst from daily, which
  client-nodejs#725 asks for.
* Headers on every answer: the legacy ``x-ratelimit-limit`` / ``-remaining`` / ``-reset``
  (whole seconds until the window frees a slot) for the burst window, and for the day
  ``x-daily-tokens-limit`` / ``-left`` / ``-reset`` (seconds to UTC midnight); the real names
  are undocumented, so ``daily_headers`` renames them or (None) leaves them out. While a
  limit is hit, ``retry-after`` gives the seconds until it frees.
* The budget lives in memory: a restarted stand-in starts the day with nothing spent
  (``/_sandbox/budget/used`` sets it again).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sandbox.pipedrive.refusal import Refusal

BASE_DAILY = 30_000
MULTIPLIER = {"lite": 1, "growth": 2, "premium": 5, "ultimate": 7}
BURST = {"lite": 20, "growth": 40, "professional": 80, "premium": 100, "ultimate": 120}
WINDOW_S = 2.0
DAILY_HEADERS = {
    "limit": "x-daily-tokens-limit",
    "left": "x-daily-tokens-left",
    "reset": "x-daily-tokens-reset",
}


class Clock(Protocol):
    def now(self) -> datetime: ...


def daily_for(plan: str, seats: int) -> int:
    """``30 000 * multiplier * seats``; Professional has no published multiplier."""
    if plan not in MULTIPLIER:
        raise ValueError(f"plan {plan!r} has no published multiplier: give the daily budget")
    if seats < 1:
        raise ValueError("seats must be at least 1")
    return BASE_DAILY * MULTIPLIER[plan] * seats


class TokenBudget:
    def __init__(
        self,
        daily: int,
        burst: int,
        window_s: float = WINDOW_S,
        *,
        clock: Clock,
        daily_headers: dict[str, str] | None = DAILY_HEADERS,
    ) -> None:
        self.daily, self.burst, self.window_s = daily, burst, window_s
        self.clock, self.daily_headers = clock, daily_headers
        self._lock = threading.Lock()
        self._spent: dict[str, tuple[date, int]] = {}
        self._recent: dict[str, deque[float]] = {}

    @classmethod
    def for_plan(cls, plan: str, seats: int, clock: Clock, daily: int | None = None) -> TokenBudget:
        """The plan's budget; ``daily`` overrides it (top-ups, ``PIPEDRIVE_DAILY_TOKENS``)."""
        if plan not in BURST:
            raise ValueError(f"unknown plan {plan!r}: one of {', '.join(BURST)}")
        return cls(daily if daily is not None else daily_for(plan, seats), BURST[plan], clock=clock)

    def charge(self, account_id: str, cost: int) -> Refusal | None:
        """Count one request costing ``cost`` tokens; a 429 Refusal (nothing counted) if a
        limit is hit."""
        now = self._now()
        with self._lock:
            recent = self._window(account_id, now)
            if len(recent) >= self.burst:
                return _too_many(
                    f"Burst limit of {self.burst} requests per {self.window_s:g} s reached; "
                    f"retry in {self._burst_reset(recent, now)} s"
                )
            spent = self._spent_today(account_id, now)
            if spent + cost > self.daily:
                return _too_many(
                    f"Daily budget of {self.daily} tokens used up ({spent} spent, this request "
                    f"costs {cost}); it resets at 00:00 UTC, in {_to_midnight(now)} s"
                )
            self._spent[account_id] = (now.date(), spent + cost)
            recent.append(now.timestamp())
        return None

    def used(self, account_id: str) -> int:
        with self._lock:
            return self._spent_today(account_id, self._now())

    def set_used(self, account_id: str, tokens: int) -> None:
        """Today's spending, as if the customer's own users had spent it (test hook)."""
        if tokens < 0:
            raise ValueError("tokens must not be negative")
        with self._lock:
            self._spent[account_id] = (self._now().date(), tokens)

    def headers(self, account_id: str) -> dict[str, str]:
        now = self._now()
        with self._lock:
            recent = self._window(account_id, now)
            spent = self._spent_today(account_id, now)
            burst_reset = self._burst_reset(recent, now)
        out = {
            "x-ratelimit-limit": str(self.burst),
            "x-ratelimit-remaining": str(max(self.burst - len(recent), 0)),
            "x-ratelimit-reset": str(burst_reset),
        }
        left = max(self.daily - spent, 0)
        if self.daily_headers is not None:
            out[self.daily_headers["limit"]] = str(self.daily)
            out[self.daily_headers["left"]] = str(left)
            out[self.daily_headers["reset"]] = str(_to_midnight(now))
        if len(recent) >= self.burst:
            out["retry-after"] = str(burst_reset)
        elif left == 0:
            out["retry-after"] = str(_to_midnight(now))
        return out

    def _now(self) -> datetime:
        return self.clock.now().astimezone(UTC)

    def _window(self, account_id: str, now: datetime) -> deque[float]:
        recent = self._recent.setdefault(account_id, deque())
        start = now.timestamp() - self.window_s
        while recent and (recent[0] <= start or recent[0] > now.timestamp()):
            recent.popleft()  # out of the window (or from before the clock was set back)
        return recent

    def _burst_reset(self, recent: deque[float], now: datetime) -> int:
        if not recent:
            return 0
        return max(math.ceil(recent[0] + self.window_s - now.timestamp()), 1)

    def _spent_today(self, account_id: str, now: datetime) -> int:
        day, spent = self._spent.get(account_id, (now.date(), 0))
        return spent if day == now.date() else 0


def _to_midnight(now: datetime) -> int:
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    return max(math.ceil((midnight - now).total_seconds()), 1)


def _too_many(info: str) -> Refusal:
    body: dict[str, Any] = {
        "success": False,
        "error": "Too Many Requests",
        "error_info": info,
        "errorCode": 429,
    }
    return Refusal(429, body)
