"""Metadata API over SOAP for the Salesforce stand-in (destinations-2.md §1.5).

Being written: until then every call answers 501 so the application module can import it.
"""

from __future__ import annotations

from typing import Any

from sandbox.httpbase import Request, Response


class MetadataApi:
    def __init__(self, org: Any) -> None:
        self.org = org

    def handle(self, request: Request) -> Response:
        return Response(501, b"Metadata API pending", content_type="text/plain; charset=utf-8")
