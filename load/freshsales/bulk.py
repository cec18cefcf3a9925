"""Bulk upsert behind ``FRESHSALES_BULK_UPSERT=1``: 100 records a request instead of one.

At 1 000 requests an hour (Growth) one upsert per record is ten hours per 10 000 contacts; a
bulk upsert of 100 records a call would be minutes (destinations-2.md §3.2). But its format is
unconfirmed (§3.11 rule 7, §7 question 1: clients disagree on the body, nobody documents the
per-row results), so it is off by default and this module speaks the stand-in's documented
choice (sandbox/freshsales/bulk.py), to be checked against a real account before use:

* ``POST /api/<module>/bulk_upsert`` ``{"<module>": [{"unique_identifier": {"cf_bizstim_id":
  id}, "data": {...}}]}``, 1 to 100 items, ``data`` as the single upsert's resource body;
  answered 202 ``{"job_id"}``. It is an upsert, so a lost answer is simply sent again.
* ``GET /api/job_statuses/{id}`` until ``status`` is ``COMPLETED`` (first poll at once, then
  0.5 s doubling, at most 5 s; ``MAX_POLLS`` polls), whose ``rows`` give each item's
  ``index``, ``status`` (created, updated, failed), ``id`` and ``errors``: a failed row is
  quarantined with its words, the others settle with their ids. Each poll is a request
  against the account's hour: one job of 100 costs 1 submit and usually 2 polls.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from load.core.destination import BatchRefused, WriteAnswer
from load.core.plan import Planned
from load.freshsales.client import FreshsalesClient, FreshsalesError, FreshsalesUnavailable
from load.freshsales.payload import body_of
from load.freshsales.specs import API, KEY, KEY_FIELD, Module

BULK_FLAG = "FRESHSALES_BULK_UPSERT"
BULK_CAP = 100
MAX_POLLS = 30
COMPLETED = "COMPLETED"


def bulk_upsert_on() -> bool:
    return os.environ.get(BULK_FLAG, "").strip() in ("1", "true", "yes")


def _words(errors: Any) -> str:
    if isinstance(errors, dict):
        return "; ".join(
            f"{name}: {', '.join(map(str, words if isinstance(words, list) else [words]))}"
            for name, words in errors.items()
        )
    return str(errors)


class BulkUpserter:
    def __init__(self, client: FreshsalesClient) -> None:
        self.client = client
        self.jobs = 0
        self.polls = 0

    def write(self, mod: Module, batch: Sequence[Planned]) -> WriteAnswer:
        items = [
            {"unique_identifier": {KEY_FIELD: str(p.payload[KEY])}, "data": body_of(mod, p.payload)}
            for p in batch
        ]
        plural = mod.listed_as or f"{mod.resource}s"
        try:
            submitted = self.client.request("POST", f"{mod.path}/bulk_upsert", json={plural: items})
        except FreshsalesError as exc:
            if exc.status in (400, 422):  # the call as a whole: the core bisects it
                raise BatchRefused(f"Freshsales {exc.status}: {'; '.join(exc.messages)}") from exc
            raise
        self.jobs += 1
        job = self._wait(str((submitted or {})["job_id"]))
        answer = WriteAnswer()
        for row in job.get("rows") or []:
            index = int(row["index"])
            if not 0 <= index < len(batch):
                continue
            item = batch[index]
            if row.get("status") == "failed" or not row.get("id"):
                answer.refused[index] = f"Freshsales bulk upsert: {_words(row.get('errors'))}"
                continue
            if row.get("status") in ("created", "updated"):
                item.action = str(row["status"])  # what the account did, as the single call's
            answer.records.append({"id": str(row["id"]), KEY: str(item.payload[KEY])})
        return answer

    def _wait(self, job_id: str) -> dict[str, Any]:
        for poll in range(MAX_POLLS):
            if poll:
                self.client._sleep(min(5.0, 0.5 * 2 ** (poll - 1)))
            self.polls += 1
            body = self.client.get(f"{API}/job_statuses/{job_id}") or {}
            job = body.get("job_status") or body
            if str(job.get("status", "")).upper() == COMPLETED:
                return job
        raise FreshsalesUnavailable(
            f"Freshsales bulk job {job_id} still not completed after {MAX_POLLS} polls: rerun; "
            "the upsert is idempotent, the rerun's read settles what the job wrote"
        )
