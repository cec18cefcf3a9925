"""A board's changed rows as ``ingest_items`` jobs: upsert on ``bizstim_id``, outcomes by id.

On Standard's 1 000 calls a day (destinations-2.md §4.3) a loader that spends a call per item
cannot migrate a 10 000-client account; an ingest job takes up to 10 000 rows for a handful of
calls (``ingest_items``, a PUT that is not a ``/v2`` call, a few ``fetch_job_status`` polls)
and reads its outcomes from a report file. So at or above ``MONDAY_INGEST_THRESHOLD`` rows a
board's changes go here (below it, :mod:`load.monday.mutations`). A job names one group
(``group_id`` is required), so there is one job per group per 10 000 rows.

Per job: ``ingest_items(board_id, group_id, on_match: {match_column_id: "bizstim_id",
behaviour: UPSERT})`` → ``{job_id, upload_url}``; ``PUT`` the CSV (the format decided for
issue 17, :mod:`load.monday.values`; the stand-in's ``sandbox/monday/ingest_csv.py`` documents
the same) with plain httpx, retried on 5xx and dropped connections; before a second PUT the
job's state is read, since a dropped PUT may have landed and a second one is refused (409); a
403 is an expired URL (10 minutes) and the job is asked for again. Then ``fetch_job_status``
at growing intervals (1, 2, 4 … s, at most 60 s by default): every poll is one of the day's
calls, and the daily limit, not the wait, is what a migration runs out of.

Outcomes are matched **by Bizstim id** (the report's ``bizstim_id`` column), never by row
number or order: the report comes back reordered (the stand-in shuffles it). ``created`` and
``updated`` rows give their item id; ``invalid`` and ``failed`` rows are refused with the
report's reason; a row the report gives no item id for is looked up on the board by its Bizstim
id (``items_page_by_column_values``), and one still not found is left unanswered for the
core's read-back.

A job that fails as a whole wrote nothing: ``ACCOUNT_CAPACITY_EXCEEDED`` (19 000 items created
or updated per rolling hour per account, shared with the account's other integrations) is told
to the hourly item window (``IngestWindow``, B's :mod:`load.monday.budget`), which waits up to
``MONDAY_MAX_WAIT_S`` or stops the load cleanly (exit 14, :class:`IngestBudgetSpent`); without
a window the load stops at once. ``BOARD_CAPACITY_EXCEEDED``, ``INVALID_UPLOAD``,
``FILE_TOO_LARGE`` and the rest raise :class:`IngestJobFailed` naming the board, group, job and
monday's message.

A lost answer to ``ingest_items`` itself (the connection dropped after monday made the job) is
sent again with the same ``Idempotency-Key`` (the run id, the board, the group, the upload's
hash and the attempt), so monday replays the job it made instead of making a second one that
would wait forever for its file. If every answer is lost the load stops with the error, and
re-sending rows is safe in any case: UPSERT on ``bizstim_id`` updates the item a previous job
created instead of creating a second one, so the rerun's plan (which reads the board) resends
at worst a row that had landed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import httpx

from load.core.pacing import BudgetExhausted
from load.core.transport import DestinationUnavailable
from load.monday import documents
from load.monday.client import error_text
from load.monday.documents import MATCH_COLUMN
from load.monday.mutations import (
    REPLAYS,
    BoardRow,
    GraphQL,
    Outcome,
    idempotency_key,
    items_by_bizstim_id,
)
from load.monday.values import csv_header_and_rows

JOB_ROWS = 10_000
UPLOAD_ATTEMPTS = 4
JOB_ATTEMPTS = 3  # fresh jobs after an expired upload URL or a full hour the window waited out
FINISHED = ("COMPLETED", "FAILED", "REJECTED")
ACCOUNT_FULL = "ACCOUNT_CAPACITY_EXCEEDED"


class IngestJobFailed(RuntimeError):
    """monday failed or rejected a job for a reason no retry mends (board full, bad file)."""


class IngestBudgetSpent(BudgetExhausted):
    """The account's hourly ingest items are spent: the load stops (exit 14), the rerun
    resumes from the ledger."""


class IngestWindow(Protocol):
    """The account's rolling hour of ingest items (19 000), B's :mod:`load.monday.budget`."""

    def admit(self, items: int) -> None:
        """Wait until ``items`` more fit the hour and count them; raise a
        :class:`~load.core.pacing.BudgetExhausted` when the wait is past MONDAY_MAX_WAIT_S."""

    def refused(self, items: int) -> None:
        """monday refused a job of ``items`` for the account's hour (others spent it):
        uncount them and count the hour as full from now."""


def report_rows(text: str) -> list[dict[str, str]]:
    """The report CSV (``row,name,bizstim_id,outcome,item_id,reason``) as dicts."""
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def upload_text(types: Mapping[str, str], rows: Sequence[BoardRow]) -> str:
    """The CSV of ``rows``: header ``name``, the column ids, then ``bizstim_id``."""
    header, cells = csv_header_and_rows(types, [{"name": row.name, **row.values} for row in rows])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*header, MATCH_COLUMN])
    for row, line in zip(rows, cells, strict=True):
        writer.writerow([*line, row.bizstim_id])
    return out.getvalue()


class Ingest:
    """``ingest_items`` jobs for one board's rows (see the module)."""

    def __init__(
        self,
        client: GraphQL,
        window: IngestWindow | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        poll_first: float = 1.0,
        poll_most: float = 60.0,
        run_id: str = "",
    ) -> None:
        self.client = client
        self.run_id = run_id
        self.window = window
        self.http = http or httpx.Client(timeout=120.0)
        self.sleep = sleep
        self.poll_first = poll_first
        self.poll_most = poll_most
        self.jobs: list[str] = []
        self.polls = 0
        self.calls = 0  # /v2 calls (the PUT and the report are not counted by monday)

    def upsert(self, board_id: str, types: Mapping[str, str], rows: Sequence[BoardRow]) -> Outcome:
        """Upsert ``rows`` into their groups; ``types``: column id → type, not ``bizstim_id``."""
        by_group: dict[str, list[BoardRow]] = {}
        for row in rows:
            by_group.setdefault(row.group_id, []).append(row)
        outcome = Outcome()
        for group_id, group_rows in by_group.items():
            start = 0
            while start < len(group_rows):
                size = self._job_size(len(group_rows) - start)
                chunk = group_rows[start : start + size]
                outcome.merge(self._job(board_id, group_id, upload_text(types, chunk), chunk))
                start += size
        return outcome

    def _job_size(self, left: int) -> int:
        """Up to 10 000 rows, or the room left in the account's ingest hour when that is less
        but not none: a 10 000-row job that does not fit waits for the next hour whole, and in
        the 50 000-record benchmark that packing cost a fourth hour where 2.9 was the floor."""
        size = min(JOB_ROWS, left)
        room = getattr(self.window, "room", None)
        free = room() if callable(room) else size
        return min(size, free) if free > 0 else size

    # -- one job ----------------------------------------------------------------------------
    def _job(self, board_id: str, group_id: str, upload: str, rows: Sequence[BoardRow]) -> Outcome:
        where = f"board {board_id} group {group_id}"
        admit, expired = True, False
        upload_hash = hashlib.sha256(upload.encode("utf-8")).hexdigest()
        for attempt in range(JOB_ATTEMPTS):
            if admit and self.window is not None:
                self.window.admit(len(rows))
            admit = False
            key = idempotency_key(
                self.run_id,
                documents.INGEST_ITEMS,
                {"board": board_id, "group": group_id, "upload": upload_hash, "attempt": attempt},
            )
            job_id, url = self._start(board_id, group_id, where, key)
            expired = not self._upload(job_id, url, upload.encode("utf-8"))
            if expired:
                continue  # the URL expired before the file went up: ask for a new job
            status = self._wait(job_id)
            if status.get("status") == "COMPLETED":
                return self._outcome(board_id, status, rows)
            reason = str(status.get("failure_reason") or status.get("status"))
            message = str(status.get("failure_message") or "no message")
            if reason != ACCOUNT_FULL:
                raise IngestJobFailed(
                    f"monday refused ingest job {job_id} ({where}): {reason}: {message}"
                )
            if self.window is None:
                raise IngestBudgetSpent(
                    f"monday's hourly ingest budget (19 000 items per account) is spent ({where}, "
                    f"job {job_id}: {message}); run the same command again later, the load "
                    "resumes from its ledger"
                )
            self.window.refused(len(rows))
            admit = True  # the window waits for room (or stops the load) before the next job
        if expired:
            raise IngestJobFailed(
                f"the upload URL of {JOB_ATTEMPTS} ingest jobs ({where}) expired before the file "
                "went up"
            )
        raise IngestBudgetSpent(
            f"ingest jobs for {where} found no room in {JOB_ATTEMPTS} attempts; run the same "
            "command again later, the load resumes from its ledger"
        )

    def _start(self, board_id: str, group_id: str, where: str, key: str) -> tuple[str, str]:
        variables = {"board": board_id, "group": group_id, "match": MATCH_COLUMN}
        for replay in range(1 + REPLAYS):
            self.calls += 1
            try:
                answer = self.client.graphql(
                    documents.INGEST_ITEMS, variables, idempotency_key=key, retry_writes=False
                )
                break
            except DestinationUnavailable:
                if replay == REPLAYS:
                    raise
        init = (answer.get("data") or {}).get("ingest_items") or {}
        if not init.get("job_id") or not init.get("upload_url"):
            errors = "; ".join(error_text(e) for e in answer.get("errors") or []) or "no job"
            raise IngestJobFailed(f"monday would not start an ingest job ({where}): {errors}")
        self.jobs.append(str(init["job_id"]))
        return str(init["job_id"]), str(init["upload_url"])

    def _upload(self, job_id: str, url: str, body: bytes) -> bool:
        """True once the job has its file; False when the URL expired (403)."""
        pause = self.poll_first
        for attempt in range(UPLOAD_ATTEMPTS):
            if attempt and self._status(job_id).get("status") != "UPLOAD_PENDING":
                return True  # the previous PUT landed though its answer was lost
            try:
                response = self.http.put(url, content=body, headers={"Content-Type": "text/csv"})
            except httpx.TransportError:
                self.sleep(pause)
                pause *= 2
                continue
            if response.status_code < 300 or response.status_code == 409:
                return True  # 409: the job already has its file
            if response.status_code == 403:
                return False
            if response.status_code < 500:
                # the URL carries the upload's token: never in a message
                raise IngestJobFailed(
                    f"the upload of ingest job {job_id} was refused: HTTP {response.status_code}"
                )
            self.sleep(pause)
            pause *= 2
        raise DestinationUnavailable(
            f"the upload of ingest job {job_id} failed {UPLOAD_ATTEMPTS} times"
        )

    def _status(self, job_id: str) -> dict[str, Any]:
        self.calls += 1
        self.polls += 1
        answer = self.client.graphql(documents.FETCH_JOB_STATUS, {"job": job_id})
        status = (answer.get("data") or {}).get("fetch_job_status")
        if not status:
            errors = "; ".join(error_text(e) for e in answer.get("errors") or [])
            raise IngestJobFailed(f"monday gave no status for ingest job {job_id}: {errors}")
        return dict(status)

    def _wait(self, job_id: str) -> dict[str, Any]:
        pause = self.poll_first
        while True:
            status = self._status(job_id)
            if status.get("status") in FINISHED:
                return status
            self.sleep(pause)
            pause = min(self.poll_most, pause * 2)

    def _report(self, url: str) -> str:
        pause = self.poll_first
        for _ in range(UPLOAD_ATTEMPTS):
            try:
                response = self.http.get(url)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                return response.text
            if response is not None and response.status_code < 500:
                raise IngestJobFailed(
                    f"the job report could not be read: HTTP {response.status_code}"
                )
            self.sleep(pause)
            pause *= 2
        raise DestinationUnavailable(f"the job report failed {UPLOAD_ATTEMPTS} times")

    def _outcome(
        self, board_id: str, status: Mapping[str, Any], rows: Sequence[BoardRow]
    ) -> Outcome:
        outcome = Outcome()
        report = self._report(str(status["report_url"])) if status.get("report_url") else ""
        by_id = {row.bizstim_id: row for row in rows}
        for line in report_rows(report):
            bizstim_id = line.get(MATCH_COLUMN, "")
            if bizstim_id not in by_id:
                continue
            kind, item_id = line.get("outcome", ""), line.get("item_id", "")
            if kind in ("invalid", "failed"):
                reason = line.get("reason") or f"the job counted the row {kind}"
                outcome.refused[bizstim_id] = f"{kind}: {reason}"
            elif item_id:
                outcome.item_ids[bizstim_id] = item_id
                if kind == "created":
                    outcome.created.add(bizstim_id)
        settled = set(outcome.item_ids) | set(outcome.refused)
        missing = [row.bizstim_id for row in rows if row.bizstim_id not in settled]
        if missing:
            found = items_by_bizstim_id(self.client, board_id, missing)
            self.calls += 1
            for bizstim_id in missing:
                if bizstim_id in found:
                    outcome.item_ids[bizstim_id] = found[bizstim_id]
                    if by_id[bizstim_id].item_id is None:
                        outcome.created.add(bizstim_id)
                else:
                    outcome.unanswered.append(bizstim_id)
        return outcome
