"""§2.11 rule 11: the token budget (``sandbox/pipedrive/tokens.py``) on a hand-moved clock, and
once through the app so a request is charged its operation's ``x-token-cost``. In process:
the rule is about counting, not HTTP, and a fake clock keeps it free of wall time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox.httpbase import Request
from sandbox.pipedrive.app import PipedriveApp
from sandbox.pipedrive.contract import load_contract
from sandbox.pipedrive.tokens import TokenBudget, daily_for
from tests.sandbox_pipedrive.pd_helpers import ADMIN, InProcess


class HandClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def test_plan_budgets_follow_the_published_figures() -> None:
    assert daily_for("lite", 1) == 30_000
    assert daily_for("growth", 5) == 300_000  # the reference's sizing example
    assert daily_for("premium", 2) == 300_000
    assert daily_for("ultimate", 3) == 630_000
    clock = HandClock(datetime(2026, 12, 4, 12, tzinfo=UTC))
    bursts = [TokenBudget.for_plan(p, 1, clock, daily=1).burst for p in ("lite", "ultimate")]
    assert bursts == [20, 120]
    with pytest.raises(ValueError):
        daily_for("professional", 1)  # burst 80 is published, its multiplier is not


def test_rule11_burst_window_answers_429_until_the_window_frees() -> None:
    clock = HandClock(datetime(2026, 12, 4, 12, tzinfo=UTC))
    budget = TokenBudget.for_plan("growth", 5, clock)  # 40 requests per 2 s
    passed = 0
    for _ in range(45):
        if budget.charge("acme", 1) is None:
            passed += 1
        clock.advance(0.01)
    assert passed == 40
    refusal = budget.charge("acme", 1)
    assert refusal is not None and refusal.status == 429
    assert refusal.body["success"] is False and "Burst" in refusal.body["error_info"]
    headers = budget.headers("acme")
    assert headers["x-ratelimit-limit"] == "40"
    assert headers["x-ratelimit-remaining"] == "0"
    assert int(headers["retry-after"]) >= 1
    assert budget.used("acme") == 40  # the refused ones cost nothing
    assert budget.charge("beta", 1) is None  # another company has its own window
    clock.advance(2.0)
    assert budget.charge("acme", 1) is None


def test_rule11_daily_budget_blocks_until_utc_midnight() -> None:
    clock = HandClock(datetime(2026, 12, 4, 23, 0, tzinfo=UTC))
    budget = TokenBudget(daily=1000, burst=100, clock=clock)
    budget.set_used("acme", 990)  # the customer's own users spent most of it
    assert budget.charge("acme", 5) is None
    refusal = budget.charge("acme", 40)  # 5 left: a merge does not fit
    assert refusal is not None and refusal.status == 429
    assert "Daily" in refusal.body["error_info"]
    assert budget.charge("acme", 5) is None  # exactly what was left
    assert budget.headers("acme")["x-daily-tokens-left"] == "0"
    assert budget.charge("acme", 1) is not None
    assert budget.used("acme") == 1000
    clock.advance(3600)  # 00:00 UTC: a new day
    assert budget.charge("acme", 40) is None
    assert budget.headers("acme")["x-daily-tokens-left"] == "960"


def test_rule11_the_app_charges_each_request_its_token_cost(tmp_path: Path) -> None:
    pd = InProcess(tmp_path)
    try:
        budget = TokenBudget(daily=100, burst=1000, clock=pd.clock)
        app = PipedriveApp(pd.app.accounts, pd.clock, load_contract(), budget, strict=True)

        def call(method: str, path: str, body: bytes = b"") -> tuple[int, dict[str, str]]:
            answer = app.handle(Request(method, path, {}, {"x-api-token": ADMIN}, body))
            return answer.status, answer.headers

        status, _ = call("POST", "/api/v2/persons", b'{"name": "Ann"}')
        assert status == 200
        assert budget.used("acme") == 5
        call("GET", "/api/v2/persons/1")
        call("GET", "/api/v2/persons")
        assert budget.used("acme") == 5 + 1 + 10
        budget.set_used("acme", 98)
        status, headers = call("POST", "/api/v2/persons", b'{"name": "Bob"}')
        assert status == 429
        assert headers["x-daily-tokens-left"] == "2"
        assert budget.used("acme") == 98
    finally:
        pd.close()
