"""The pacer spends each key's budget exactly and never lets a window hold more than `limit`."""

from __future__ import annotations

import threading

import pytest

from ingest.pacer import BudgetExhausted, KeyPool


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def spend(pool: KeyPool, clock: FakeClock, n: int, step: float = 0.0) -> list[str]:
    labels = []
    for _ in range(n):
        slot = pool.acquire()
        clock.now += step
        pool.release(slot)
        labels.append(slot.label)
    return labels


def test_budget_is_spent_then_waits_for_the_oldest_finish_to_leave_the_window():
    clock = FakeClock()
    pool = KeyPool(["k1"], limit=3, window=10, clock=clock)
    spend(pool, clock, 3, step=1.0)  # finishes at 1001, 1002, 1003
    assert pool.next_ready() == pytest.approx(1011.0)
    clock.now = 1011.0
    assert pool.next_ready() == pytest.approx(1011.0)
    spend(pool, clock, 1)
    assert pool.next_ready() == pytest.approx(1012.0)


def test_in_flight_requests_count_against_the_budget():
    clock = FakeClock()
    pool = KeyPool(["k1"], limit=2, window=10, clock=clock)
    pool.acquire()
    pool.acquire()
    assert pool.next_ready() == float("inf")  # both still in flight: nothing may start


def test_keys_are_used_in_turn_and_share_the_work():
    clock = FakeClock()
    pool = KeyPool(["a", "b"], limit=5, window=10, clock=clock)
    labels = spend(pool, clock, 10)
    assert len(set(labels)) == 2
    assert labels.count(labels[0]) == 5
    assert pool.next_ready() == pytest.approx(1010.0)


def test_retry_after_parks_one_key_only():
    clock = FakeClock()
    pool = KeyPool(["a", "b"], limit=5, window=10, clock=clock)
    first = pool.acquire()
    pool.release(first)
    pool.penalise(first, 30)
    labels = spend(pool, clock, 4)
    assert first.label not in labels


def test_journal_survives_a_restart(tmp_path):
    clock = FakeClock()
    pool = KeyPool(["k1"], limit=2, window=60, clock=clock, journal_dir=tmp_path)
    spend(pool, clock, 2, step=1.0)
    pool.close()
    assert "k1" not in "".join(p.read_text() + p.name for p in tmp_path.iterdir())
    clock.now += 5
    again = KeyPool(["k1"], limit=2, window=60, clock=clock, journal_dir=tmp_path)
    assert again.next_ready() == pytest.approx(1061.0)


def test_max_wait_raises_budget_exhausted():
    clock = FakeClock()
    pool = KeyPool(["k1"], limit=1, window=3600, clock=clock, max_wait=5)
    spend(pool, clock, 1)
    with pytest.raises(BudgetExhausted):
        pool.acquire()


def test_concurrent_acquire_never_exceeds_limit_in_any_window():
    pool = KeyPool(["k1", "k2"], limit=4, window=0.5)
    finishes: dict[str, list[float]] = {}
    lock = threading.Lock()
    import time

    def worker() -> None:
        for _ in range(6):
            slot = pool.acquire()
            start = time.time()
            pool.release(slot)
            with lock:
                finishes.setdefault(slot.label, []).append(start)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(v) for v in finishes.values()) == 24
    for starts in finishes.values():
        starts.sort()
        for i in range(len(starts) - 4):
            assert starts[i + 4] - starts[i] >= 0.5 - 1e-3
