"""``bulk_delete_items`` / ``bulk_archive_items``, ``job_status`` and ``undo_action`` in the monday
stand-in (destinations-2.md §4.7, §4.11 rule 12).

A rollback of 10 000 created items one ``delete_item`` at a time is ten days of Standard's
1 000 calls; the 2026-07 SDL's asynchronous bulk calls do it in one call per board plus polls, so
the loader's rollback uses them and must poll ``job_status`` until the job is done. ``undo_action``
puts back what such a job changed.

Choices where the reference is silent ([?]):

* ``item_ids``: 1 to 10 000 ids (else ``InvalidArgumentException``); an unknown board is
  ``ResourceNotFoundException``. The answer is ``{job_id}``; the job is ``PENDING``.
* Polls: the first ``job_status`` moves it to ``RUNNING`` and says so; the next one does the
  work and answers ``COMPLETED`` with ``result {total succeeded failed details}``, ``details``
  = ``{"failed_item_ids": [...]}``. An id that is not an item of that board fails, as does an
  item already deleted (delete) or not active (archive); the others change ``state``.
* ``undo_action(job_id)``: on a job still PENDING or RUNNING it cancels it (``CANCELLED``,
  nothing changed); on a COMPLETED bulk job it puts every item it changed back into the state it
  had before (``success: true``); a second undo, a cancelled job, and every ingest or backfill
  job answer ``success: false`` with the reason in ``message``. Another account's or an unknown
  job id is ``ResourceNotFoundException`` (here and in ``job_status``).
* Times are ISO 8601 UTC of the stand-in clock. Jobs live in memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sandbox.monday.jobs import JobError

PENDING, RUNNING, COMPLETED, CANCELLED = "PENDING", "RUNNING", "COMPLETED", "CANCELLED"
MAX_IDS = 10_000
NEW_STATE = {"delete": "deleted", "archive": "archived"}


class Clock(Protocol):
    def now(self) -> datetime: ...


class StateStore(Protocol):
    """What bulk jobs need from the stand-in's store (S1's ``store.py``)."""

    def has_board(self, account: str, board_id: str) -> bool: ...
    def item_state(self, account: str, board_id: str, item_id: str) -> str | None: ...
    def set_state(self, account: str, item_id: str, state: str) -> None: ...


@dataclass
class BulkJob:
    id: str
    account: str
    kind: str  # delete | archive
    board_id: str
    item_ids: list[str]
    created_at: str
    updated_at: str
    status: str = PENDING
    before: dict[str, str] = field(default_factory=dict)  # item id -> state before the job
    failed: list[str] = field(default_factory=list)
    undone: bool = False

    def answer(self) -> dict[str, Any]:
        done = self.status == COMPLETED
        return {
            "id": self.id,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "error": None,
            "result": {
                "total": len(self.item_ids),
                "succeeded": len(self.before) if done else 0,
                "failed": len(self.failed) if done else 0,
                "details": {"failed_item_ids": self.failed} if done else None,
            },
        }


class BulkJobs:
    """Every account's bulk delete and archive jobs; thread-safe."""

    def __init__(
        self,
        store: StateStore,
        clock: Clock,
        next_id: Callable[[], str],
        is_items_job: Callable[[str, str], bool],
    ) -> None:
        self.store, self.clock, self.next_id = store, clock, next_id
        self.is_items_job = is_items_job  # (account, job id) -> an ingest/backfill job's id?
        self._lock = threading.Lock()
        self._jobs: dict[str, BulkJob] = {}

    def start(self, account: str, kind: str, board_id: str, item_ids: list[str]) -> dict[str, Any]:
        """``bulk_delete_items`` (kind ``delete``) / ``bulk_archive_items`` (``archive``)."""
        if not 1 <= len(item_ids) <= MAX_IDS:
            raise JobError("InvalidArgumentException", f"item_ids must hold 1 to {MAX_IDS} ids")
        if not self.store.has_board(account, board_id):
            raise JobError("ResourceNotFoundException", f"Board {board_id} not found")
        stamp = self._stamp()
        with self._lock:
            ids = [str(i) for i in item_ids]
            job = BulkJob(self.next_id(), account, kind, str(board_id), ids, stamp, stamp)
            self._jobs[job.id] = job
        return {"job_id": job.id}

    def status(self, account: str, job_id: str) -> dict[str, Any]:
        """``job_status``: PENDING → RUNNING at the first poll, the work and COMPLETED next."""
        with self._lock:
            job = self._job(account, job_id)
            if job.status == PENDING:
                job.status, job.updated_at = RUNNING, self._stamp()
            elif job.status == RUNNING:
                self._run(job)
            return job.answer()

    def undo(self, account: str, job_id: str) -> dict[str, Any]:
        """``undo_action``: ``{success, message}``."""
        with self._lock:
            if job_id not in self._jobs and self.is_items_job(account, job_id):
                return _undo(False, "ingest and backfill jobs cannot be undone")
            job = self._job(account, job_id)
            if job.status in (PENDING, RUNNING):
                job.status, job.updated_at = CANCELLED, self._stamp()
                return _undo(True, "the job was cancelled before it changed anything")
            if job.status == CANCELLED or job.undone:
                return _undo(False, f"job {job_id} has nothing left to undo")
            for item_id, state in job.before.items():
                self.store.set_state(account, item_id, state)
            job.undone, job.updated_at = True, self._stamp()
            return _undo(True, f"{len(job.before)} items restored")

    def _run(self, job: BulkJob) -> None:
        target = NEW_STATE[job.kind]
        for item_id in job.item_ids:
            state = self.store.item_state(job.account, job.board_id, item_id)
            if job.kind == "archive":
                refused = state != "active"
            else:
                refused = state is None or state == "deleted"
            if refused or state is None:
                job.failed.append(item_id)
                continue
            job.before[item_id] = state
            self.store.set_state(job.account, item_id, target)
        job.status, job.updated_at = COMPLETED, self._stamp()

    def _job(self, account: str, job_id: str) -> BulkJob:
        job = self._jobs.get(str(job_id))
        if job is None or job.account != account:
            raise JobError("ResourceNotFoundException", f"Job {job_id} not found")
        return job

    def _stamp(self) -> str:
        return self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


def _undo(success: bool, message: str) -> dict[str, Any]:
    return {"success": success, "message": message}
