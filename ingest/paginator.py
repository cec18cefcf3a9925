"""A dlt paginator for Bizstim's path-segment offsets: ``/api/{method}/{start}/{limit}``.

dlt's stock ``OffsetPaginator`` puts offset/limit into query parameters; Bizstim explicitly
wants them as path segments, and tells callers to stop on the envelope's ``total``.
"""

from __future__ import annotations

from typing import Any

from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import Request, Response


class PathOffsetPaginator(BasePaginator):
    """Walks ``{base}/{start}/{limit}`` from ``start`` until ``total`` (or ``max_pages``).

    ``next_start`` is the first offset not yet requested: a resumable cursor that the caller
    keeps in dlt state.
    """

    def __init__(self, method_path: str, limit: int, start: int = 0, max_pages: int | None = None):
        super().__init__()
        self.method_path = method_path.rstrip("/")
        self.limit = limit
        self.next_start = start
        self.max_pages = max_pages
        self.pages = 0
        self.total: int | None = None

    def _url(self, request: Request) -> str:
        base = request.url.split(self.method_path, 1)[0]
        return f"{base}{self.method_path}/{self.next_start}/{self.limit}"

    def init_request(self, request: Request) -> None:
        request.url = self._url(request)

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        payload = response.json()
        self.total = int(payload.get("total", 0))
        received = len(data or [])
        if received == 0 and self.next_start < self.total:
            raise ValueError(
                f"{self.method_path}: empty page at offset {self.next_start} although total is "
                f"{self.total}; the server's pagination is inconsistent"
            )
        self.pages += 1
        self.next_start += self.limit
        exhausted = self.max_pages is not None and self.pages >= self.max_pages
        if self.next_start >= self.total or exhausted:
            self._has_next_page = False

    @property
    def complete(self) -> bool:
        return self.total is not None and self.next_start >= self.total

    def update_request(self, request: Request) -> None:
        request.url = self._url(request)
