"""The loader's Freshsales hour: the plan's arithmetic, the share of a rolling hour, the account's
own count believed, a 429 retried after Retry-After, and a clean stop (exit 14) wherever the
wait for the hour would be longer than FRESHSALES_MAX_WAIT_S; the cost plan's requests per
record and its ETA in hours."""

from __future__ import annotations

import json
import math
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bizmig.failures import explain
from common.exits import ExitCode
from common.settings import FreshsalesSettings
from load.core.cost import EntityRows
from load.core.ledger import Ledger
from load.core.run import LoadOptions, perform_load
from load.core.transport import PacedHttp
from load.freshsales import budget
from load.freshsales.adapter import FreshsalesDestination
from load.freshsales.budget import (
    HourlyBudgetSpent,
    HourlyPacer,
    RequestAllowance,
    account_key,
    allowance_for,
    request_allowance,
)
from load.freshsales.client import FreshsalesClient
from load.freshsales.cost import REQUESTS, freshsales_plan
from sandbox.servers import RunningServer, start_server
from tests.load.test_pacing_jitter import FakeClock
from tests.load_freshsales.tiny_account import (
    BUNDLE,
    Recording,
    create_fields,
    mart_rows,
    write_staging,
)


def test_the_hour_follows_the_plan_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    hours = {p: allowance_for(p) for p in ("free", "growth", "pro", "enterprise")}
    assert {p: (a.hourly, a.stop_at) for p, a in hours.items()} == {
        "free": (1_000, 800),
        "growth": (1_000, 800),
        "pro": (2_000, 1_600),
        "enterprise": (5_000, 4_000),
    }
    assert request_allowance().source == "assumed (Growth)"
    monkeypatch.setenv("FRESHSALES_PLAN", "Pro")
    monkeypatch.setenv("FRESHSALES_BUDGET_SHARE", "0.5")
    monkeypatch.setenv("FRESHSALES_PER_MINUTE", "400")
    assert (request_allowance().stop_at, request_allowance().per_minute) == (1_000, 400)
    monkeypatch.setenv("FRESHSALES_HOURLY_REQUESTS", "3000")  # the override wins over the plan
    assert request_allowance().stop_at == 1_500


def test_past_the_share_the_load_waits_for_the_rolling_hour_or_stops_with_exit_14() -> None:
    clock = FakeClock()
    allowance = RequestAllowance(hourly=100, share=0.8, max_wait=300)
    account = account_key("http://fs", "key-of-one-test-account")
    budget._ACCOUNTS.pop(account, None)
    first = HourlyPacer(allowance, sleep=clock.sleep, clock=clock, account=account)
    for _ in range(50):
        first.take()
    clock.now = 3_000.0  # 50 requests at 0 s, then 30 more at 3 000 s: the share is full
    later = HourlyPacer(allowance, sleep=clock.sleep, clock=clock, account=account)
    for _ in range(30):  # the reconcile's client counts the same account's hour
        later.take()
    assert later.used_this_hour == 80
    with pytest.raises(HourlyBudgetSpent) as stopped:
        later.take()  # the hour frees its first request at 3 600 s: 600 s, over the 300 allowed
    assert explain(stopped.value)[0] == ExitCode.DESTINATION_BUDGET_EXHAUSTED == 14
    assert "resumes from its ledger" in str(stopped.value)
    assert later.used_this_hour == 80  # the refused request was not counted
    waiting = FakeClock()
    patient = HourlyPacer(RequestAllowance(hourly=100, share=0.8), waiting.sleep, waiting)
    for _ in range(81):
        patient.take()
    assert waiting.now == pytest.approx(3_600.0)  # the default 4 000 s waits, it does not stop
    budget._ACCOUNTS.pop(account, None)


def test_the_accounts_own_count_shrinks_the_loaders_hour() -> None:
    clock = FakeClock()
    hour = HourlyPacer(RequestAllowance(hourly=1_000, share=0.8, max_wait=60), clock.sleep, clock)
    hour.take()
    # 700 used by everyone, 1 of them this load's: 699 are the customer's; room 800 - 699 = 101
    hour.after(httpx.Response(200, headers={"X-RateLimit-Total": "1000",
                                            "X-RateLimit-Remaining": "300"}))  # fmt: skip
    for _ in range(100):
        hour.take()
    with pytest.raises(HourlyBudgetSpent, match="holds 800 requests"):
        hour.take()


class Client(PacedHttp):
    """The wiring budget.py's docstring gives the adapter's client."""

    def __init__(self, handler, allowance: RequestAllowance, clock: FakeClock) -> None:
        hour = HourlyPacer(allowance, sleep=clock.sleep, clock=clock)
        super().__init__(
            "http://fs", {}, allowance.budget, transport=httpx.MockTransport(handler),
            sleep=clock.sleep,
        )  # fmt: skip
        self.pacer, self.bucket = hour, hour.bucket

    def observe(self, response: httpx.Response) -> None:
        self.pacer.after(response)

    def throttle_of(self, response: httpx.Response):
        return self.pacer.throttle_of(response)


def test_a_429_is_retried_after_its_wait_or_stops_when_the_wait_is_too_long() -> None:
    clock = FakeClock()
    answers = iter([httpx.Response(429, headers={"Retry-After": "120"}), httpx.Response(200)])
    client = Client(lambda request: next(answers), RequestAllowance(1_000, max_wait=600), clock)
    client.request("POST", "/api/contacts/upsert", json={})
    assert client.stats.total == 2 and clock.now == pytest.approx(120.0, abs=0.01)

    refused = httpx.Response(429, headers={"Retry-After": "3000"})
    stopped = Client(lambda request: refused, RequestAllowance(1_000, max_wait=600), FakeClock())
    with pytest.raises(HourlyBudgetSpent, match="refused a request"):
        stopped.request("POST", "/api/contacts/upsert", json={})
    assert stopped.stats.total == 1  # stopped, not retried for the rest of the hour


def test_the_plan_counts_one_request_a_record_and_the_eta_in_hours_per_plan() -> None:
    rows = {"contact": EntityRows(10_000)}
    growth = freshsales_plan(rows, allowance_for("growth"), "test", fields_wanted=9)
    # 4 fields reads + owners twice (key check, load) + 10 000 upserts + the id maps' first
    # reads (filters and one page for the three view modules, one product page; none for
    # appointments and notes)
    assert growth.total(REQUESTS) == 4 + 2 + 10_000 + 3 * 2 + 1 == 10_013
    assert growth.eta_windows() == math.ceil(10_013 / 800) == 13  # waits: nothing re-read
    assert freshsales_plan(rows, allowance_for("enterprise"), "test", 9).eta_windows() == 3
    stopping = freshsales_plan(rows, allowance_for("growth", max_wait=600), "test", 9)
    reread = 4 + 2 + (1 + 100) + 2 + 1 + 2  # contacts' 100 pages by the second hour
    assert stopping.resume_reread == {REQUESTS: reread}
    assert stopping.eta_windows() == 1 + math.ceil((10_013 - 800) / (800 - reread)) == 15
    # the reconcile: owners, the listings again, each module's contact reads, 50 spot checks
    checked = freshsales_plan(rows, allowance_for("growth"), "test", 9, reconcile_contacts=70)
    assert checked.total(REQUESTS) - growth.total(REQUESTS) == 1 + (101 + 2 + 1 + 2) + 70 + 50
    bulk = freshsales_plan(rows, allowance_for("growth"), "test", 9, bulk=True)
    assert bulk.writes(REQUESTS) == 100 * 3  # a job per 100 and two polls each


HOUR_ACCOUNT, HOUR_KEY = "hour", "hour-api-key"
SMALL_HOUR = 20  # requests: the loader keeps to 16, past the 12 reads of a run, before the end


@pytest.fixture(scope="module")
def small_hour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    args = ["--data-dir", str(tmp_path_factory.mktemp("freshsales-hour"))]
    args += ["--account", f"{HOUR_ACCOUNT}:{HOUR_KEY}", "--hourly-requests", str(SMALL_HOUR)]
    server = start_server("freshsales", args)
    yield server
    server.stop()


def load_within(server: RunningServer, staging: Path, recording: Recording) -> None:
    """One run of the load as a new process would start it: its own count of the hour empty
    (the stand-in's clock moved on, this machine's did not), a minute's wait at most."""
    budget._ACCOUNTS.clear()
    hour = allowance_for(hourly=SMALL_HOUR, max_wait=60)
    url = server.url + BUNDLE
    client = FreshsalesClient(url, HOUR_KEY, hour, transport=recording)
    dest = FreshsalesDestination(client, Ledger(staging, destination="freshsales"),
                                 FreshsalesSettings(url, HOUR_KEY))  # fmt: skip
    try:
        perform_load(dest, LoadOptions(allow_unmatched_owners=True))
    finally:
        dest.ledger.close()
        dest.close()


def test_the_hour_reached_mid_load_stops_it_and_the_next_hour_lands_the_rest_once(
    small_hour: RunningServer, tmp_path: Path
) -> None:
    staging = write_staging(tmp_path / "staging.duckdb")
    create_fields(small_hour.url, HOUR_ACCOUNT, staging)  # the admin, before the load
    recording, hours = Recording(), 1
    while True:
        try:
            load_within(small_hour, staging, recording)
            break
        except HourlyBudgetSpent:
            assert hours < 5, "the load never finished"
            advance = f"{small_hour.url}/_sandbox/clock/advance?hours=1"
            urllib.request.urlopen(urllib.request.Request(advance, method="POST")).read()
            hours += 1
    assert hours > 1, "the hour was never reached"
    assert [r for r in small_hour.requests() if r["status"] == 429] == []  # its own stops
    with urllib.request.urlopen(f"{small_hour.url}/_sandbox/snapshot?account=hour") as answer:
        docs = json.loads(answer.read())[HOUR_ACCOUNT]
    held = {kind: len(docs.get(f"{kind}s") or []) for kind in mart_rows()}  # plural modules
    assert held == mart_rows()
    ledger = Ledger(staging, destination="freshsales")
    assert ledger.pending() == []
    assert {obj: len(ledger.current(obj)) for obj in mart_rows()} == mart_rows()
