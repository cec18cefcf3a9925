"""Bulk API 2.0 ingest jobs: upsert a set on ``Bizstim_Id__c``, read the outcome by external id.

Above ~2 000 records an object goes through a Bulk job, not REST (Salesforce's large-data-
volume guide, destinations-2.md §1.2): a job of 10 000 records costs about seven API requests
(create, upload, close, a few polls, three result files) where sObject Collections would
cost 50, and one of the org's 15 000 daily Bulk batches. A job is one upload (simple-
salesforce plans on one per job too); an upload is kept under 100 MB of CSV (the limit is
150 MB after base64).

Before each job its ``⌈rows / 10 000⌉`` batches are counted against the org's
``DailyBulkApiBatches`` (:meth:`~load.salesforce.client.SalesforceClient.spend_bulk_batches`),
and a job the org fails with ``ExceededQuota`` (its other integrations spent the batches) is
the same clean stop (exit 14), never a Collections fallback: re-sending a refused job's rows
through Collections costs 50 requests per 10 000 rows, so a spent batch cap would quietly
become a spent request allocation. The rows of the job stay pending and the rerun settles them.

What the job answers is matched to rows **by the ``Bizstim_Id__c`` column of the result
files**, never by position: their row order is not guaranteed (the failed-results page says
so, and the stand-in shuffles them). Rows in ``unprocessedrecords`` were never attempted (it
can hold every row while every HTTP call answered 2xx), and a job that ends ``Failed`` for its
data left its rows unprocessed: the caller sends those again through sObject Collections.

An upload is never repeated on an unknown outcome: a second ``PUT …/batches`` to an ``Open``
job *appends* (it accepts several uploads), so a dropped PUT that had landed would put every
row in the job twice and fail them all with ``DUPLICATE_VALUE``. The job is aborted instead
and the rows go into a fresh one. Closing is checked the same way: a dropped ``UploadComplete``
is read back from the job's state before it is sent again.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from load.salesforce.client import (
    BATCHES_WORDS,
    SalesforceClient,
    SalesforceError,
    SalesforceUnavailable,
    org_refused,
)
from load.salesforce.values import csv_text

JOB_ROWS = 10_000  # one of the org's daily Bulk batches per 10 000 records
UPLOAD_BYTES = 100_000_000  # 150 MB after base64 is the limit; ~100 MB of raw CSV
UPLOAD_ATTEMPTS = 3
TERMINAL = ("JobComplete", "Failed", "Aborted")
QUOTA = "ExceededQuota"  # a Failed job's errorMessage when the org's daily batches are spent


@dataclass
class JobOutcome:
    """Per external id: ``landed`` → Salesforce id; ``failed`` → ``sf__Error``;
    ``unprocessed``: rows never attempted (the job failed, or Salesforce left them)."""

    landed: dict[str, str] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    unprocessed: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    job_errors: list[str] = field(default_factory=list)  # errorMessage of jobs that Failed


def read_csv(text: str | None) -> list[dict[str, str]]:
    if not text:
        return []
    return list(csv.DictReader(io.StringIO(text)))


def upload_chunks(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[tuple[str, int]]:
    """The rows as CSV uploads of at most :data:`UPLOAD_BYTES` each (one per job), with the
    number of rows in each."""
    chunks: list[tuple[str, int]] = []
    start, size = 0, 0
    head = len(csv_text(header, []).encode())
    for index, row in enumerate(rows):
        line = len(csv_text([], [row]).encode())
        if index > start and head + size + line > UPLOAD_BYTES:
            chunks.append((csv_text(header, rows[start:index]), index - start))
            start, size = index, 0
        size += line
    if start < len(rows) or not chunks:
        chunks.append((csv_text(header, rows[start:]), len(rows) - start))
    return chunks


class BulkIngest:
    def __init__(
        self,
        client: SalesforceClient,
        sleep: Callable[[float], None] = time.sleep,
        poll_first: float = 0.2,
        poll_most: float = 10.0,
    ) -> None:
        self.client = client
        self.sleep = sleep
        self.poll_first = poll_first
        self.poll_most = poll_most

    def upsert(
        self, obj: str, external_field: str, header: Sequence[str], rows: Sequence[Sequence[str]]
    ) -> JobOutcome:
        """Upsert ``rows`` (cells in ``header`` order, one column is ``external_field``)."""
        outcome = JobOutcome()
        key = list(header).index(external_field)
        for upload, size in upload_chunks(header, rows):
            self.client.spend_bulk_batches(max(1, math.ceil(size / JOB_ROWS)))
            job = self._run(obj, external_field, upload)
            outcome.jobs.append(job["id"])
            if job["state"] == "Failed":
                message = str(job.get("errorMessage") or "the job failed")
                if message.startswith(QUOTA):
                    raise org_refused(BATCHES_WORDS, f"Bulk job {job['id']} failed: {message}")
                outcome.job_errors.append(message)
            self._collect(job["id"], external_field, outcome)
        answered = set(outcome.landed) | set(outcome.failed) | set(outcome.unprocessed)
        outcome.unprocessed += [row[key] for row in rows if row[key] not in answered]
        return outcome

    # -- one job ----------------------------------------------------------------------------
    def _run(self, obj: str, external_field: str, upload: str) -> dict[str, Any]:
        job_id = ""
        for attempt in range(UPLOAD_ATTEMPTS):
            job = self.client.data(
                "POST",
                "/jobs/ingest",
                json={
                    "object": obj,
                    "operation": "upsert",
                    "externalIdFieldName": external_field,
                    "contentType": "CSV",
                    "columnDelimiter": "COMMA",
                    "lineEnding": "LF",
                },
            )
            job_id = str(job["id"])
            try:
                self.client.data(
                    "PUT",
                    f"/jobs/ingest/{job_id}/batches",
                    content=upload.encode("utf-8"),
                    headers={"Content-Type": "text/csv"},
                    retry_writes=False,
                )
                break
            except SalesforceUnavailable:
                self._abort(job_id)
                if attempt + 1 == UPLOAD_ATTEMPTS:
                    raise
        self._close(job_id)
        return self._wait(job_id)

    def _abort(self, job_id: str) -> None:
        # refused: the job is already past Open, so nothing was uploaded for it to process
        with contextlib.suppress(SalesforceError):
            self.client.data("PATCH", f"/jobs/ingest/{job_id}", json={"state": "Aborted"})

    def _close(self, job_id: str) -> None:
        for _ in range(UPLOAD_ATTEMPTS):
            try:
                self.client.data(
                    "PATCH",
                    f"/jobs/ingest/{job_id}",
                    json={"state": "UploadComplete"},
                    retry_writes=False,
                )
                return
            except (SalesforceUnavailable, SalesforceError):
                state = self.client.data("GET", f"/jobs/ingest/{job_id}")["state"]
                if state != "Open":
                    return  # the close had landed before the connection dropped
        raise SalesforceUnavailable(f"could not close Bulk job {job_id}")

    def _wait(self, job_id: str) -> dict[str, Any]:
        pause = self.poll_first
        while True:
            job = self.client.data("GET", f"/jobs/ingest/{job_id}")
            if job["state"] in TERMINAL:
                return job
            self.sleep(pause)
            pause = min(self.poll_most, pause * 2)

    def _collect(self, job_id: str, external_field: str, outcome: JobOutcome) -> None:
        base = f"/jobs/ingest/{job_id}"
        for row in read_csv(self.client.data("GET", f"{base}/successfulResults/")):
            ext = row[external_field]
            outcome.landed[ext] = row["sf__Id"]
            if str(row.get("sf__Created", "")).lower() == "true":
                outcome.created.add(ext)
        for row in read_csv(self.client.data("GET", f"{base}/failedResults/")):
            outcome.failed[row[external_field]] = row.get("sf__Error") or "failed, no message"
        for row in read_csv(self.client.data("GET", f"{base}/unprocessedrecords/")):
            outcome.unprocessed.append(row[external_field])
