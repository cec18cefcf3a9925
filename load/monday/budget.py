"""monday's budgets in the loader: a day of calls by plan, a minute of complexity, an hour of
ingest items (destinations-2.md §4.3, §4.11 rules 3, 4 and 9).

The day decides everything on small plans: 1 000 calls on Basic and Standard (200 on Free, 10 000
on Pro, 25 000 on Enterprise), every call counted, refused ones too, reset at 00:00 UTC. A
one-item-per-call loader lands 1 000 items a day on Standard, so the write path sends 10 000
rows per ``ingest_items`` job (a handful of calls) and ≤ 500 aliases per mutation document, and
this module keeps to a share of the day (``MONDAY_BUDGET_SHARE``, default 80 %: the customer's
own integrations keep working), counting this process's calls from what the account reported
at the start (``platform_api { daily_analytics { by_day { usage } } }``, read once by the
session where monday serves it). When the share is spent, or monday answers
``DAILY_LIMIT_EXCEEDED``, the load stops cleanly (:class:`DailyCallsSpent`, a
:class:`~load.core.pacing.BudgetExhausted`: exit 14) and the same command resumes from the
ledger after the reset; it waits instead only where the reset is closer than
``MONDAY_MAX_WAIT_S`` (default 600 s).

The minute: 10 000 000 complexity points per personal token (``MONDAY_COMPLEXITY_PER_MINUTE``),
paced with the core's token bucket at the model's price of each document
(:mod:`load.monday.complexity`); a ``COMPLEXITY_BUDGET_EXHAUSTED`` 429 drains the bucket for its
``Retry-After``. The hour: 19 000 items created or updated through ``ingest_items`` per rolling
hour per account (:class:`ItemsHour`, the write path's ``IngestWindow``); a job is admitted when
its rows fit, waited for up to ``MONDAY_MAX_WAIT_S``, else the load stops the same way.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from common.errors import ConfigError
from common.settings import _lookup, positive
from load.core.pacing import Budget, BudgetExhausted

DAILY_CALLS = {
    "free": 200,
    "trial": 200,
    "basic": 1_000,
    "standard": 1_000,
    "pro": 10_000,
    "enterprise": 25_000,
}
DEFAULT_PLAN = "standard"
DEFAULT_SHARE = 0.8
DEFAULT_MAX_WAIT = 600.0
COMPLEXITY_PER_MINUTE = 10_000_000
INGEST_ITEMS_PER_HOUR = 19_000
HOUR = 3_600.0


class DailyCallsSpent(BudgetExhausted):
    """The day's share of calls is spent (or monday said DAILY_LIMIT_EXCEEDED)."""


class IngestHourSpent(BudgetExhausted):
    """The next ingest job would wait past MONDAY_MAX_WAIT_S for the account's item hour."""


@dataclass(frozen=True)
class Allowance:
    """The account's day (``daily`` calls) and the share this load may use, the minute's
    complexity, the ingest hour, the longest wait, and where the day came from."""

    daily: int
    share: float = DEFAULT_SHARE
    per_minute: int = COMPLEXITY_PER_MINUTE
    items_per_hour: int = INGEST_ITEMS_PER_HOUR
    max_wait: float = DEFAULT_MAX_WAIT
    source: str = "assumed (Standard)"

    @property
    def stop_at(self) -> int:
        return max(1, int(self.daily * self.share))

    @property
    def budget(self) -> Budget:
        return Budget(self.per_minute, 60.0, unit="complexity", reserve=0.05)


def allowance() -> Allowance:
    """From MONDAY_PLAN / MONDAY_DAILY_CALLS / MONDAY_BUDGET_SHARE /
    MONDAY_COMPLEXITY_PER_MINUTE / MONDAY_INGEST_ITEMS_PER_HOUR / MONDAY_MAX_WAIT_S."""
    plan = str(_lookup("monday_plan") or DEFAULT_PLAN).strip().lower()
    if plan not in DAILY_CALLS:
        raise ConfigError(
            f"MONDAY_PLAN must be one of {', '.join(DAILY_CALLS)}; got {plan!r} (or set "
            "MONDAY_DAILY_CALLS to the account's calls a day)"
        )
    daily_raw, share_raw = _lookup("monday_daily_calls"), _lookup("monday_budget_share")
    minute_raw, hour_raw = (
        _lookup("monday_complexity_per_minute"),
        _lookup("monday_ingest_items_per_hour"),
    )
    wait_raw = _lookup("monday_max_wait_s")
    share = positive("MONDAY_BUDGET_SHARE", share_raw, float) if share_raw else DEFAULT_SHARE
    if share > 1:
        raise ConfigError(f"MONDAY_BUDGET_SHARE is a share from 0 to 1; got {share_raw!r}")
    if daily_raw is not None:
        daily, source = positive("MONDAY_DAILY_CALLS", daily_raw, int), "configured"
    else:
        daily = DAILY_CALLS[plan]
        given = _lookup("monday_plan") is not None
        source = plan.title() if given else "assumed (Standard)"
    return Allowance(
        daily,
        float(share),
        positive("MONDAY_COMPLEXITY_PER_MINUTE", minute_raw, int)
        if minute_raw
        else COMPLEXITY_PER_MINUTE,
        positive("MONDAY_INGEST_ITEMS_PER_HOUR", hour_raw, int)
        if hour_raw
        else INGEST_ITEMS_PER_HOUR,
        positive("MONDAY_MAX_WAIT_S", wait_raw, float) if wait_raw else DEFAULT_MAX_WAIT,
        source,
    )


def seconds_to_midnight(now: dt.datetime | None = None) -> float:
    moment = now or dt.datetime.now(dt.UTC)
    tomorrow = (moment + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1.0, (tomorrow - moment).total_seconds())


class DailyCalls:
    """This load's calls today against the share of the account's day."""

    def __init__(self, allowance: Allowance, used_before: int = 0) -> None:
        self.allowance, self.used_before, self.calls = allowance, used_before, 0
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        return self.used_before + self.calls

    def spend(self) -> None:
        with self._lock:
            if self.used + 1 > self.allowance.stop_at:
                raise DailyCallsSpent(
                    f"monday's day is spent: {self.used:,} of the {self.allowance.daily:,} calls "
                    f"a day ({self.allowance.source}) used, {self.allowance.share:.0%} kept for "
                    "this load; run the same command again after 00:00 UTC, the load resumes "
                    "from its ledger"
                )
            self.calls += 1

    def refused_by_monday(self, retry_after: float | None) -> None:
        """monday answered DAILY_LIMIT_EXCEEDED: stop, unless the reset is near enough."""
        wait = retry_after if retry_after is not None else seconds_to_midnight()
        if wait > self.allowance.max_wait:
            raise DailyCallsSpent(
                f"monday refused the call: DAILY_LIMIT_EXCEEDED (the account's {self.used:,} "
                f"calls today include other integrations'); the day resets in {wait:,.0f} s, "
                f"longer than MONDAY_MAX_WAIT_S={self.allowance.max_wait:,.0f}; run the same "
                "command again after 00:00 UTC, the load resumes from its ledger"
            )


class ItemsHour:
    """The account's rolling hour of ingest items (the write path's ``IngestWindow``)."""

    def __init__(
        self,
        allowance: Allowance,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit, self.max_wait = allowance.items_per_hour, allowance.max_wait
        self.spent: deque[tuple[float, int]] = deque()
        self.full_until = 0.0
        self._clock, self._sleep = clock, sleep

    def used(self) -> int:
        now = self._clock()
        while self.spent and self.spent[0][0] <= now - HOUR:
            self.spent.popleft()
        return sum(items for _, items in self.spent)

    def room(self) -> int:
        """Items the hour still takes now (0 while monday said it is full)."""
        if self._clock() < self.full_until:
            return 0
        return max(0, self.limit - self.used())

    def admit(self, items: int) -> None:
        if items > self.limit:
            raise ValueError(f"a job of {items} rows is larger than the hour ({self.limit})")
        while True:
            now = self._clock()
            wait = max(0.0, self.full_until - now)
            if not wait and self.used() + items > self.limit:
                freed, needed = 0, self.used() + items - self.limit
                for moment, spent in self.spent:
                    freed += spent
                    if freed >= needed:
                        wait = moment + HOUR - now
                        break
            if wait <= 0:
                self.spent.append((now, items))
                return
            if wait > self.max_wait:
                raise IngestHourSpent(
                    f"the next ingest job of {items:,} rows would wait {wait:,.0f} s for "
                    f"monday's {self.limit:,} ingest items an hour, longer than "
                    f"MONDAY_MAX_WAIT_S={self.max_wait:,.0f}; run the same command again "
                    "later, the load resumes from its ledger"
                )
            self._sleep(wait)

    def refused(self, items: int) -> None:
        now = self._clock()
        for index in range(len(self.spent) - 1, -1, -1):
            if self.spent[index][1] == items:
                del self.spent[index]
                break
        self.full_until = now + HOUR
