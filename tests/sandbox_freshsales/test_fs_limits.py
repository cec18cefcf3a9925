"""§3.11 rule 8: the account's rolling hour (and Classic's minute) with a 429 and ``Retry-After``
past it, a slot freed when the stand-in's clock moves on; in-process, on a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.freshsales.knobs import Knobs
from sandbox.freshsales.limits import RequestLimits
from sandbox.httpbase import FaultPlan, Request


class StepClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def _admitted(limits: RequestLimits, account: str, count: int) -> int:
    return sum(limits.admit(account) is None for _ in range(count))


def test_the_hour_refuses_past_its_count_until_its_oldest_request_is_an_hour_old() -> None:
    clock = StepClock()
    limits = RequestLimits(clock)
    limits.configure("acme", hourly=5)
    assert _admitted(limits, "acme", 3) == 3
    clock.advance(600)
    assert _admitted(limits, "acme", 4) == 2  # 5 in the hour, then refused
    refused = limits.admit("acme")
    assert refused is not None and refused.status == 429
    assert refused.headers["Retry-After"] == "3000"  # the first three leave at 09:00 + 1 h
    assert refused.body["errors"]["code"] == 429
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert limits.used("acme") == 5  # the 429s did not count
    assert _admitted(limits, "other", 5) == 5  # each account has its own hour
    clock.advance(2999)
    assert limits.admit("acme") is not None
    clock.advance(1)
    assert _admitted(limits, "acme", 4) == 3  # the three from 09:00 freed their slots
    assert limits.headers("acme")["X-RateLimit-Total"] == "5"


def test_the_minute_limit_refuses_inside_a_large_hour_and_frees_after_sixty_seconds() -> None:
    clock = StepClock()
    limits = RequestLimits(clock, rate_headers=False)
    limits.configure("classic", plan="enterprise", per_minute=4)
    assert _admitted(limits, "classic", 6) == 4
    refused = limits.admit("classic")
    assert refused is not None and refused.headers == {"Retry-After": "60"}
    assert "per minute" in refused.body["errors"]["message"]
    clock.advance(60)
    assert _admitted(limits, "classic", 5) == 4
    assert limits.used("classic") == 8
    assert limits.headers("classic") == {}


def test_the_used_hook_spends_the_hour_now_and_a_plan_sets_its_size() -> None:
    clock = StepClock()
    limits = RequestLimits(clock)
    limits.configure("acme", plan="pro")
    knobs = Knobs(limits, FaultPlan(), lambda: ["acme"])
    answer = knobs.handle(Request("POST", "/_sandbox/hour/used", {"used": ["1999"]}, {}, b""))
    assert answer is not None and answer.body["hours"][0]["hourly"] == 2000
    assert _admitted(limits, "acme", 2) == 1
    refused = limits.admit("acme")
    assert refused is not None and refused.headers["Retry-After"] == "3600"
    assert knobs.handle(Request("GET", "/_sandbox/clock", {}, {}, b"")) is None
