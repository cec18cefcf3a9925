"""The monday stand-in's jobs, in process (destinations-2.md §4.11 rules 9, 10, 12): ingest and
backfill jobs through their state machine, the upload URL, the shuffled report, the hourly item
budget, board capacity, bulk delete/archive and undo. The store is a small in-memory board
(the protocol jobs.py states); the clock is moved, never waited for."""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.monday.job_fields import Caller, JobFields
from sandbox.monday.jobs import CellRefused, ItemsJobs, JobError, JobOptions

BASE = "http://127.0.0.1:9"
COLUMNS = {"bizstim_id": "text", "status": "status"}
LABELS = {"Active", "Lost"}


class StepClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


class Board:
    """One account, one board ("1", group "g"), users "1" (admin) and "2"."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def board_columns(self, account: str, board_id: str) -> dict[str, str] | None:
        return dict(COLUMNS) if board_id == "1" else None

    def has_board(self, account: str, board_id: str) -> bool:
        return board_id == "1"

    def has_group(self, account: str, board_id: str, group_id: str) -> bool:
        return group_id == "g"

    def live_count(self, account: str, board_id: str) -> int:
        return sum(1 for item in self.items.values() if item["state"] == "active")

    def match_index(self, account: str, board_id: str, column_id: str) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for item_id, item in self.items.items():
            if item["state"] == "active" and column_id in item["values"]:
                index.setdefault(item["values"][column_id], []).append(item_id)
        return index

    def read_cell(self, account: str, board_id: str, column_id: str, text: str) -> Any:
        if COLUMNS[column_id] == "status" and text not in LABELS:
            raise CellRefused(f"unknown label {text!r} for {column_id}")
        return text

    def create(
        self, account: str, board_id: str, group_id: str, name: str, values: dict[str, Any]
    ) -> str:
        item_id = str(100 + len(self.items))
        self.items[item_id] = {"name": name, "values": dict(values), "state": "active"}
        return item_id

    def update(self, account: str, item_id: str, name: str, values: dict[str, Any]) -> None:
        self.items[item_id]["name"] = name
        self.items[item_id]["values"].update(values)

    def is_admin(self, account: str, user_id: str) -> bool:
        return user_id == "1"

    def batch(self) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()

    def item_state(self, account: str, board_id: str, item_id: str) -> str | None:
        item = self.items.get(item_id)
        return None if item is None else item["state"]

    def set_state(self, account: str, item_id: str, state: str) -> None:
        self.items[item_id]["state"] = state


def _csv(rows: list[tuple[str, str, str]], header: str = "name,bizstim_id,status") -> bytes:
    lines = [header, *(",".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def _run(
    jobs: ItemsJobs,
    body: bytes,
    *,
    kind: str = "ingest",
    user: str = "1",
    behaviour: str | None = "UPSERT",
) -> tuple[str, list[str]]:
    """One job from init to its end; the job id and every status the polls saw."""
    on_match = {"match_column_id": "bizstim_id", "behaviour": behaviour} if behaviour else None
    init = jobs.init("acme", user, kind, "1", "g", on_match, BASE)
    job_id = init["job_id"]
    assert init["upload_url"].startswith(f"{BASE}/_upload/{job_id}?token=")
    seen = [jobs.status("acme", job_id, BASE)["status"]]
    token = init["upload_url"].rpartition("token=")[2]
    assert jobs.upload(job_id, token, body) == (200, "uploaded")
    for _ in range(5):
        seen.append(jobs.status("acme", job_id, BASE)["status"])
        if seen[-1] not in ("UPLOAD_PENDING", "PROCESSING"):
            break
    return job_id, seen


def _report(jobs: ItemsJobs, job_id: str) -> list[dict[str, str]]:
    data = jobs.report_csv(job_id)
    assert data is not None
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_ingest_job_states_rows_and_report() -> None:
    """Rule 9: UPLOAD_PENDING → PROCESSING (one poll) → COMPLETED; UPSERT updates the matched
    item and creates the rest; a bad label and a repeated id are invalid rows; SKIP leaves a
    matched item alone; the report's rows come back in another order, keyed by bizstim_id."""
    board, clock = Board(), StepClock()
    jobs = ItemsJobs(board, clock)
    _, seen = _run(jobs, _csv([("Ann", "c1", "Active"), ("Bob", "c2", "Lost")]))
    assert seen == ["UPLOAD_PENDING", "PROCESSING", "COMPLETED"]
    assert sorted(i["name"] for i in board.items.values()) == ["Ann", "Bob"]
    rows = [(f"P{n}", f"c{n}", "Active") for n in range(1, 21)]
    rows += [("Bad", "c50", "Nope"), ("Twice", "c3", "Lost")]
    job_id, _ = _run(jobs, _csv(rows))
    answer = jobs.status("acme", job_id, BASE)
    counts = answer["counts"]
    assert (counts["submitted"], counts["created"], counts["updated"]) == (22, 18, 2)
    assert (counts["invalid"], answer["fully_imported"], answer["report_created"]) == (
        2,
        False,
        True,
    )
    assert answer["report_url"] == f"{BASE}/_reports/{job_id}.csv"
    report = _report(jobs, job_id)
    assert [r["row"] for r in report] != [str(n) for n in range(1, 23)]
    by_id = {r["bizstim_id"]: r for r in report if r["outcome"] != "invalid"}
    assert board.items[by_id["c1"]["item_id"]]["name"] == "P1"
    assert by_id["c1"]["outcome"] == "updated"
    invalid = {r["name"]: r["reason"] for r in report if r["outcome"] == "invalid"}
    assert "Nope" in invalid["Bad"] and "repeats" in invalid["Twice"]
    skip_id, _ = _run(jobs, _csv([("Renamed", "c2", "Active")]), behaviour="SKIP")
    assert jobs.status("acme", skip_id, BASE)["counts"]["skipped"] == 1
    assert board.items[by_id["c2"]["item_id"]]["name"] == "P2"
    _run(jobs, _csv([("Copy", "c4", "")]), kind="backfill", behaviour=None)  # always creates
    twice, _ = _run(jobs, _csv([("Who", "c4", "")]))
    assert jobs.status("acme", twice, BASE)["counts"]["failed"] == 1


def test_ingest_refusals_write_nothing() -> None:
    """Rule 9: unknown header → FAILED INVALID_UPLOAD; 10 001 rows → REJECTED FILE_TOO_LARGE;
    backfill by a non-admin → REJECTED PERMISSION_DENIED; the rolling hour's 19 000 ingest
    items → FAILED ACCOUNT_CAPACITY_EXCEEDED (backfill spends none; an hour later it fits);
    an expired upload URL → 403."""
    board, clock = Board(), StepClock()
    jobs = ItemsJobs(board, clock, JobOptions(ingest_items_per_hour=30))

    def outcome(job_id: str) -> tuple[str, str | None]:
        answer = jobs.status("acme", job_id, BASE)
        return answer["status"], answer["failure_reason"]

    bad_header = _csv([("A", "x1", "Active")], header="name,bizstim_id,colour")
    assert outcome(_run(jobs, bad_header)[0]) == ("FAILED", "INVALID_UPLOAD")
    many = _csv([(f"A{n}", f"x{n}", "") for n in range(10_001)])
    assert outcome(_run(jobs, many)[0]) == ("REJECTED", "FILE_TOO_LARGE")
    backfill = _csv([(f"B{n}", f"b{n}", "") for n in range(25)])
    assert outcome(_run(jobs, backfill, kind="backfill", user="2")[0]) == (
        "REJECTED",
        "PERMISSION_DENIED",
    )
    assert board.items == {}
    assert outcome(_run(jobs, backfill, kind="backfill", behaviour=None)[0])[0] == "COMPLETED"
    assert jobs.hour_used("acme") == 0
    twenty = _csv([(f"I{n}", f"i{n}", "") for n in range(20)])
    assert outcome(_run(jobs, twenty)[0])[0] == "COMPLETED"
    ten_more = _csv([(f"J{n}", f"j{n}", "") for n in range(11)])
    assert outcome(_run(jobs, ten_more)[0]) == ("FAILED", "ACCOUNT_CAPACITY_EXCEEDED")
    assert board.live_count("acme", "1") == 45
    clock.advance(3600)
    assert outcome(_run(jobs, ten_more)[0])[0] == "COMPLETED"
    late = jobs.init("acme", "1", "ingest", "1", "g", None, BASE)
    clock.advance(601)
    token = late["upload_url"].rpartition("token=")[2]
    assert jobs.upload(late["job_id"], token, twenty)[0] == 403
    with pytest.raises(JobError):
        jobs.init("acme", "1", "ingest", "1", "g", {"match_column_id": "nope"}, BASE)


def test_board_capacity_refuses_the_whole_job() -> None:
    """Rule 10: a job whose new items would pass the board's capacity (an option, 10 000 by
    default) fails BOARD_CAPACITY_EXCEEDED and writes none of them; updates still fit."""
    board, clock = Board(), StepClock()
    jobs = ItemsJobs(board, clock, JobOptions(board_capacity=5))
    _run(jobs, _csv([(f"A{n}", f"a{n}", "") for n in range(4)]))
    over, _ = _run(jobs, _csv([(f"B{n}", f"b{n}", "") for n in range(2)]))
    answer = jobs.status("acme", over, BASE)
    assert (answer["status"], answer["failure_reason"]) == ("FAILED", "BOARD_CAPACITY_EXCEEDED")
    assert (answer["counts"]["submitted"], answer["counts"]["created"]) == (2, 0)
    assert board.live_count("acme", "1") == 4
    fits, _ = _run(jobs, _csv([("A0 renamed", "a0", ""), ("B0", "b0", "")]))
    assert jobs.status("acme", fits, BASE)["counts"]["created"] == 1
    assert board.live_count("acme", "1") == 5


def test_bulk_delete_archive_and_undo() -> None:
    """Rule 12: bulk delete and archive run as jobs (PENDING → RUNNING → COMPLETED with counts),
    undo puts the items back; an ingest job cannot be undone; a job in flight is cancelled."""
    board, clock = Board(), StepClock()
    fields = JobFields(board, clock)
    items, bulk, resolve = fields.items, fields.bulk, fields.resolvers()
    ingest_id, _ = _run(items, _csv([(f"N{n}", f"n{n}", "") for n in range(4)]))
    ids = sorted(board.items)
    caller = Caller("acme", "1", BASE)
    arguments = {"board_id": 1, "item_ids": [*ids[:3], 999]}
    deleting = resolve["bulk_delete_items"](caller, arguments)["job_id"]
    assert deleting != ingest_id
    assert board.live_count("acme", "1") == 4
    statuses = [bulk.status("acme", deleting)["status"] for _ in range(2)]
    assert statuses == ["RUNNING", "COMPLETED"]
    result = bulk.status("acme", deleting)["result"]
    assert (result["succeeded"], result["failed"]) == (3, 1)
    assert result["details"] == {"failed_item_ids": ["999"]}
    assert board.live_count("acme", "1") == 1
    archiving = bulk.start("acme", "archive", "1", [ids[3]])["job_id"]
    bulk.status("acme", archiving)
    bulk.status("acme", archiving)
    assert board.items[ids[3]]["state"] == "archived"
    assert bulk.undo("acme", deleting)["success"] is True
    assert bulk.undo("acme", deleting)["success"] is False
    assert [board.items[i]["state"] for i in ids] == ["active"] * 3 + ["archived"]
    assert bulk.undo("acme", archiving)["success"] is True
    assert board.live_count("acme", "1") == 4
    assert resolve["undo_action"](caller, {"job_id": ingest_id})["success"] is False
    in_flight = bulk.start("acme", "delete", "1", ids)["job_id"]
    assert bulk.undo("acme", in_flight)["success"] is True
    assert bulk.status("acme", in_flight)["status"] == "CANCELLED"
    assert board.live_count("acme", "1") == 4
    with pytest.raises(JobError):
        bulk.status("other", deleting)
