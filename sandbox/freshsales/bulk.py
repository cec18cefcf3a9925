"""Freshsales' asynchronous bulk calls in the stand-in: ``bulk_upsert`` (behind an option) and
``bulk_destroy``, both answered with a job polled at ``GET /api/job_statuses/{id}``.

At 1 000 requests an hour one upsert per record is ten hours per 10 000 contacts; a bulk upsert
of 100 records a call would be minutes (destinations-2.md §3.2), so the loader may try it behind
``FRESHSALES_BULK_UPSERT=1``. Its format is unconfirmed (§3.11 rule 7, §7 question 1): clients
disagree on the body and nobody documents the per-row results. The stand-in therefore serves it
only when started with the bulk-upsert option (off by default: ``POST .../bulk_upsert`` answers
404 as an account without the feature would), and makes these choices, all [?]:

* Body: ``{"<module>": [{"unique_identifier": {"<unique field>": value}, "data": {...}}]}``, the
  ``{contacts: [...]}`` shape one client sends, with items as Freshsales' catalogue names them
  (``contacts[].data``, destinations.md §3.3). ``data`` is the record as the single upsert's
  ``<resource>`` takes it (``custom_field`` inside). 1 to 100 items ("100 records per request",
  one client's figure); anything else, or an item without those two objects, is a 400 for the
  whole call and no job.
* Answer: 202 ``{"job_id": <int>}``.
* ``bulk_destroy`` (rule 10, [3P], believed asynchronous): ``POST /api/<module>/bulk_destroy``
  ``{"selected_ids": [...]}``, 1 to 100 ids (the same cap, unconfirmed), 202 ``{"job_id"}``; each
  record goes to the recycle bin as ``DELETE /api/<module>/{id}`` sends it. Always served.
* The job runs at the poll after ``polls_before_done`` polls (default 1: the first poll answers
  ``IN_PROGRESS``, the second runs the rows and answers ``COMPLETED``; 0 runs it when submitted),
  so a loader that never polls never sees its rows written and one that polls once too few reads
  a job still in progress. Rows are written in their order; a row the single call would refuse
  (400) fails alone, the others are written.
* ``GET /api/job_statuses/{id}`` →
  ``{"job_status": {"id", "type" (bulk_upsert|bulk_destroy), "module", "status" (IN_PROGRESS|
  COMPLETED), "total", "succeeded", "failed", "rows": [{"index", "status" (created|updated|
  deleted|failed), "id", "errors"?}]}}``; ``rows`` is empty until the job ran, ``errors`` is the
  single call's ``{"<field>": ["message"]}``. Another account's job, or an unknown id, is a 404.
* Jobs live in memory: a restarted stand-in has none (their rows stay written).

The route is called with the account's lock held, as every handler is, so a job's rows are
written under it; the records themselves are written by the app's own functions
(:class:`RecordWriter`), the same ones the single calls use.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sandbox.httpbase import Response

MODULES = ("contacts", "sales_accounts", "deals")
MAX_ITEMS = 100
IN_PROGRESS, COMPLETED = "IN_PROGRESS", "COMPLETED"


class RowRefused(Protocol):
    """The app's error for a refused single call: an HTTP status and its JSON body."""

    status: int

    def body(self) -> dict[str, Any]: ...


class RecordWriter(Protocol):
    def upsert(
        self,
        account: Any,
        user_id: int,
        module: str,
        unique_identifier: dict[str, Any],
        data: dict[str, Any],
    ) -> tuple[int, dict[str, Any]]:
        """201 and the record when created, 200 when updated; raises the app's error."""
        ...

    def destroy(self, account: Any, module: str, record_id: int) -> None:
        """The record to the recycle bin; raises the app's error (404) when there is none."""
        ...


@dataclass
class Job:
    id: int
    account: str
    type: str
    module: str
    work: list[Any]
    user_id: int
    polls_left: int
    status: str = IN_PROGRESS
    rows: list[dict[str, Any]] = field(default_factory=list)

    def answer(self) -> dict[str, Any]:
        failed = sum(1 for r in self.rows if r["status"] == "failed")
        return {
            "job_status": {
                "id": self.id,
                "type": self.type,
                "module": self.module,
                "status": self.status,
                "total": len(self.work),
                "succeeded": len(self.rows) - failed,
                "failed": failed,
                "rows": self.rows,
            }
        }


class BulkJobs:
    """Every account's bulk jobs; ``route`` answers the three bulk paths, None for others."""

    def __init__(
        self,
        writer: RecordWriter,
        refused: type[Exception],
        *,
        upsert_enabled: bool = False,
        polls_before_done: int = 1,
    ) -> None:
        if polls_before_done < 0:
            raise ValueError("polls_before_done must not be negative")
        self.writer, self.refused = writer, refused
        self.upsert_enabled, self.polls_before_done = upsert_enabled, polls_before_done
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)

    def route(
        self, account: Any, user_id: int, method: str, parts: list[str], body: Any
    ) -> Response | None:
        """``parts``: the path's segments after ``/api/``; ``account`` has a ``name``."""
        if method == "POST" and len(parts) == 2 and parts[0] in MODULES:
            if parts[1] == "bulk_upsert":
                if not self.upsert_enabled:
                    return _error(404, "bulk_upsert is not enabled on this account")
                return self._submit(account, user_id, "bulk_upsert", parts[0], body, _upserts)
            if parts[1] == "bulk_destroy":
                return self._submit(account, user_id, "bulk_destroy", parts[0], body, _ids)
        if method == "GET" and len(parts) == 2 and parts[0] == "job_statuses":
            return self._poll(account, parts[1])
        return None

    def _submit(
        self,
        account: Any,
        user_id: int,
        kind: str,
        module: str,
        body: Any,
        parse: Callable[[str, Any], list[Any] | str],
    ) -> Response:
        work = parse(module, body)
        if isinstance(work, str):
            return _error(400, work, field=module if kind == "bulk_upsert" else "selected_ids")
        polls = self.polls_before_done
        job = Job(next(self._ids), account.name, kind, module, work, user_id, polls)
        self._jobs[job.id] = job
        if job.polls_left == 0:
            self._run(account, job)
        return Response(202, {"job_id": job.id}, records=len(work))

    def _poll(self, account: Any, job_id: str) -> Response:
        job = self._jobs.get(int(job_id)) if job_id.isdigit() else None
        if job is None or job.account != account.name:
            return _error(404, f"no job {job_id}")
        if job.status == IN_PROGRESS:
            if job.polls_left > 0:
                job.polls_left -= 1
            else:
                self._run(account, job)
        return Response(200, job.answer(), records=len(job.rows))

    def _run(self, account: Any, job: Job) -> None:
        for index, item in enumerate(job.work):
            row: dict[str, Any] = {"index": index}
            try:
                if job.type == "bulk_upsert":
                    key, data = item
                    status, record = self.writer.upsert(account, job.user_id, job.module, key, data)
                    row.update(status="created" if status == 201 else "updated", id=record["id"])
                else:
                    row["id"] = item
                    self.writer.destroy(account, job.module, item)
                    row["status"] = "deleted"
            except self.refused as exc:
                row.update(status="failed", errors=_errors_of(exc))
            job.rows.append(row)
        job.status = COMPLETED


def _upserts(module: str, body: Any) -> list[Any] | str:
    items = body.get(module) if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        return f"{module} must be a list of 1 to {MAX_ITEMS} records"
    work = []
    for index, item in enumerate(items):
        key = item.get("unique_identifier") if isinstance(item, dict) else None
        data = item.get("data") if isinstance(item, dict) else None
        if not (isinstance(key, dict) and len(key) == 1 and isinstance(data, dict)):
            shape = '{"unique_identifier": {<one unique field>: value}, "data": {...}}'
            return f"{module}[{index}] must be {shape}"
        work.append((key, data))
    return work


def _ids(module: str, body: Any) -> list[Any] | str:
    ids = body.get("selected_ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_ITEMS:
        return f"selected_ids must be a list of 1 to {MAX_ITEMS} {module} ids"
    parsed = [int(i) if isinstance(i, str) and i.isdigit() else i for i in ids]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in parsed):
        return "selected_ids must be record ids"
    return parsed


def _errors_of(exc: Exception) -> Any:
    body = getattr(exc, "body", None)
    found = body() if callable(body) else body
    if isinstance(found, dict) and "errors" in found:
        return found["errors"]
    return {"base": [str(exc)]}


def _error(status: int, message: str, field: str | None = None) -> Response:
    if field is not None and status == 400:
        return Response(status, {"errors": {field: [message]}})
    return Response(status, {"errors": {"code": status, "message": message}})
