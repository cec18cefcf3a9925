"""List pages fetched ahead (ingest/list_ahead.py): how far, in which order, each page once.

A recording fetcher stands in for the Prefetcher: it notes the order paths are queued in and
answers at once, so these tests see exactly what ``prepare`` asks for before each dlt run.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ingest.endpoints import ListEndpoint
from ingest.list_ahead import RUNS_AHEAD, ListAhead
from ingest.transport import Spool

PAYMENTS = ListEndpoint("payments", "payments", 100)
SESSIONS = ListEndpoint("sessions", "sessions", 1000)
LOCATIONS = ListEndpoint("locations", "locations", 100)


class RecordingFetcher:
    def __init__(self) -> None:
        self.queued: list[str] = []

    def submit(self, paths: list[str], backlog: bool = False) -> list[Future[None]]:
        self.queued += paths
        futures: list[Future[None]] = []
        for _ in paths:
            future: Future[None] = Future()
            future.set_result(None)
            futures.append(future)
        return futures

    @staticmethod
    def wait(futures: list[Future[None]]) -> None:
        assert all(f.done() for f in futures)


def states(**totals_and_starts: tuple[int, int]) -> dict[str, dict[str, Any]]:
    return {
        t: {"total": total, "next_start": start} for t, (total, start) in totals_and_starts.items()
    }


def ahead(tmp_path: Path) -> tuple[ListAhead, RecordingFetcher]:
    fetcher = RecordingFetcher()
    return ListAhead(fetcher, Spool(tmp_path / "spool"), "/api"), fetcher  # type: ignore[arg-type]


def run_of(path: str, pages: int, step: int) -> int:
    offset = int(path.split("/")[2])
    return offset // (pages * step)


def test_the_coming_run_first_then_each_later_run_of_every_endpoint_in_turn(tmp_path):
    lists, fetcher = ahead(tmp_path)
    pages = 3
    lists.prepare(
        [PAYMENTS, SESSIONS, LOCATIONS],
        states(payments=(100 * 100, 0), sessions=(1000 * 40, 0), locations=(14, 0)),
        pages,
    )
    runs = [
        run_of(p, pages, PAYMENTS.max_limit if p.startswith("/payments") else 1000)
        for p in fetcher.queued
    ]
    assert runs == sorted(runs)  # no page waits behind a later run's
    assert fetcher.queued[:7] == [
        "/payments/0/100",
        "/payments/100/100",
        "/payments/200/100",
        "/sessions/0/1000",
        "/sessions/1000/1000",
        "/sessions/2000/1000",
        "/locations/0/100",
    ]
    per_table = Counter(p.split("/")[1] for p in fetcher.queued)
    assert per_table == {
        "payments": RUNS_AHEAD * pages,
        "sessions": RUNS_AHEAD * pages,
        "locations": 1,
    }


def test_a_later_prepare_queues_only_what_is_new_and_nothing_past_the_total(tmp_path):
    lists, fetcher = ahead(tmp_path)
    pages = 2
    total = 100 * (RUNS_AHEAD * pages + 1)  # one page beyond the first prepare's reach
    lists.prepare([PAYMENTS], states(payments=(total, 0)), pages)
    first = list(fetcher.queued)
    lists.prepare([PAYMENTS], states(payments=(total, 100 * pages)), pages)
    assert len(first) == RUNS_AHEAD * pages
    assert fetcher.queued[len(first) :] == [f"/payments/{100 * RUNS_AHEAD * pages}/100"]
    assert max(Counter(fetcher.queued).values()) == 1  # every page queued once
