"""``ingest_items`` / ``backfill_items`` jobs in the monday stand-in: init, upload, processing,
``fetch_job_status`` and the report (destinations-2.md §4.2, §4.11 rules 9 and 10).

Since API 2026-07 one job writes up to 10 000 rows (backfill 20 000) for a handful of calls;
on Standard's 1 000 calls a day that is the only way a 10 000-client account lands in a day. The
job's answers come back unordered and partly refused, and the account may write only 19 000
items an hour through it, so the loader must match outcomes by the Bizstim id and respect the
hour: this module makes each of those true. The CSV is cut by ``ingest_csv.py``; cells are read
and items written through :class:`ItemStore` (S1's store and value parser behind it).

The state machine, per job: ``UPLOAD_PENDING`` (init) → ``PUT`` the file → ``PROCESSING``,
answered to at least ``polls_before_done`` polls (default 1) → the next poll processes it →
``COMPLETED`` (counts, report), ``FAILED`` or ``REJECTED`` (``failure_reason``, nothing written).

Choices where the reference is silent ([?] there; the loader documents the same):

* ``REJECTED`` when the job is refused before its rows are read: ``PERMISSION_DENIED``
  (``backfill_items`` by a user who is not an account admin) and ``FILE_TOO_LARGE``;
  ``FAILED`` when reading or writing stopped: ``INVALID_UPLOAD`` (unknown header, not CSV),
  ``ACCOUNT_CAPACITY_EXCEEDED`` (the created+updated rows would pass the account's rolling hour
  of 19 000 ingest items) and ``BOARD_CAPACITY_EXCEEDED`` (live items + created would pass the
  board's capacity, 10 000 by default). A failed or rejected job writes nothing: all or none.
* Rows: a bad cell (the parser refuses it), a name empty or over 255 characters, a cell count
  unlike the header's, or a match value an earlier row of the file already had → ``invalid``
  with the reason. On ``UPSERT`` a valid row whose match value one live item holds updates it
  (only the cells given; the name too), none → created; ``SKIP`` leaves a matched item as it is
  (``skipped``); without ``on_match`` and for backfill every valid row creates. A match value
  held by several live items → ``failed`` ("several items match"). An empty match cell never
  matches. Backfill does not spend the hourly item budget (§4.2).
* ``counts.submitted`` = data rows; ``progress_percentage`` 0 until processed, then 100;
  ``fully_imported`` = COMPLETED with no invalid and no failed row; a report exists for every
  COMPLETED job: ``report_created: true``, ``report_url`` = ``<base>/_reports/<job_id>.csv``,
  a CSV ``row,name,<match column id or match_value>,outcome,item_id,reason`` with its rows
  shuffled (seeded by the job id) so no loader can rely on upload order.
* The upload URL ``<base>/_upload/<job_id>?token=<opaque>`` expires 10 minutes (stand-in clock)
  after init → 403; a second upload → 409. The report URL needs no token and is served while
  the stand-in runs (the real one is pre-signed for 10 minutes; a loader reads it at once).
* ``undo_action`` on an ingest or backfill job answers ``success: false`` (whether monday can
  undo them is [?]; the loader's rollback deletes what it created and restores before-images).
* Jobs live in memory (the items they wrote stay in the store): a restart forgets them, as the
  real job ids also expire.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
import secrets
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sandbox.freshsales.limits import RollingWindow
from sandbox.monday.ingest_csv import Refused, Row, read_upload

UPLOAD_PENDING, PROCESSING, COMPLETED = "UPLOAD_PENDING", "PROCESSING", "COMPLETED"
FAILED, REJECTED = "FAILED", "REJECTED"
MAX_ROWS = {"ingest": 10_000, "backfill": 20_000}
HOUR_S = 3600.0
MAX_NAME = 255


class Clock(Protocol):
    def now(self) -> datetime: ...


class CellRefused(ValueError):
    """A cell the value parser would not store (its message is the row's reason)."""


class JobError(Exception):
    """A GraphQL application error from a job call: ``code`` goes to ``extensions.code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class ItemStore(Protocol):
    """What jobs need from the stand-in's store (S1's ``store.py``/``values.py``)."""

    def board_columns(self, account: str, board_id: str) -> dict[str, str] | None: ...
    def has_group(self, account: str, board_id: str, group_id: str) -> bool: ...
    def live_count(self, account: str, board_id: str) -> int: ...
    def match_index(self, account: str, board_id: str, column_id: str) -> dict[str, list[str]]:
        """Live items' ids by their text in ``column_id`` (read once per job)."""
        ...

    def read_cell(self, account: str, board_id: str, column_id: str, text: str) -> Any: ...
    def create(
        self, account: str, board_id: str, group_id: str, name: str, values: dict[str, Any]
    ) -> str: ...
    def update(self, account: str, item_id: str, name: str, values: dict[str, Any]) -> None: ...
    def is_admin(self, account: str, user_id: str) -> bool: ...
    def batch(self) -> AbstractContextManager[Any]:
        """One job's writes together: one transaction (all or none, and 10 000 rows without
        10 000 commits)."""
        ...


@dataclass(frozen=True)
class JobOptions:
    board_capacity: int = 10_000
    ingest_items_per_hour: int = 19_000
    polls_before_done: int = 1
    upload_ttl_s: float = 600.0


@dataclass
class ItemsJob:
    id: str
    account: str
    user_id: str
    kind: str  # ingest | backfill
    board_id: str
    group_id: str
    match_column: str | None
    behaviour: str | None  # UPSERT | SKIP | None
    token: str
    upload_expires: float
    polls_left: int
    status: str = UPLOAD_PENDING
    body: bytes | None = None
    counts: dict[str, int] = field(default_factory=dict)
    failure_reason: str | None = None
    failure_message: str | None = None
    report: list[list[str]] = field(default_factory=list)

    def answer(self, base_url: str) -> dict[str, Any]:
        done = self.status in (COMPLETED, FAILED, REJECTED)
        counts = self.counts or dict.fromkeys(OUTCOME_COUNTS, 0)
        complete = self.status == COMPLETED
        return {
            "__typename": "ItemsJobStatus",
            "status": self.status,
            "counts": counts,
            "progress_percentage": 100 if done else 0,
            "failure_reason": self.failure_reason,
            "failure_message": self.failure_message,
            "fully_imported": complete and not counts["invalid"] and not counts["failed"],
            "report_created": complete,
            "report_url": f"{base_url}/_reports/{self.id}.csv" if complete else None,
        }


OUTCOME_COUNTS = ("submitted", "invalid", "skipped", "created", "updated", "failed")


class ItemsJobs:
    """Every account's ingest and backfill jobs; thread-safe. ``next_id`` is shared with the
    bulk jobs so one id names one job whichever query asks."""

    def __init__(
        self,
        store: ItemStore,
        clock: Clock,
        options: JobOptions | None = None,
        next_id: Callable[[], str] | None = None,
    ) -> None:
        self.store, self.clock, self.options = store, clock, options or JobOptions()
        counter = itertools.count(1)
        self.next_id = next_id or (lambda: str(next(counter)))
        self._lock = threading.Lock()
        self._jobs: dict[str, ItemsJob] = {}
        self._hours: dict[str, RollingWindow] = {}

    def init(
        self,
        account: str,
        user_id: str,
        kind: str,
        board_id: str,
        group_id: str,
        on_match: dict[str, Any] | None,
        base_url: str,
    ) -> dict[str, Any]:
        """The mutation: ``{job_id, upload_url}``; a JobError for an unknown board/group/column."""
        columns = self.store.board_columns(account, board_id)
        if columns is None:
            raise JobError("ResourceNotFoundException", f"Board {board_id} not found")
        if not self.store.has_group(account, board_id, group_id):
            raise JobError("ResourceNotFoundException", f"Group {group_id} not found")
        match = on_match.get("match_column_id") if on_match else None
        if match is not None and match not in columns:
            raise JobError("InvalidColumnIdException", f"Column {match} not found")
        behaviour = on_match.get("behaviour") if on_match else None
        now = self._now()
        with self._lock:
            job = ItemsJob(
                self.next_id(),
                account,
                user_id,
                kind,
                board_id,
                group_id,
                match,
                behaviour,
                secrets.token_urlsafe(18),
                now + self.options.upload_ttl_s,
                self.options.polls_before_done,
            )
            self._jobs[job.id] = job
        url = f"{base_url}/_upload/{job.id}?token={job.token}"
        return {"job_id": job.id, "upload_url": url}

    def upload(self, job_id: str, token: str | None, body: bytes) -> tuple[int, str]:
        """The ``PUT`` to the upload URL: an HTTP status and a message."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or token is None or not secrets.compare_digest(token, job.token):
                return 403, "the upload URL is not valid"
            if self._now() >= job.upload_expires:
                return 403, "the upload URL expired (10 minutes after the job began)"
            if job.status != UPLOAD_PENDING:
                return 409, f"the job is {job.status}, not waiting for its file"
            job.body, job.status = body, PROCESSING
        return 200, "uploaded"

    def status(self, account: str, job_id: str, base_url: str) -> dict[str, Any]:
        """``fetch_job_status``: the job as it stands after this poll."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.account != account:
                raise JobError("ResourceNotFoundException", f"Job {job_id} not found")
            if job.status == PROCESSING:
                if job.polls_left > 0:
                    job.polls_left -= 1
                else:
                    self._process(job)
            return job.answer(base_url)

    def report_csv(self, job_id: str) -> bytes | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.status != COMPLETED:
                return None
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            header = ["row", "name", job.match_column or "match_value"]
            writer.writerow([*header, "outcome", "item_id", "reason"])
            writer.writerows(job.report)
            return out.getvalue().encode("utf-8")

    def knows(self, account: str, job_id: str) -> bool:
        with self._lock:
            job = self._jobs.get(job_id)
            return job is not None and job.account == account

    def hour_used(self, account: str) -> int:
        with self._lock:
            return self._hour(account).used(self._now())

    def _process(self, job: ItemsJob) -> None:
        store, account, board = self.store, job.account, job.board_id
        if job.kind == "backfill" and not store.is_admin(account, job.user_id):
            self._stop(job, REJECTED, "PERMISSION_DENIED", "backfill_items is for account admins")
            return
        columns = store.board_columns(account, board) or {}
        read = read_upload(job.body or b"", columns, MAX_ROWS[job.kind])
        if isinstance(read, Refused):
            state = REJECTED if read.reason == "FILE_TOO_LARGE" else FAILED
            self._stop(job, state, read.reason, read.message)
            return
        matching = job.kind == "ingest" and job.behaviour is not None and job.match_column
        index = store.match_index(account, board, job.match_column or "") if matching else {}
        seen: set[str] = set()
        plan = [self._plan_row(job, row, seen, index) for row in read]
        writes = sum(1 for p in plan if p.outcome in ("created", "updated"))
        created = sum(1 for p in plan if p.outcome == "created")
        hour = self._hour(account)
        now = self._now()
        limit = self.options.ingest_items_per_hour
        if job.kind == "ingest" and hour.used(now) + writes > limit:
            message = f"{writes} items would pass the account's {limit} ingest items an hour"
            self._stop(job, FAILED, "ACCOUNT_CAPACITY_EXCEEDED", message, len(plan))
            return
        capacity = self.options.board_capacity
        if store.live_count(account, board) + created > capacity:
            message = f"{created} new items would pass the board's capacity of {capacity}"
            self._stop(job, FAILED, "BOARD_CAPACITY_EXCEEDED", message, len(plan))
            return
        with store.batch():
            for step in plan:
                step.item_id = self._write(job, step)
        if job.kind == "ingest" and writes:
            hour.book(now, writes)
        job.counts = {name: 0 for name in OUTCOME_COUNTS}
        job.counts["submitted"] = len(plan)
        for step in plan:
            job.counts[step.outcome] += 1
        job.report = [step.report_row() for step in plan]
        random.Random(f"report:{job.id}").shuffle(job.report)
        job.status, job.body = COMPLETED, None

    def _plan_row(
        self, job: ItemsJob, row: Row, seen: set[str], index: dict[str, list[str]]
    ) -> _Step:
        match_text = row.cells.get(job.match_column, "") if job.match_column else ""
        step = _Step(row, match_text)
        if row.problem is not None:
            return step.set("invalid", row.problem)
        if not 1 <= len(row.name) <= MAX_NAME:
            return step.set("invalid", f"the item name must be 1 to {MAX_NAME} characters")
        try:
            step.values = {
                column: self.store.read_cell(job.account, job.board_id, column, text)
                for column, text in row.cells.items()
            }
        except CellRefused as exc:
            return step.set("invalid", str(exc))
        if match_text and match_text in seen:
            return step.set("invalid", f"{job.match_column} {match_text!r} repeats an earlier row")
        if match_text:
            seen.add(match_text)
        if job.kind == "backfill" or job.behaviour is None or not match_text:
            return step.set("created")
        found = index.get(match_text, [])
        if len(found) > 1:
            return step.set("failed", f"several items match {job.match_column} {match_text!r}")
        if not found:
            return step.set("created")
        step.item_id = found[0]
        return step.set("skipped" if job.behaviour == "SKIP" else "updated")

    def _write(self, job: ItemsJob, step: _Step) -> str:
        if step.outcome == "created":
            return self.store.create(
                job.account, job.board_id, job.group_id, step.row.name, step.values
            )
        if step.outcome == "updated":
            self.store.update(job.account, step.item_id, step.row.name, step.values)
        return step.item_id

    def _stop(
        self, job: ItemsJob, status: str, reason: str, message: str, submitted: int = 0
    ) -> None:
        """The job ends without writing; ``submitted`` = its rows when the file was read."""
        job.status, job.body = status, None
        job.failure_reason, job.failure_message = reason, message
        job.counts = {name: 0 for name in OUTCOME_COUNTS}
        job.counts["submitted"] = submitted

    def _hour(self, account: str) -> RollingWindow:
        return self._hours.setdefault(account, RollingWindow(HOUR_S))

    def _now(self) -> float:
        return self.clock.now().timestamp()


@dataclass
class _Step:
    row: Row
    match_text: str
    outcome: str = ""
    reason: str = ""
    item_id: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    def set(self, outcome: str, reason: str = "") -> _Step:
        self.outcome, self.reason = outcome, reason
        return self

    def report_row(self) -> list[str]:
        row = self.row
        return [str(row.number), row.name, self.match_text, self.outcome, self.item_id, self.reason]
