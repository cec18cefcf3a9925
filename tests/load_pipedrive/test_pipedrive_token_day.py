"""The account's token day spent mid-load: the load stops cleanly and the next day resumes it.

Pipedrive's day of tokens is the company's, shared with its users, and nothing frees it before
00:00 UTC (destinations-2.md §2.10 pitfall 4). A day too small for the tiny account (its load
costs 200 tokens: field setup, users, six listings, seven writes; a rerun reads again for 130)
stops the load before it crosses 80 % of the day, the stand-in's clock moves a day on, and the
rerun lands the rest: every mart row once, nothing left pending. A stand-in of its own, since
the day is the stand-in's setting.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from load.core.ledger import Ledger
from load.core.pacing import BudgetExhausted
from load.pipedrive import budget
from sandbox.servers import RunningServer, start_server
from tests.load_pipedrive.tiny_account import Recording, load, mart_rows, write_staging

TOKEN = "day-admin-token"
DAY = 220  # tokens; the loader stops at 176: past the setup, before the last writes


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    args = ["--data-dir", str(tmp_path_factory.mktemp("pipedrive-day")), "--strict"]
    args += ["--account", f"day:{TOKEN}", "--plan", "ultimate", "--daily-tokens", str(DAY)]
    server = start_server("pipedrive", args)
    yield server
    server.stop()


def test_a_spent_day_stops_the_load_and_the_next_day_lands_the_rest_once(
    stand_in: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    staging = write_staging(tmp_path / "staging.duckdb")
    days = 1
    while True:
        # each day's run is a new process: its count of the account's day starts empty (the
        # stand-in's day moved on, this machine's date did not)
        monkeypatch.setattr(budget, "_ACCOUNTS", {})
        try:
            load(stand_in.url, TOKEN, staging, Recording())
            break
        except BudgetExhausted:
            assert days < 6, "the load never finished"
            request = urllib.request.Request(
                f"{stand_in.url}/_sandbox/clock/advance?days=1", method="POST"
            )
            urllib.request.urlopen(request).read()
            days += 1
    assert days > 1, "the day was never spent"
    with urllib.request.urlopen(f"{stand_in.url}/_sandbox/snapshot?account=day") as answer:
        docs = json.loads(answer.read())["day"]
    held = {
        kind: sum(1 for d in docs.get(kind, {}).values() if not d.get("is_deleted"))
        for kind in mart_rows()
    }
    assert held == mart_rows()
    ledger = Ledger(staging, destination="pipedrive")
    assert ledger.pending() == []
    live = {obj: len(ledger.current(obj)) for obj in mart_rows()}
    assert live == mart_rows()
