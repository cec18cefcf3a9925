"""The two non-GraphQL routes of the monday stand-in's jobs: the upload URL and the report URL
(destinations-2.md §4.2 step 2, §4.9: "the upload step needs a second local endpoint").

monday hands out a pre-signed URL for the CSV and another for the job's report; neither is a
``/v2`` call, so neither is counted against the day nor charged complexity, and neither takes the
API token (the URL is the permission).

* ``PUT /_upload/<job_id>?token=<opaque>`` with the CSV as the body (any Content-Type): 200
  ``{"status":"uploaded"}``; 403 for a wrong token or after the URL's 10 minutes; 409 when the
  job already has its file; 405 for another method.
* ``GET /_reports/<job_id>.csv``: the job's report (``text/csv``), 404 until the job completed.

Both are subject to the stand-in's injected faults like every other route, except that a
dropped connection on the upload still keeps the file (it was received): the loader must poll
``fetch_job_status`` before deciding to upload again (a second PUT is 409).
"""

from __future__ import annotations

import re

from sandbox.httpbase import Request, Response
from sandbox.monday.jobs import ItemsJobs

UPLOAD = re.compile(r"^/_upload/([^/]+)$")
REPORT = re.compile(r"^/_reports/([^/]+)\.csv$")


def handle(jobs: ItemsJobs, request: Request) -> Response | None:
    """The answer for an upload or report path, None for any other path."""
    upload = UPLOAD.match(request.path)
    if upload is not None:
        if request.method != "PUT":
            return Response(405, {"error": "PUT the CSV to the upload URL"})
        status, message = jobs.upload(upload.group(1), request.param("token"), request.body)
        body = {"status": message} if status == 200 else {"error": message}
        return Response(status, body, records=1 if status == 200 else 0)
    report = REPORT.match(request.path)
    if report is not None:
        if request.method != "GET":
            return Response(405, {"error": "GET the report"})
        csv_bytes = jobs.report_csv(report.group(1))
        if csv_bytes is None:
            return Response(404, {"error": "no report for this job (yet)"})
        return Response(200, csv_bytes, content_type="text/csv; charset=utf-8")
    return None
