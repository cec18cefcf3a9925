"""Bulk API 2.0 ingest for the Salesforce stand-in (destinations-2.md §1.2, §1.12 rules 9-12).

Being written: until then every call answers 501 so the application module can import it.
"""

from __future__ import annotations

from typing import Any

from sandbox.httpbase import Request, Response


class BulkApi:
    def __init__(self, org: Any) -> None:
        self.org = org

    def handle(self, request: Request) -> Response:
        return Response(501, [{"errorCode": "NOT_IMPLEMENTED", "message": "Bulk API pending"}])
