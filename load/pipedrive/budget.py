"""Pipedrive's token budget in the loader: a day of tokens shared with the customer, a 2 s burst.

Pipedrive meters a company, not an integration: every request of every user and app draws tokens
(:mod:`load.pipedrive.token_costs`) from one daily allowance of 30 000 * plan multiplier * seats
(Lite 1, Growth 2, Premium 5, Ultimate 7; destinations.md §2.4), and once it is spent the
customer's own Pipedrive is blocked too until the next UTC day (destinations-2.md §2.10.4). A
20 000-record migration costs about 125 000 tokens in writes alone (5 a record, 10 a note;
benchmarks/RESULTS.md): more than two days of a one-seat Growth account (60 000). So the loader
keeps to a share of the day (``PIPEDRIVE_BUDGET_SHARE``, default 80 %, the share Salesforce
loads keep to), stops itself cleanly before the request that would cross it
(:class:`TokenBudgetSpent`, a :class:`~load.core.pacing.BudgetExhausted`: exit 14, the batch in
flight stays pending, the rerun tomorrow resumes from the ledger), and stops the same way when
Pipedrive answers 429 because the day is spent (by the customer, or before this run began).
Separately, each API token may send 20/40/80/100/120 *requests* per rolling 2 s by plan: a burst
429 only means "wait", so it is retried after the wait the answer names. The burst is paced as
a rolling window of requests (:class:`~load.core.pacing.SlidingWindow`), as Pipedrive counts it.

Settings (environment or ``.dlt`` TOML, like every other setting): ``PIPEDRIVE_PLAN`` (lite,
growth, premium, ultimate, or the legacy essential, advanced, power, enterprise; default lite),
``PIPEDRIVE_SEATS`` (default 1), ``PIPEDRIVE_DAILY_TOKENS`` (the day's tokens, overriding plan
* seats, e.g. with purchased top-ups) and ``PIPEDRIVE_BUDGET_SHARE`` (0-1). Unset, the smallest
account is assumed (Lite, one seat: 30 000 tokens, 20 requests per 2 s): a guess too small
costs days, one too large spends the customer's day; ``scope`` says which was used.

Where the account reports what is left of its day (the header :data:`DAILY_LEFT_HEADER`, with
the day's size in :data:`DAILY_LIMIT_HEADER`), that figure wins over the loader's own count:
it includes what the customer's users spent. Pipedrive has not documented such a header for
the token budget (destinations-2.md §2.4, client-nodejs#725), so without one the share is
counted over this process's own requests, and Pipedrive's 429 remains the backstop.

For the adapter's client (a :class:`~load.core.transport.PacedHttp`), wire it like this::

    pacer = TokenPacer(token_allowance(), account=account_key(base_url, api_token))
    super().__init__(url, headers, pacer.budget)
    self.pacer, self.bucket = pacer, pacer.bucket  # PacedHttp calls pacer.take(cost_of(...))

    def cost_of(self, method, path): return token_costs.cost_of(method, path)
    def observe(self, response): self.pacer.after(response)
    def throttle_of(self, response): return self.pacer.throttle_of(response)

Every client a process opens on one account (the token check, the load, the reconcile) passes
the same ``account`` key, so they count one day together, as Pipedrive does. ``take(cost)``
charges the day ``cost`` tokens and the burst window one request (raising
:class:`TokenBudgetSpent` before a request the share cannot pay); ``before(method, path)`` does
the same from the price list; ``after(response)`` reads the day's headers; ``throttle_of``
turns a burst 429 into a :class:`~load.core.transport.Throttle` (retried) and raises
:class:`TokenBudgetSpent` for a daily one (exit 14).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from common.errors import ConfigError
from common.settings import _lookup, positive
from load.core.pacing import Budget, BudgetExhausted, Pacer, SlidingWindow
from load.core.pacing import account_key as account_key  # the client imports it from here
from load.core.transport import Throttle, float_or_none
from load.pipedrive.token_costs import cost_of

BURST_WINDOW = 2.0  # seconds (destinations.md §2.4)
DAY_TOKENS_PER_SEAT = 30_000
DEFAULT_SHARE = 0.8
DEFAULT_PLAN = "lite"
DAILY_LEFT_HEADER = "x-daily-tokens-left"
DAILY_LIMIT_HEADER = "x-daily-tokens-limit"
# a 429 asking to wait longer than this is not the 2 s window: the day is spent
LONGEST_BURST_WAIT = 60.0


@dataclass(frozen=True)
class Plan:
    multiplier: int
    burst: int  # requests per 2 s per api_token


PLANS = {
    "lite": Plan(1, 20),
    "growth": Plan(2, 40),
    "premium": Plan(5, 100),
    "ultimate": Plan(7, 120),
}
LEGACY_NAMES = {
    "essential": "lite",
    "advanced": "growth",
    "power": "premium",
    "enterprise": "ultimate",
}


@dataclass(frozen=True)
class TokenAllowance:
    """The account's day (``daily`` tokens), its burst (requests per 2 s), the share of the
    day this load may reach, and where the figures came from (``scope`` prints it)."""

    daily: int
    burst: int
    share: float = DEFAULT_SHARE
    source: str = "assumed (Lite, 1 seat)"

    @property
    def stop_at(self) -> int:
        """Tokens of the day (everyone's, where the account reports them) the load stops at."""
        return int(self.daily * self.share)

    @property
    def budget(self) -> Budget:
        """The core's declaration: ``limit`` counts requests per 2 s, ``daily`` tokens."""
        return Budget(self.burst, BURST_WINDOW, unit="tokens", daily=self.stop_at)


def allowance_for(
    plan: str = DEFAULT_PLAN,
    seats: int = 1,
    daily_tokens: int | None = None,
    share: float = DEFAULT_SHARE,
) -> TokenAllowance:
    """The allowance of ``plan`` with ``seats``, or ``daily_tokens`` where it is given."""
    name = LEGACY_NAMES.get(plan.lower(), plan.lower())
    if name not in PLANS:
        raise ConfigError(
            f"PIPEDRIVE_PLAN must be one of {', '.join([*PLANS, *LEGACY_NAMES])}; got {plan!r} "
            "(or set PIPEDRIVE_DAILY_TOKENS to the account's daily token budget)"
        )
    chosen = PLANS[name]
    if daily_tokens is not None:
        return TokenAllowance(
            daily_tokens, chosen.burst, share, "configured (PIPEDRIVE_DAILY_TOKENS)"
        )
    daily = DAY_TOKENS_PER_SEAT * chosen.multiplier * seats
    seat_words = f"{seats} seat{'s' * (seats != 1)}"
    return TokenAllowance(daily, chosen.burst, share, f"{name.title()}, {seat_words}")


def token_allowance() -> TokenAllowance:
    """From the settings; Lite with one seat where none are given (see the module's text)."""
    plan, seats = _lookup("pipedrive_plan"), _lookup("pipedrive_seats")
    daily, share = _lookup("pipedrive_daily_tokens"), _lookup("pipedrive_budget_share")
    chosen = allowance_for(
        str(plan or DEFAULT_PLAN),
        positive("PIPEDRIVE_SEATS", seats, int) if seats is not None else 1,
        positive("PIPEDRIVE_DAILY_TOKENS", daily, int) if daily is not None else None,
        _share(share) if share is not None else DEFAULT_SHARE,
    )
    if plan is None and seats is None and daily is None:
        return TokenAllowance(chosen.daily, chosen.burst, chosen.share, "assumed (Lite, 1 seat)")
    return chosen


def _share(raw: object) -> float:
    share = positive("PIPEDRIVE_BUDGET_SHARE", raw, float)
    if share > 1:
        raise ConfigError(f"PIPEDRIVE_BUDGET_SHARE is a share from 0 to 1; got {raw!r}")
    return float(share)


class TokenBudgetSpent(BudgetExhausted):
    """The day's tokens, or the share of them this load may use, are spent: exit 14."""


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass
class DayCount:
    """The day's tokens as one process counts them for one account: its own charges, and the
    account's figure where an answer reported one (charges since then added to it)."""

    day: dt.date
    spent: int = 0  # tokens this process charged the account today
    reported_used: int | None = None  # everyone's use, as the account last reported it
    charged_since_report: int = 0
    day_size: int | None = None  # the day's tokens, where the account reported them

    @property
    def used(self) -> int:
        if self.reported_used is None:
            return self.spent
        return self.reported_used + self.charged_since_report

    def roll(self, today: dt.date) -> None:
        if today != self.day:
            self.day, self.spent, self.charged_since_report = today, 0, 0
            self.reported_used = None

    def charge(self, cost: int) -> None:
        self.spent += cost
        self.charged_since_report += cost


# one count per account per process: a migration opens several clients on one account (the
# token check, the load, the reconcile) and the share is of the account's day, not a client's
_ACCOUNTS: dict[str, DayCount] = {}


class TokenPacer(Pacer):
    """Tokens per day and requests per 2 s, for one API token's client (see the module);
    clients given the same ``account`` (:func:`account_key`) share the day's count."""

    def __init__(
        self,
        allowance: TokenAllowance,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], dt.date] = _utc_today,
        account: str | None = None,
    ) -> None:
        super().__init__(allowance.budget, sleep)
        self.allowance = allowance
        self.bucket = SlidingWindow(  # type: ignore[assignment]  # take/drain/reshape alike
            allowance.burst, BURST_WINDOW, self.budget.reserve, clock, sleep
        )
        self._today = today
        if account is None:
            self.count = DayCount(today())
        else:
            self.count = _ACCOUNTS.setdefault(account, DayCount(today()))

    @property
    def spent(self) -> int:
        """Tokens charged to the account today by this process."""
        return self.count.spent

    @property
    def day_size(self) -> int:
        return self.count.day_size or self.allowance.daily

    @property
    def used_today(self) -> int:
        """The best count of the day's tokens spent: the account's, else this process's own."""
        return self.count.used

    @property
    def stop_at(self) -> int:
        return int(self.day_size * self.allowance.share)

    def take(self, cost: int = 1) -> float:
        """Charge ``cost`` tokens to the day (or stop) and one request to the burst window;
        returns the seconds waited for the window."""
        self.count.roll(self._today())
        if self.used_today + cost > self.stop_at:
            raise self._spent(cost)
        self.count.charge(cost)
        return self.bucket.take(1)

    def before(self, method: str, path: str) -> float:
        """:meth:`take` with the call's price from :mod:`load.pipedrive.token_costs`."""
        return self.take(cost_of(method, path))

    def after(self, response: httpx.Response) -> None:
        """Every answer: where the account reports what is left of its day, believe it."""
        left = _int_header(response, DAILY_LEFT_HEADER)
        if left is None:
            return
        self.count.roll(self._today())
        self.count.day_size = _int_header(response, DAILY_LIMIT_HEADER) or self.day_size
        self.count.reported_used = max(0, self.day_size - left)
        self.count.charged_since_report = 0

    def throttle_of(self, response: httpx.Response) -> Throttle | None:
        """A burst 429 as a :class:`Throttle` (the core waits and retries); a 429 of the
        day's budget raises :class:`TokenBudgetSpent`; None for every other answer."""
        if response.status_code != 429:
            return None
        if is_daily_refusal(response):
            raise TokenBudgetSpent(
                f"Pipedrive refused a request: the account's daily token budget is spent "
                f"({self.used_today:,} of {self.day_size:,} counted). Pipedrive blocks the whole "
                "company until the next UTC day, its users included. Run the same command again "
                "after 00:00 UTC: the load resumes from its ledger"
            )
        headers = response.headers
        wait = float_or_none(headers.get("retry-after"))
        if wait is None:
            wait = float_or_none(headers.get("x-ratelimit-reset"))
        limit = headers.get("x-ratelimit-limit", "")
        return Throttle(
            retry_after=wait,
            remaining=float_or_none(headers.get("x-ratelimit-remaining")) or 0.0,
            limit=int(limit) if limit.isdigit() else None,
        )

    def _spent(self, cost: int) -> TokenBudgetSpent:
        a = self.allowance
        reported = self.count.reported_used is not None
        counted = "the account reports" if reported else "this load spent"
        return TokenBudgetSpent(
            f"the next request ({cost} tokens) would take the account past {a.share:.0%} of its "
            f"{self.day_size:,} daily Pipedrive tokens ({counted} {self.used_today:,} today; "
            f"{a.source}). The load stops here so the customer's own Pipedrive keeps working "
            "(PIPEDRIVE_BUDGET_SHARE changes the share). Run the same command again after "
            "00:00 UTC: the load resumes from its ledger"
        )


def is_daily_refusal(response: httpx.Response) -> bool:
    """A 429 because the day is spent, not the 2 s window: the account says none is left,
    asks for a wait no burst window needs, or names the daily budget in its error."""
    left = _int_header(response, DAILY_LEFT_HEADER)
    if left is not None and left <= 0:
        return True
    wait = float_or_none(response.headers.get("retry-after"))
    if wait is not None and wait > LONGEST_BURST_WAIT:
        return True
    text = response.text[:500].lower()
    return "daily" in text and ("budget" in text or "limit" in text)


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = float_or_none(response.headers.get(name))
    return int(value) if value is not None else None
