"""monday's budgets in the loader: the cost plan's arithmetic per plan (in process), the ingest
hour and the day's share on a stepped clock, and the daily limit met on the stand-in: a clean
stop (exit 14) and a rerun after the stand-in's midnight that lands every row once.

The plan is checked with figures worked by hand (schema 6 boards, 6 groups, 71 columns, as the
seeds hold them when this was written, passed explicitly so a seed edit does not move them).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from collections import Counter
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from bizmig.failures import explain
from load.core.cost import EntityRows
from load.core.loader import ObjectResult
from load.core.pacing import SlidingWindow
from load.monday import budget
from load.monday.client import MondayClient
from load.monday.cost import CALLS, ITEMS, POINTS, dry_run_plan, monday_plan
from load.monday.ingest import Ingest
from load.monday.mutations import BoardRow
from sandbox.servers import RunningServer, start_server

ACCOUNT, TOKEN = "budget", "budget-token"
SCHEMA = (6, 6, 71)


def sessions_only(plan: str) -> Any:
    limits = budget.Allowance(budget.DAILY_CALLS[plan], source=plan)
    rows = {"session": EntityRows(25_000)}
    return monday_plan(rows, limits, "test", SCHEMA, contacts_with_notes=0)


def test_the_plan_counts_jobs_not_items_and_days_by_the_plans_share():
    standard = sessions_only("standard")
    # schema 12 + 6 + 71 + 4 reads; 25 000 sessions = 3 jobs x 3 calls + a page read;
    # five empty boards a page each; reconcile 1 + 50 session pages + 5 empty boards + 50 spots
    assert standard.total(CALLS) == 93 + 10 + 5 + 56 + 50
    assert standard.total(ITEMS) == 25_000
    assert standard.total(POINTS) > 25_000 * 10  # the reads alone; never 10 000 per item
    assert standard.lines[5].costs == {CALLS: 9, POINTS: 3 * 10_020, ITEMS: 25_000}
    # Standard: 214 calls fit a day's 800; the ingest hour does not: 2 hours, named first
    assert standard.allowances[0].unit == ITEMS
    assert standard.eta_windows() == 2
    # Free: 160 calls a day; each later day re-reads 59 calls of its 160, so 2 days for 214
    free = sessions_only("free")
    assert free.allowances[0].unit == CALLS and free.allowances[0].room == 160
    assert free.eta_windows() == 2
    for plan, room in (("basic", 800), ("pro", 8_000), ("enterprise", 20_000)):
        calls = next(a for a in sessions_only(plan).allowances if a.unit == CALLS)
        assert calls.room == room


def test_a_small_set_goes_as_aliased_mutations_and_notes_cost_their_marker_reads():
    limits = budget.Allowance(1_000)
    rows = {"service": EntityRows(40), "update": EntityRows(1_200)}
    plan = monday_plan(rows, limits, "test", (0, 0, 0), contacts_with_notes=300)
    services = next(line for line in plan.lines if line.object == "service")
    assert services.costs == {CALLS: 1, POINTS: 400_000}
    notes = next(line for line in plan.lines if line.object == "update")
    assert notes.costs[CALLS] == 3  # 500 aliases a document
    assert notes.reads[CALLS] == 3  # 100 Contacts items a read
    assert plan.total(ITEMS) == 0


def test_a_dry_run_plans_against_the_calls_the_account_already_used_today():
    limits = budget.Allowance(1_000)
    client = SimpleNamespace(daily=budget.DailyCalls(limits, used_before=700), allowance=limits)
    results = [ObjectResult("session", actions=Counter(created=25_000))]
    plan = dry_run_plan(SimpleNamespace(client=client, ledger=None), results)
    calls = next(a for a in plan.allowances if a.unit == CALLS)
    assert (calls.used, calls.room_now) == (700, 100)
    assert plan.windows(calls).windows == 2  # the schema alone is more than today's 100
    assert plan.allowances[0].unit == CALLS  # a second day outlasts a second ingest hour


class SteppedClock:
    def __init__(self) -> None:
        self.now, self.slept = 1_000.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_ingest_hour_waits_for_the_first_job_to_leave_or_stops_past_max_wait():
    clock = SteppedClock()
    hour = budget.ItemsHour(budget.Allowance(1_000, max_wait=4_000), clock, clock.sleep)
    hour.admit(10_000)
    clock.now += 600
    hour.admit(9_000)
    hour.admit(5_000)  # waits until the first 10 000 leave the rolling hour
    assert clock.slept == [3_000.0]
    impatient = budget.ItemsHour(budget.Allowance(1_000, max_wait=600), clock, clock.sleep)
    impatient.admit(19_000)
    with pytest.raises(budget.IngestHourSpent) as stop:
        impatient.admit(1)
    assert explain(stop.value)[0] == 14


def test_a_job_is_sized_to_the_room_left_in_the_hour_so_no_hour_is_wasted():
    clock = SteppedClock()
    hour = budget.ItemsHour(budget.Allowance(1_000), clock, clock.sleep)
    ingest = Ingest(SimpleNamespace(), hour)
    assert ingest._job_size(25_000) == 10_000  # an empty hour: a whole job
    hour.admit(10_000)
    hour.admit(6_289)
    assert hour.room() == 2_711
    assert ingest._job_size(25_000) == 2_711  # fills the hour instead of waiting for the next
    assert ingest._job_size(1_000) == 1_000
    hour.refused(2_711)  # monday said the hour is full: the next job is whole, and waits
    assert hour.room() == 0 and ingest._job_size(25_000) == 10_000


def test_the_days_share_stops_the_load_at_its_last_call():
    calls = budget.DailyCalls(budget.Allowance(1_000, share=0.8), used_before=795)
    for _ in range(5):
        calls.spend()
    with pytest.raises(budget.DailyCallsSpent):
        calls.spend()
    assert calls.calls == 5


def test_the_minute_counts_points_in_a_sliding_window_not_a_refilling_bucket():
    clock = SteppedClock()
    minute = SlidingWindow(10_000_000, 60.0, 0.05, clock, clock.sleep, weighted=True)
    minute.take(4_800_000)
    clock.now += 10
    minute.take(4_600_000)
    clock.now += 20
    minute.take(5_000)  # 9.4M + 5 000 still fits the 9.5M kept
    minute.take(200_000)  # does not: waits until the first document leaves the minute
    assert clock.slept == [30.0]


# -- the daily limit on the stand-in --------------------------------------------------------


def hook(server: RunningServer, path: str, body: Any = None, method: str = "POST") -> Any:
    raw = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{server.url}{path}", raw, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"{}")


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # its own data directory: two stand-ins sharing .bizmig/sandbox/monday lock one SQLite file
    data = tmp_path_factory.mktemp("monday-standin")
    server = start_server("monday", ["--data-dir", str(data)])
    user = {"id": "1", "name": "Bea", "email": "bea@example.com", "is_admin": True}
    hook(server, "/_sandbox/accounts", {"account": ACCOUNT, "token": TOKEN, "plan": "standard",
                                        "users": [user]})  # fmt: skip
    yield server
    server.stop()


def client_of(server: RunningServer) -> MondayClient:
    return MondayClient(f"{server.url}/v2", TOKEN, limits=budget.Allowance(1_000))


def board_with_groups(client: MondayClient, groups: int) -> tuple[str, list[str]]:
    board = client.query(
        'mutation { create_board(board_name: "Sessions", board_kind: public, empty: true) { id } }'
    )["create_board"]["id"]
    for column in ("bizstim_id", "topic"):
        client.query(
            "mutation($b: ID!, $i: String!) { create_column(board_id: $b, id: $i, title: $i,"
            " column_type: text) { id } }",
            {"b": board, "i": column},
        )
    made = [
        client.query(
            "mutation($b: ID!, $g: String!) { create_group(board_id: $b, group_name: $g) { id } }",
            {"b": board, "g": f"Week {n}"},
        )["create_group"]["id"]
        for n in range(groups)
    ]
    return str(board), [str(g) for g in made]


def landed(server: RunningServer, board: str) -> list[str]:
    snapshot = hook(server, f"/_sandbox/snapshot?account={ACCOUNT}", method="GET")
    items = [i for b in snapshot["boards"] if str(b["id"]) == board for i in b["items"]]
    return sorted(str(i["values"]["bizstim_id"]["text"]) for i in items)


def test_the_daily_limit_stops_cleanly_and_the_rerun_after_midnight_lands_every_row_once(
    stand_in: RunningServer,
):
    setup = client_of(stand_in)
    board, groups = board_with_groups(setup, 3)
    rows = [BoardRow(f"s{n}", f"Session {n}", groups[n % 3], {"topic": f"t{n}"}) for n in range(60)]
    types = {"topic": "text"}
    hook(stand_in, "/_sandbox/clock", {"now": "2026-03-02T12:00:00+00:00"})
    hook(stand_in, "/_sandbox/daily", {"account": ACCOUNT, "used": 996})  # 4 calls left
    first = Ingest(client_of(stand_in), sleep=lambda _s: None)
    with pytest.raises(budget.DailyCallsSpent) as stop:
        first.upsert(board, types, rows)
    assert explain(stop.value)[0] == 14
    day = hook(stand_in, f"/_sandbox/daily?account={ACCOUNT}", method="GET")
    assert day["daily_used"] == 1_001  # a job's 3 calls, the next job's start, one refused
    assert len(landed(stand_in, board)) == 20  # the first job only: the second is never polled

    midnight = dt.datetime(2026, 3, 3, 0, 0, 5, tzinfo=dt.UTC)
    hook(stand_in, "/_sandbox/clock", {"now": midnight.isoformat()})
    rerun = Ingest(client_of(stand_in), sleep=lambda _s: None)
    outcome = rerun.upsert(board, types, rows)
    assert len(outcome.item_ids) == 60 and not outcome.refused
    held = landed(stand_in, board)
    assert len(held) == 60 and len(set(held)) == 60  # every row once: upserted, not duplicated
    day = hook(stand_in, f"/_sandbox/daily?account={ACCOUNT}", method="GET")
    assert day["daily_used"] == rerun.calls == 9  # 3 jobs, 3 calls each, on the new day
