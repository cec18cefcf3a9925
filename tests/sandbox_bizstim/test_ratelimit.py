"""Rate limit per (key, HTTP method) with a scaled clock: 5 requests per 2 seconds."""

from __future__ import annotations

import time

import pytest

from sandbox.bizstim.ratelimit import SlidingWindowLimiter
from tests.sandbox_bizstim.conftest import KEY2, call, run


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    yield from run(tmp_path_factory.mktemp("bizstim_rl"), "--rate-window", "2",
                   clients=50, rate_limit=5)


def test_budget_is_per_key_and_method_and_window_slides(limited):
    for bad in range(3):  # 401s count against no key
        assert call(limited, f"/api/clients/{bad}", key="nope").status == 401
    assert [call(limited, "/api/discounts").status for _ in range(5)] == [200] * 5
    refused = call(limited, "/api/discounts")
    assert refused.status == 429
    assert refused.json() == {"status": "failure", "response": "Rate limit exceeded"}
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 2
    assert not any(h.startswith("x-ratelimit") for h in refused.headers)
    # the other key has its own budget
    assert call(limited, "/api/discounts", key=KEY2).status == 200
    # a non-GET of the same key is not blocked by the GET budget (it has its own)
    assert call(limited, "/api/client/23", method="POST", body={}).status == 405
    # refused requests spent nothing: after the window slides, a full budget is back
    assert call(limited, "/api/discounts").status == 429
    time.sleep(wait + 0.05)
    assert [call(limited, "/api/discounts").status for _ in range(5)] == [200] * 5
    assert call(limited, "/api/discounts").status == 429


def test_non_get_methods_have_their_own_budget(limited):
    statuses = [call(limited, "/api/clients", key=KEY2, method="DELETE").status
                for _ in range(6)]
    assert statuses == [405] * 5 + [429]


def test_limiter_sliding_window_unit():
    now = [0.0]
    limiter = SlidingWindowLimiter(2, 10, clock=lambda: now[0])
    assert limiter.acquire("k", "GET") is None
    now[0] = 4
    assert limiter.acquire("k", "GET") is None
    assert limiter.acquire("k", "GET") == 6  # the first request leaves at t=10
    now[0] = 9.5
    assert limiter.acquire("k", "GET") == 1  # ceil(0.5)
    now[0] = 10
    assert limiter.acquire("k", "GET") is None  # slid: t=0 left, t=4 and t=10 inside
    assert limiter.acquire("k", "GET") == 4
    assert limiter.acquire("k", "POST") is None
