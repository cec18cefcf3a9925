"""Freshsales' request budget in the loader: a rolling hour per account, shared with the customer.

Freshsales meters the whole account, not an integration: 1 000 requests per hour on Free and
Growth, 2 000 on Pro, 5 000 on Enterprise, every API call of every integration counted, and a
429 past it (destinations-2.md §3.3 and §3.10 item 5). With one upsert per record, a
20 000-record account is about 20 000 requests: some 25 hours of a Growth account's 80 %, so a
load that fits one hour is the exception and a load that stops and resumes is the rule. The
loader keeps to a share of the hour (``FRESHSALES_BUDGET_SHARE``, default 80 %, as Pipedrive's
and Salesforce's loads do: the customer's own integrations keep working) and counts its own
requests in a rolling hour (:class:`~load.core.pacing.SlidingWindow`, the pacer Pipedrive's burst
uses; Freshsales documents "per hour" without saying whether the hour is fixed or rolling, and a
rolling count is never over a fixed hour's). Classic accounts also allow 400 requests a minute
(``FRESHSALES_PER_MINUTE``, unset = no minute limit), paced the same way with the core's 10 %
reserve; a minute's wait is always taken.

When the next request would have to wait longer than ``FRESHSALES_MAX_WAIT_S`` (default 4 000 s,
more than an hour: by default the loader waits for its window to free up, since a rolling hour
frees a request at most an hour after it was spent) the load stops cleanly instead:
:class:`HourlyBudgetSpent`, a :class:`~load.core.pacing.BudgetExhausted`, exit 14, the batch in
flight stays pending, and the same command resumes from the ledger. A 429 is retried after its
``Retry-After``, or stops the same way when that wait is longer than ``FRESHSALES_MAX_WAIT_S``.

Where an answer carries ``X-RateLimit-Total`` / ``X-RateLimit-Remaining`` (Freshdesk sends them;
unconfirmed for Freshsales, [?] in §3.3), the account's figure wins: what the account used
beyond this process's own requests in the window is the customer's, and the loader's window
shrinks by it (``share * total - the others' use``, never below one request, whose answer
reports the account again). Without the headers the share is of this process's own count, and
Freshsales' 429 is the backstop.

Settings (environment or ``.dlt`` TOML): ``FRESHSALES_PLAN`` (free, growth, pro, enterprise;
default growth), ``FRESHSALES_HOURLY_REQUESTS`` (overrides the plan's hour),
``FRESHSALES_BUDGET_SHARE`` (0-1), ``FRESHSALES_PER_MINUTE``, ``FRESHSALES_MAX_WAIT_S``.
The client's wiring (load/freshsales/client.py)::

    pacer = HourlyPacer(request_allowance(), account=account_key(base_url, api_key))
    super().__init__(url, headers, pacer.budget)
    self.pacer, self.bucket = pacer, pacer.bucket
    def observe(self, response): self.pacer.after(response)
    def throttle_of(self, response): return self.pacer.throttle_of(response)

Clients of one account in one process (the key check, the load, the reconcile) pass the same
``account`` and so count one hour together, as Freshsales does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from common.errors import ConfigError
from common.settings import _lookup, positive
from load.core.pacing import Budget, BudgetExhausted, Pacer, SlidingWindow, WindowFull
from load.core.pacing import account_key as account_key  # the client imports it from here
from load.core.transport import Throttle, float_or_none

HOUR = 3_600.0
MINUTE = 60.0
HOURLY_REQUESTS = {"free": 1_000, "growth": 1_000, "pro": 2_000, "enterprise": 5_000}
DEFAULT_PLAN = "growth"
DEFAULT_SHARE = 0.8
DEFAULT_MAX_WAIT = 4_000.0
MINUTE_RESERVE = 0.1  # the core's jitter headroom, for the short window only
TOTAL_HEADER = "x-ratelimit-total"
REMAINING_HEADER = "x-ratelimit-remaining"


@dataclass(frozen=True)
class RequestAllowance:
    """The account's hour (``hourly`` requests), the share of it this load may use, the
    optional per-minute limit, the longest wait before stopping, and where the figures came
    from (``scope`` prints it)."""

    hourly: int
    share: float = DEFAULT_SHARE
    per_minute: int | None = None
    max_wait: float = DEFAULT_MAX_WAIT
    source: str = "assumed (Growth)"

    @property
    def stop_at(self) -> int:
        """Requests a rolling hour may hold from this load."""
        return max(1, int(self.hourly * self.share))

    @property
    def budget(self) -> Budget:
        """The core's declaration: ``stop_at`` requests per hour, no reserve (the share is it)."""
        return Budget(self.stop_at, HOUR, unit="requests", reserve=0.0)


def allowance_for(
    plan: str = DEFAULT_PLAN,
    hourly: int | None = None,
    share: float = DEFAULT_SHARE,
    per_minute: int | None = None,
    max_wait: float = DEFAULT_MAX_WAIT,
) -> RequestAllowance:
    """The allowance of ``plan``, or ``hourly`` requests where it is given."""
    name = plan.strip().lower()
    if name not in HOURLY_REQUESTS:
        raise ConfigError(
            f"FRESHSALES_PLAN must be one of {', '.join(HOURLY_REQUESTS)}; got {plan!r} "
            "(or set FRESHSALES_HOURLY_REQUESTS to the account's requests per hour)"
        )
    if hourly is not None:
        source = "configured (FRESHSALES_HOURLY_REQUESTS)"
        return RequestAllowance(hourly, share, per_minute, max_wait, source)
    return RequestAllowance(HOURLY_REQUESTS[name], share, per_minute, max_wait, name.title())


def request_allowance() -> RequestAllowance:
    """From the settings; Growth where no plan is given (see the module's text)."""
    plan, hourly = _lookup("freshsales_plan"), _lookup("freshsales_hourly_requests")
    share, minute = _lookup("freshsales_budget_share"), _lookup("freshsales_per_minute")
    max_wait = _lookup("freshsales_max_wait_s")
    chosen = allowance_for(
        str(plan or DEFAULT_PLAN),
        positive("FRESHSALES_HOURLY_REQUESTS", hourly, int) if hourly is not None else None,
        _share(share) if share is not None else DEFAULT_SHARE,
        positive("FRESHSALES_PER_MINUTE", minute, int) if minute is not None else None,
        positive("FRESHSALES_MAX_WAIT_S", max_wait, float)
        if max_wait is not None
        else DEFAULT_MAX_WAIT,
    )
    if plan is None and hourly is None:
        return RequestAllowance(
            chosen.hourly, chosen.share, chosen.per_minute, chosen.max_wait, "assumed (Growth)"
        )
    return chosen


def _share(raw: object) -> float:
    share = positive("FRESHSALES_BUDGET_SHARE", raw, float)
    if share > 1:
        raise ConfigError(f"FRESHSALES_BUDGET_SHARE is a share from 0 to 1; got {raw!r}")
    return float(share)


class HourlyBudgetSpent(BudgetExhausted):
    """The account's hour has no room for this load within ``FRESHSALES_MAX_WAIT_S``: exit 14."""


@dataclass
class AccountWindows:
    """One account's rolling hour (and minute) as one process counts it."""

    hour: SlidingWindow
    minute: SlidingWindow | None
    reported_others: int | None = None  # the rest of the account's use, as last reported


# one count per account per process: the key check, the load and the reconcile of one migrate
# spend one hour of one account
_ACCOUNTS: dict[str, AccountWindows] = {}


class HourlyPacer(Pacer):
    """Requests per rolling hour (and minute) for one account's clients (see the module)."""

    def __init__(
        self,
        allowance: RequestAllowance,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        account: str | None = None,
    ) -> None:
        super().__init__(allowance.budget, sleep)
        self.allowance = allowance
        windows = _ACCOUNTS.get(account) if account is not None else None
        if windows is None:
            windows = AccountWindows(
                SlidingWindow(allowance.stop_at, HOUR, 0.0, clock, sleep, allowance.max_wait),
                None
                if allowance.per_minute is None
                else SlidingWindow(allowance.per_minute, MINUTE, MINUTE_RESERVE, clock, sleep),
            )
            if account is not None:
                _ACCOUNTS[account] = windows
        self.windows = windows
        self.bucket = windows.hour  # type: ignore[assignment]  # PacedHttp drains it on a 429
        self.sent = 0  # requests this pacer let through

    @property
    def used_this_hour(self) -> int:
        """The account's requests in the rolling hour: this process's own, plus the others'
        where the account reported them."""
        return self.windows.hour.in_window() + (self.windows.reported_others or 0)

    def take(self, cost: int = 1) -> float:
        """Wait for room in the hour (and minute) and count one request; raises
        :class:`HourlyBudgetSpent` when the hour's wait is longer than allowed."""
        try:
            waited = self.windows.hour.take(1)
        except WindowFull as full:
            raise self._spent(full.wait) from None
        if self.windows.minute is not None:
            waited += self.windows.minute.take(1)
        self.sent += 1
        return waited

    def after(self, response: httpx.Response) -> None:
        """Every answer: where the account reports what is left of its hour, believe it."""
        remaining = _int_header(response, REMAINING_HEADER)
        if remaining is None:
            return
        total = _int_header(response, TOTAL_HEADER) or self.allowance.hourly
        own = self.windows.hour.in_window()
        others = max(0, total - remaining - own)
        self.windows.reported_others = others
        room = max(1, int(total * self.allowance.share) - others)
        self.windows.hour.reshape(room, HOUR)

    def throttle_of(self, response: httpx.Response) -> Throttle | None:
        """A 429 as a :class:`Throttle` (the core waits ``Retry-After`` and retries), or
        :class:`HourlyBudgetSpent` when that wait is longer than allowed; None otherwise."""
        if response.status_code != 429:
            return None
        wait = float_or_none(response.headers.get("retry-after"))
        if wait is not None and wait > self.allowance.max_wait:
            raise self._spent(wait, refused=True)
        return Throttle(retry_after=wait, remaining=0.0, limit=None)

    def _spent(self, wait: float, refused: bool = False) -> HourlyBudgetSpent:
        a = self.allowance
        why = (
            "Freshsales refused a request (429): the account's hour is spent"
            if refused
            else f"the account's rolling hour holds {self.used_this_hour:,} requests, this "
            f"load's share is {a.share:.0%} of {a.hourly:,} ({a.source})"
        )
        return HourlyBudgetSpent(
            f"{why}, and the next request would wait {wait:,.0f} s, longer than "
            f"FRESHSALES_MAX_WAIT_S ({a.max_wait:,.0f} s). The load stops here; run the same "
            f"command again in about {max(1, round(wait / 60)):,} min: it resumes from its ledger"
        )


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = float_or_none(response.headers.get(name))
    return int(value) if value is not None else None
