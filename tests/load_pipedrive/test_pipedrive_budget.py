"""The loader's token pacing: the day's share is never crossed, the account's own count wins,
the 2 s burst counts requests, a burst 429 is retried and a daily one stops the load (exit 14)."""

from __future__ import annotations

import httpx
import pytest

from load.core.pacing import BudgetExhausted
from load.core.transport import PacedHttp
from load.pipedrive import token_costs
from load.pipedrive.budget import (
    DAILY_LEFT_HEADER,
    DAILY_LIMIT_HEADER,
    TokenAllowance,
    TokenBudgetSpent,
    TokenPacer,
    account_key,
    allowance_for,
    token_allowance,
)
from tests.load.test_pacing_jitter import FakeClock


def pacer(daily: int = 1_000, burst: int = 1_000, share: float = 0.8) -> TokenPacer:
    clock = FakeClock()
    return TokenPacer(TokenAllowance(daily, burst, share), sleep=clock.sleep, clock=clock)


def test_the_load_stops_before_the_request_that_would_cross_its_share_of_the_day() -> None:
    day = TokenAllowance(1_000, 1_000, share=0.8)
    account = account_key("http://pd", "token-of-one-test-account")
    tokens = TokenPacer(day, sleep=FakeClock().sleep, account=account)
    for _ in range(120):
        tokens.before("POST", "/api/v2/persons")  # 5 tokens each: 600
    # a second client on the same account (the reconcile's) counts the same day
    later = TokenPacer(day, sleep=FakeClock().sleep, account=account)
    for _ in range(40):
        later.before("POST", "/api/v2/persons")  # 800 = 80 % of 1 000
    with pytest.raises(BudgetExhausted, match="resumes from its ledger"):
        later.before("POST", "/api/v2/persons")
    assert tokens.spent == later.spent == 800


def test_what_the_account_reports_as_left_counts_the_customers_own_use() -> None:
    tokens = pacer(daily=1_000, share=0.8)
    tokens.take(5)
    reported = {DAILY_LEFT_HEADER: "300", DAILY_LIMIT_HEADER: "1000"}  # 700 used by everyone
    tokens.after(httpx.Response(200, headers=reported))
    tokens.take(100)  # 800: exactly the share
    with pytest.raises(TokenBudgetSpent):
        tokens.take(1)


def test_the_burst_window_counts_requests_not_tokens() -> None:
    clock = FakeClock()
    tokens = TokenPacer(TokenAllowance(10**6, 20), sleep=clock.sleep, clock=clock)
    for _ in range(40):
        tokens.take(10)  # 40 list pages: 400 tokens, 40 requests
    # 18 of 20 requests per 2 s (10 % kept in reserve): 18 at 0 s, 18 at 2 s, 4 at 4 s;
    # a bucket of tokens would have waited about 40 s
    assert clock.now == pytest.approx(4.0, abs=0.01)


def test_no_rolling_2_s_window_holds_more_than_the_burst_even_after_a_pause() -> None:
    clock = FakeClock()
    tokens = TokenPacer(TokenAllowance(10**6, 20), sleep=clock.sleep, clock=clock)
    sent = []
    for pause in (0.0, 10.0):  # a token bucket refills during the pause and then over-sends
        clock.now += pause
        for _ in range(50):
            tokens.take(5)
            sent.append(clock.now)
    busiest = max(sum(1 for t in sent if start <= t < start + 2.0) for start in sent)
    assert busiest == 18  # what Pipedrive's rolling window of 20 allows, less the reserve


class Client(PacedHttp):
    """The wiring budget.py's docstring gives the adapter's client."""

    def __init__(self, handler, allowance: TokenAllowance) -> None:
        clock = FakeClock()
        tokens = TokenPacer(allowance, sleep=clock.sleep, clock=clock)
        super().__init__(
            "http://pd", {}, allowance.budget, transport=httpx.MockTransport(handler),
            sleep=clock.sleep,
        )  # fmt: skip
        self.pacer, self.bucket = tokens, tokens.bucket

    def cost_of(self, method: str, path: str) -> int:
        return token_costs.cost_of(method, path)

    def observe(self, response: httpx.Response) -> None:
        self.pacer.after(response)

    def throttle_of(self, response: httpx.Response):
        return self.pacer.throttle_of(response)


def test_a_burst_429_is_retried_and_a_daily_429_stops_the_load() -> None:
    burst = {"retry-after": "1", "x-ratelimit-limit": "20", "x-ratelimit-remaining": "0"}
    answers = iter([httpx.Response(429, headers=burst), httpx.Response(200, json={"data": []})])
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return next(answers)

    client = Client(handler, allowance_for("growth", 1))
    assert client.request("GET", "/api/v2/persons") == {"data": []}
    assert len(seen) == 2 and client.pacer.spent == 20  # the refused page was charged too

    spent_day = {DAILY_LEFT_HEADER: "0", "retry-after": "40000"}
    daily = Client(lambda request: httpx.Response(429, headers=spent_day), allowance_for())
    with pytest.raises(TokenBudgetSpent, match="daily token budget is spent"):
        daily.request("POST", "/api/v2/persons", json={"name": "x"})
    assert daily.stats.total == 1  # stopped, not retried for the rest of the day


def test_the_day_follows_plan_and_seats_unless_configured(monkeypatch) -> None:
    assert allowance_for("growth", 5).daily == 300_000  # destinations.md §2.4's example
    assert allowance_for("Advanced", 5) == allowance_for("growth", 5)  # the legacy name
    assert allowance_for("ultimate", 2).burst == 120
    monkeypatch.setenv("PIPEDRIVE_DAILY_TOKENS", "45000")
    monkeypatch.setenv("PIPEDRIVE_BUDGET_SHARE", "0.5")
    chosen = token_allowance()
    assert (chosen.daily, chosen.stop_at, chosen.burst) == (45_000, 22_500, 20)
