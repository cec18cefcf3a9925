"""monday's request limits in the stand-in: the daily call count, the minute's complexity budget,
the per-document cap and create_board's own minute (destinations-2.md §4.3, §4.11 rules 3-5).

On Standard an account gets 1 000 calls a day (Free/Trial 200, Pro 10 000, Enterprise 25 000),
"all requests—even failed ones—count", and a personal token spends at most 10 000 000
complexity points a minute with ~10 000 per ``create_item``: a one-item-per-call loader meets
the day's wall after 1 000 items, so the loader's batching, its clean stop (exit 14) and its
resume after midnight are what these rules exercise.

The app calls, per ``POST /v2`` of a known token: :meth:`Limits.count_call` before anything
else (the day: counted even when parsing, validation or any later check refuses the request),
then, once the document validated, :meth:`Limits.charge` (cap, create_board minute, complexity
minute). Test hooks never reach either, nor ``PUT /_upload`` / ``GET /_reports`` (not /v2).

Choices where the reference is silent ([?] there), written here and in the loader's budget:

* The day is the stand-in clock's UTC date; a refused request counts too (it was a call).
  Past the plan's count: 429, ``Retry-After`` = whole seconds to the next 00:00 UTC (at least
  1), body ``{"errors":[{"message":"Daily limit exceeded","extensions":{"code":
  "DAILY_LIMIT_EXCEEDED","retry_in_seconds":N}}]}``.
* The minute is sliding: a charge leaves it 60 s after it was admitted. A document that does not
  fit: 429, ``Retry-After`` = ``retry_in_seconds`` = whole seconds until enough has left,
  code ``COMPLEXITY_BUDGET_EXHAUSTED``, message "Complexity budget exhausted"; not charged. The
  minute is per token (monday's budget is per account token), the day per account.
* A document over 5 000 000 points: HTTP 200 ``{"data":null,"errors":[{"message",
  "extensions":{"code":"maxComplexityExceeded","complexity":N,"maxComplexity":5000000}}]}``,
  not charged (monday's name for a single query that is too complex).
* ``create_board``: at most 40 in any 60 s per account; the document that would pass it gets
  429 ``Call limit exceeded for CreateBoard`` (code ``RATE_LIMIT_EXCEEDED``,
  ``retry_in_seconds``, ``Retry-After``) and is not charged.
* ``complexity { before after query reset_in_x_seconds }``: the minute's remainder before and
  after this document's charge, the charge, and whole seconds until the minute's last charge
  leaves it (the budget is whole again).
* No rate headers: monday documents none; the ``complexity`` field is how a client reads its
  budget. ``Retry-After`` is on every 429.
* The counts live in memory: a restarted stand-in starts a fresh minute and day.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sandbox.freshsales.limits import RollingWindow
from sandbox.httpbase import Response
from sandbox.monday.complexity import MAX_PER_QUERY, Cost

PLAN_DAILY = {
    "free": 200,
    "trial": 200,
    "basic": 1_000,
    "standard": 1_000,
    "pro": 10_000,
    "enterprise": 25_000,
}
DEFAULT_PLAN = "standard"
PER_MINUTE = 10_000_000
CREATE_BOARD_PER_MINUTE = 40
MINUTE_S = 60.0


class Clock(Protocol):
    def now(self) -> datetime: ...


def daily_for(plan: str) -> int:
    """The plan's calls a day (Free/Trial 200, Basic/Standard 1 000, Pro 10 000, Ent. 25 000)."""
    if plan not in PLAN_DAILY:
        raise ValueError(f"unknown plan {plan!r}: one of {', '.join(PLAN_DAILY)}")
    return PLAN_DAILY[plan]


@dataclass(frozen=True)
class Charge:
    """An admitted document's charge, what ``complexity { ... }`` answers."""

    before: int
    after: int
    query: int
    reset_in_x_seconds: int

    def as_field(self) -> dict[str, int]:
        return {
            "before": self.before,
            "after": self.after,
            "query": self.query,
            "reset_in_x_seconds": self.reset_in_x_seconds,
        }


@dataclass
class Day:
    limit: int
    day: date | None = None
    used: int = 0


@dataclass
class _Account:
    day: Day
    boards: RollingWindow = field(default_factory=lambda: RollingWindow(MINUTE_S))


class Limits:
    """Every account's day and create_board minute, every token's complexity minute."""

    def __init__(
        self,
        clock: Clock,
        *,
        per_minute: int = PER_MINUTE,
        daily_override: int | None = None,
        create_board_per_minute: int = CREATE_BOARD_PER_MINUTE,
    ) -> None:
        if per_minute < 1 or create_board_per_minute < 1:
            raise ValueError("limits must be positive")
        self.clock, self.per_minute = clock, per_minute
        self.daily_override, self.create_board_per_minute = daily_override, create_board_per_minute
        self._lock = threading.Lock()
        self._accounts: dict[str, _Account] = {}
        self._minutes: dict[str, RollingWindow] = {}

    def configure(
        self, account: str, *, plan: str = DEFAULT_PLAN, daily: int | None = None
    ) -> None:
        """The account's day: ``daily`` (else the stand-in's override, else the plan's count).
        What was counted today stays counted."""
        limit = daily if daily is not None else self.daily_override or daily_for(plan)
        if limit < 1:
            raise ValueError("the daily limit must be at least one call")
        with self._lock:
            self._account(account).day.limit = limit

    def count_call(self, account: str, request_id: str | None = None) -> Response | None:
        """Count one /v2 call of ``account``; the 429 when the day's calls were already spent."""
        now = self.clock.now()
        with self._lock:
            day = self._today(account, now)
            day.used += 1
            if day.used <= day.limit:
                return None
        wait = _seconds_to_midnight(now)
        message = f"Daily limit exceeded: {day.limit} calls a day; the count resets at 00:00 UTC"
        return _too_many(message, "DAILY_LIMIT_EXCEEDED", wait, request_id)

    def charge(
        self, account: str, token_key: str, cost: Cost, request_id: str | None = None
    ) -> Charge | Response:
        """Admit a validated document of ``cost`` for the token ``token_key`` (a fingerprint):
        its :class:`Charge`, or the answer that refuses it (nothing charged then)."""
        if cost.total > MAX_PER_QUERY:
            return _too_complex(cost.total, request_id)
        now = self.clock.now().timestamp()
        with self._lock:
            boards = self._account(account).boards
            if cost.create_boards:
                room = self.create_board_per_minute - cost.create_boards + 1
                wait = boards.wait_for_slot(now, room) if room >= 1 else math.ceil(MINUTE_S)
                if wait:
                    message = "Call limit exceeded for CreateBoard"
                    return _too_many(message, "RATE_LIMIT_EXCEEDED", wait, request_id)
            minute = self._minutes.setdefault(token_key, RollingWindow(MINUTE_S))
            before = max(self.per_minute - minute.used(now), 0)
            if cost.total > before:
                room = self.per_minute - cost.total + 1
                wait = minute.wait_for_slot(now, room) if room >= 1 else math.ceil(MINUTE_S)
                message = "Complexity budget exhausted"
                return _too_many(message, "COMPLEXITY_BUDGET_EXHAUSTED", max(wait, 1), request_id)
            if cost.total:
                minute.book(now, cost.total)
            if cost.create_boards:
                boards.book(now, cost.create_boards)
            reset = minute.wait_for_slot(now, 1)
            return Charge(before, before - cost.total, cost.total, reset)

    def set_daily_used(self, account: str, used: int) -> None:
        """Today's count for ``account`` (the ``/_sandbox/daily`` hook)."""
        if used < 0:
            raise ValueError("used must not be negative")
        with self._lock:
            self._today(account, self.clock.now()).used = used

    def state(self, account: str) -> dict[str, Any]:
        now = self.clock.now()
        with self._lock:
            day = self._today(account, now)
            return {"account": account, "daily_limit": day.limit, "daily_used": day.used}

    def _account(self, account: str) -> _Account:
        known = self._accounts.get(account)
        if known is None:  # unconfigured: the override, else Standard's day (the default plan)
            limit = self.daily_override or daily_for(DEFAULT_PLAN)
            known = self._accounts[account] = _Account(Day(limit))
        return known

    def _today(self, account: str, now: datetime) -> Day:
        day = self._account(account).day
        today = now.date()
        if day.day != today:
            day.day, day.used = today, 0
        return day


def _seconds_to_midnight(now: datetime) -> int:
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    return max(math.ceil((midnight - now).total_seconds()), 1)


def _envelope(errors: list[dict[str, Any]], request_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"errors": errors}
    if request_id is not None:
        body["extensions"] = {"request_id": request_id}
    return body


def _too_many(message: str, code: str, wait: int, request_id: str | None) -> Response:
    extensions = {"code": code, "retry_in_seconds": wait}
    body = _envelope([{"message": message, "extensions": extensions}], request_id)
    return Response(429, body, headers={"Retry-After": str(wait)})


def _too_complex(total: int, request_id: str | None) -> Response:
    message = f"Query has complexity of {total}, which exceeds max complexity of {MAX_PER_QUERY}"
    extensions = {"code": "maxComplexityExceeded", "complexity": total}
    extensions["maxComplexity"] = MAX_PER_QUERY
    body = {"data": None, **_envelope([{"message": message, "extensions": extensions}], request_id)}
    return Response(200, body)
