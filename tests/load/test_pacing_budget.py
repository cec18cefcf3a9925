"""Pacing by a declared budget, shared by every destination's client (load/core/pacing.py).

Pipedrive counts *tokens* (a POST costs 5) per 2 s and per day, monday complexity points; the
core must charge a request its cost, stop before a daily cap is crossed (not meet refusals
for the rest of the day), and follow a throttle answer with exactly one more request.
"""

from __future__ import annotations

import httpx
import pytest

from load.core.pacing import Budget, BudgetExhausted, DailyBudget, Pacer, TokenBucket
from load.core.transport import DestinationError, DestinationUnavailable, PacedHttp
from tests.load.test_pacing_jitter import FakeClock


def test_a_request_is_charged_its_cost_in_the_budgets_unit():
    clock = FakeClock()
    bucket = TokenBucket(20, 2.0, initial=20, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        bucket.take(5)  # four POSTs at 5 tokens empty a 20-token burst
    assert clock.now == 0.0
    bucket.take(5)
    assert clock.now == pytest.approx(0.5)  # 5 tokens at 10 tokens/s


def test_the_daily_cap_stops_the_load_before_it_is_crossed():
    daily = DailyBudget(cap=12)
    daily.spend(5)
    daily.spend(5)
    with pytest.raises(BudgetExhausted, match="resumes from its ledger"):
        daily.spend(5)
    assert daily.spent == 10  # the refused request was not counted


def test_a_pacer_without_a_daily_cap_never_refuses():
    pacer = Pacer(Budget(1_000_000, 1.0))
    for _ in range(1000):
        pacer.take(3)
    assert pacer.daily.spent == 3000


def _client(handler, attempts: int = 3) -> PacedHttp:
    slept: list[float] = []
    client = PacedHttp(
        "http://crm",
        {},
        Budget(1_000_000, 1.0),
        max_attempts=attempts,
        transport=httpx.MockTransport(handler),
        sleep=slept.append,
    )
    client.slept = slept  # type: ignore[attr-defined]
    return client


def test_a_throttle_answer_is_followed_by_one_more_request_not_a_refusal():
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(200, json={"ok": 1})]
    )
    client = _client(lambda request: next(answers))
    assert client.request("GET", "/x") == {"ok": 1}
    assert client.stats.total == 2 and client.stats.statuses[429] == 1 and client.stats.retries == 1


def test_5xx_is_retried_with_backoff_then_given_up():
    client = _client(lambda request: httpx.Response(503), attempts=3)
    with pytest.raises(DestinationUnavailable):
        client.request("GET", "/x")
    assert client.stats.total == 3
    assert client.slept == [0.5, 1.0]  # exponential backoff between the three attempts


def test_a_non_idempotent_write_is_never_repeated():
    client = _client(lambda request: httpx.Response(502))
    with pytest.raises(DestinationUnavailable):
        client.request("POST", "/x", json={}, retry_writes=False)
    assert client.stats.total == 1


def test_a_refusal_is_raised_at_once():
    client = _client(lambda request: httpx.Response(400, text="bad field"))
    with pytest.raises(DestinationError, match="bad field"):
        client.request("POST", "/x", json={})
    assert client.stats.total == 1 and client.stats.retries == 0
