"""Bulk API 2.0 ingest jobs: the HTTP surface and the job state machine (rule 9).

Routes under ``/services/data/vNN.0/jobs/ingest``: ``POST`` (create), ``GET`` (list),
``GET|PATCH|DELETE /{id}``, ``PUT /{id}/batches`` (text/csv) and ``GET /{id}/successfulResults
/failedResults /unprocessedrecords``. Rows are read and written by ``bulk_run`` (CSV rules,
batches, duplicates, locks) through the org's one record engine, so a Bulk row meets exactly
the rules a REST or Collections record meets.

State machine (destinations.md §1.3, destinations-2.md §1.2): ``Open`` takes uploads;
``PATCH {"state":"UploadComplete"}`` closes it; ``Aborted`` only from ``Open`` or
``UploadComplete``; processing ends in ``JobComplete`` or ``Failed``; terminal jobs are purged
7 days (of the org's clock) after they ended. Choices where the reference is silent:

* Asynchrony: an ``UploadComplete`` job waits in that state (it can still be aborted) until
  the first ``GET`` of the job or ``AUTO_START`` (2 s) after it was closed, whichever comes
  first; then its work runs on a background thread, as a real org's queue runs a job whether
  anyone polls or not (a loader stopped right after closing finds its rows landed). The first
  ``GET`` after closing always answers ``InProgress`` — even when the work has already ended —
  and a later one ``JobComplete``/``Failed``, so a client that never waits is caught.
* Jobs, uploads and results are the org's (store documents ``bulk_job``,
  ``bulk_upload``, ``bulk_result``): a killed stand-in keeps them, and a job it left
  ``InProgress`` goes on from its last finished internal batch when it starts again.
* ``PUT`` outside ``Open`` and any state change the machine forbids: 409 ``INVALIDJOBSTATE``
  (Bulk 1.0's name for it; 2.0's code is undocumented, rule 9 says 409/400). A malformed body
  (unknown state, bad operation, delimiter, line ending, content type) is 400 ``API_ERROR``
  ``Invalid value: 'X' supplied for property: 'p'``, the wording users report.
* Uploads total at most 150 000 000 bytes after base64 (``4 * ceil(n / 3)``); one more byte is
  400 ``API_ERROR``. Each PUT is a whole CSV with its header row (``bulk_csv.parse_uploads``).
* ``hardDelete`` needs the "Bulk API Hard Delete" permission (``--hard-delete-permission`` in the
  CLI, off by default like in a real org): without it job creation is 400 ``INVALIDJOB``.
* ``DELETE`` of an ``Open`` or ``InProgress`` job is 409 ``INVALIDJOBSTATE`` (Salesforce deletes
  only closed jobs) and answers 204 otherwise.
* ``GET jobs/ingest`` lists every job in one page (``done: true``); its filters are ignored.
  Multipart create-job requests and Bulk query jobs (``/jobs/query``) are not served (404; the
  loader reads back through SOQL).
* Results before the work ends: ``successfulResults``/``failedResults`` hold only their header,
  ``unprocessedrecords`` every uploaded row (nothing has been attempted yet).
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.httpbase import Request, Response
from sandbox.salesforce import bulk_run
from sandbox.salesforce.bulk_csv import DELIMITERS, LINE_ENDINGS, write_csv
from sandbox.salesforce.bulk_job import Job
from sandbox.salesforce.bulk_run import Outcome
from sandbox.salesforce.errors import SfError, not_found
from sandbox.salesforce.ids import make_id

if TYPE_CHECKING:
    from sandbox.salesforce.org import Org

OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
MAX_UPLOAD_BASE64 = 150_000_000
PURGE_AFTER = timedelta(days=7)
AUTO_START = 2.0  # seconds an UploadComplete job waits for its first poll
TERMINAL = ("JobComplete", "Failed", "Aborted")
CSV_TYPE = "text/csv; charset=utf-8"
JOB_DOC, UPLOAD_DOC, RESULT_DOC = "bulk_job", "bulk_upload", "bulk_result"
_ROUTE = re.compile(r"^/services/data/v(\d+\.\d)/jobs/ingest/?(?:([^/]+)/?)?(?:([^/]+)/?)?$")
_RESULTS = {"successfulResults", "failedResults", "unprocessedrecords"}


def _invalid(value: Any, prop: str) -> SfError:
    return SfError(400, "API_ERROR", f"Invalid value: '{value}' supplied for property: '{prop}'")


class JobBook:
    """The org's jobs: in memory, each change saved to the org's store (uploads and results in
    their own documents, read back only when needed)."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.store = org.store
        self.lock = threading.Lock()
        self.jobs = {i: Job.from_doc(d) for i, d in self.store.all_docs(JOB_DOC).items()}
        self.counter = int(self.store.get_kv("bulk_job_counter") or 0)

    def new_id(self) -> str:
        self.counter += 1
        self.store.set_kv("bulk_job_counter", str(self.counter))
        return make_id("750", self.counter)

    def save(self, job: Job) -> None:
        self.store.put_doc(JOB_DOC, job.id, job.to_doc())

    def add_upload(self, job: Job, body: bytes) -> None:
        doc_id = f"{job.id}/{job.uploads:05d}"
        self.store.put_doc(UPLOAD_DOC, doc_id, {"csv": body.decode("utf-8", errors="replace")})
        job.uploads += 1

    def uploads(self, job: Job) -> list[bytes]:
        found = (self.store.get_doc(UPLOAD_DOC, f"{job.id}/{n:05d}") for n in range(job.uploads))
        return [str(doc["csv"]).encode("utf-8") for doc in found if doc is not None]

    def outcome(self, job: Job) -> Outcome | None:
        doc = self.store.get_doc(RESULT_DOC, job.id)
        return Outcome.from_doc(doc) if doc is not None else None

    def save_outcome(self, job: Job, outcome: Outcome) -> None:
        self.store.put_doc(RESULT_DOC, job.id, outcome.to_doc())

    def forget(self, job_ids: list[str]) -> None:
        with self.lock:
            gone = [self.jobs.pop(i) for i in job_ids if i in self.jobs]
        for job in gone:
            self.store.delete_doc(UPLOAD_DOC, [f"{job.id}/{n:05d}" for n in range(job.uploads)])
            self.store.delete_doc(RESULT_DOC, [job.id])
            self.store.delete_doc(JOB_DOC, [job.id])

    def purge(self, now: datetime) -> None:
        with self.lock:
            old = [j.id for j in self.jobs.values()
                   if j.ended is not None and now - j.ended >= PURGE_AFTER]
        if old:
            self.forget(old)


class BulkApi:
    """Built once per org by the app; the job book lives as long as it."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.book = JobBook(org)
        for job in list(self.book.jobs.values()):
            if job.state == "InProgress":  # a killed stand-in's job goes on from its last batch
                self._start(job)
            elif job.state == "UploadComplete":
                self._schedule(job)

    def handle(self, request: Request) -> Response:
        try:
            return self._route(request)
        except SfError as exc:
            return Response(exc.status, exc.body())

    def _route(self, request: Request) -> Response:
        match = _ROUTE.match(request.path)
        if match is None:
            raise not_found()
        version, job_id, part = match.groups()
        self.book.purge(self.org.now())
        method = request.method
        if job_id is None:
            if method == "POST":
                return self._create(request, version)
            if method == "GET":
                with self.book.lock:
                    jobs = list(self.book.jobs.values())
                return Response(200, {"done": True, "records": [j.info(False) for j in jobs],
                                      "nextRecordsUrl": None})
            raise SfError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed.")
        job = self.book.jobs.get(job_id)
        if job is None:
            raise not_found()
        if part is None:
            if method == "GET":
                return Response(200, self._poll(job))
            if method == "PATCH":
                return self._change_state(job, request)
            if method == "DELETE":
                return self._delete(job)
        elif part == "batches" and method == "PUT":
            return self._upload(job, request)
        elif part in _RESULTS and method == "GET":
            return self._results(job, part)
        elif part == "batches" or part in _RESULTS:
            raise SfError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed.")
        raise not_found()

    def _create(self, request: Request, version: str) -> Response:
        body = request.json() if request.body else None
        if not isinstance(body, dict):
            raise SfError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
        operation = body.get("operation")
        if operation not in OPERATIONS:
            raise _invalid(operation or "", "operation")
        content_type = body.get("contentType", "CSV")
        if content_type != "CSV":
            raise _invalid(content_type, "contentType")
        line_ending = body.get("lineEnding", "LF")
        if line_ending not in LINE_ENDINGS:
            raise _invalid(line_ending, "lineEnding")
        delimiter = body.get("columnDelimiter", "COMMA")
        if delimiter not in DELIMITERS:
            raise _invalid(delimiter, "columnDelimiter")
        sobject = str(body.get("object") or "")
        external = body.get("externalIdFieldName")
        with self.org.lock:
            definition = self.org.engine.find(sobject) if sobject else None
            if definition is None:
                raise SfError(400, "INVALIDJOB", f"InvalidJob : Unable to find object: {sobject}")
            sobject = definition.name
            # rule 4: only a field flagged External ID (and visible) may key an upsert
            if operation == "upsert" and not bulk_run.is_external_id(self.org, sobject, external):
                raise SfError(400, "INVALIDJOB", f"InvalidJob : Field name provided, "
                              f"{external or ''} does not match an External ID for {sobject}")
            if operation == "hardDelete" and not bulk_run.hard_delete_allowed(self.org):
                raise SfError(400, "INVALIDJOB", "InvalidJob : hardDelete needs the Bulk API "
                              "Hard Delete permission, which this user does not have")
            now = self.org.now()
            job = Job(self.book.new_id(), sobject, operation,
                      external if operation == "upsert" else None, line_ending, delimiter,
                      version, bulk_run.user_id(self.org), now, now)
            with self.book.lock:
                self.book.jobs[job.id] = job
            self.book.save(job)
        return Response(200, job.info(False))

    def _upload(self, job: Job, request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith("text/csv"):
            raise _invalid(content_type, "Content-Type")
        size = 4 * ((len(request.body) + 2) // 3)
        with job.lock:
            if job.state != "Open":
                raise SfError(409, "INVALIDJOBSTATE",
                              f"Job {job.id} is in state {job.state}: data can be uploaded "
                              "only while the job is Open")
            if job.upload_base64 + size > MAX_UPLOAD_BASE64:
                raise SfError(400, "API_ERROR", f"Job data exceeds {MAX_UPLOAD_BASE64} bytes "
                              "after base64 encoding; split it into several jobs")
            self.book.add_upload(job, request.body)
            job.upload_base64 += size
            job.modstamp = self.org.now()
            self.book.save(job)
        return Response(201, None)

    def _change_state(self, job: Job, request: Request) -> Response:
        body = request.json() if request.body else None
        wanted = body.get("state") if isinstance(body, dict) else None
        if wanted not in ("UploadComplete", "Aborted"):
            raise _invalid(wanted or "", "state")
        with job.lock:
            allowed = ("Open",) if wanted == "UploadComplete" else ("Open", "UploadComplete")
            if job.state not in allowed:
                raise SfError(409, "INVALIDJOBSTATE",
                              f"Job {job.id} is in state {job.state} and cannot become {wanted}")
            job.state = wanted
            job.modstamp = self.org.now()
            if wanted == "Aborted":
                job.ended, job.polled = job.modstamp, True
            self.book.save(job)
        if wanted == "UploadComplete":
            self._schedule(job)
        return Response(200, job.info(False))

    def _poll(self, job: Job) -> dict[str, Any]:
        """A job's info as a client sees it: the first look after closing starts the work if
        it has not started, and says InProgress whatever the work has reached."""
        start = False
        with job.lock:
            if job.state == "UploadComplete":
                job.state, job.modstamp, start = "InProgress", self.org.now(), True
            info = job.info(True)
            if job.state != "Open" and not job.polled:
                job.polled = True
                info["state"] = "InProgress"
            self.book.save(job)
        if start:
            self._start(job)
        return info

    def _schedule(self, job: Job) -> None:
        timer = threading.Timer(AUTO_START, self._auto_start, args=(job,))
        timer.daemon = True
        timer.start()

    def _auto_start(self, job: Job) -> None:
        with job.lock:
            if job.state != "UploadComplete" or job.id not in self.book.jobs:
                return  # polled, aborted or deleted meanwhile
            job.state, job.modstamp = "InProgress", self.org.now()
            self.book.save(job)
        self._start(job)

    def _start(self, job: Job) -> None:
        threading.Thread(target=self._work, args=(job,), daemon=True,
                         name=f"bulk-{job.id}").start()

    def _work(self, job: Job) -> None:
        chunks = self.book.uploads(job)
        so_far = self.book.outcome(job) or Outcome()
        try:
            outcome = bulk_run.run(self.org, job, chunks, so_far,
                                   lambda partial: self.book.save_outcome(job, partial))
        except Exception as exc:  # noqa: BLE001 - a job must end; an engine fault fails it
            outcome = bulk_run.read_uploads(job, chunks)
            outcome.error_message = f"InternalServerError : {exc!r}"
        self.book.save_outcome(job, outcome)
        with job.lock:
            job.processed, job.failed = outcome.processed, len(outcome.failed)
            job.error_message = outcome.error_message
            job.state = "Failed" if outcome.error_message else "JobComplete"
            job.modstamp = job.ended = self.org.now()
            self.book.save(job)

    def _delete(self, job: Job) -> Response:
        with job.lock:
            if job.state in ("Open", "InProgress"):
                raise SfError(409, "INVALIDJOBSTATE",
                              f"Job {job.id} is in state {job.state} and cannot be deleted")
        self.book.forget([job.id])
        return Response(204, None)

    def _results(self, job: Job, part: str) -> Response:
        with job.lock:
            finished = job.state in ("JobComplete", "Failed")
        outcome = self.book.outcome(job) if finished else None
        if outcome is None:  # not run (yet): nothing attempted, everything unprocessed
            outcome = bulk_run.read_uploads(job, self.book.uploads(job))
        if part == "unprocessedrecords" and outcome.raw is not None:
            return Response(200, outcome.raw.encode("utf-8"), content_type=CSV_TYPE)
        header, rows = {
            "successfulResults": (["sf__Id", "sf__Created"], outcome.successful),
            "failedResults": (["sf__Id", "sf__Error"], outcome.failed),
            "unprocessedrecords": ([], outcome.unprocessed),
        }[part]
        data = write_csv(header + outcome.header, rows, job.column_delimiter, job.line_ending)
        return Response(200, data, content_type=CSV_TYPE, records=len(rows))
