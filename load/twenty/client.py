"""HTTP to a Twenty workspace: its budget, its throttle headers, its error shape, its paging.

The loop itself (pacing, retries, accounting) is the core's (:mod:`load.core.transport`).

Pacing: Twenty throttles API keys with a token bucket per workspace (100 requests, refilled
continuously over 60 s). The client keeps its own bucket at the same rate so a steady load
never meets a 429, with a burst 10 % smaller than the server's: a request reaches the server's
bucket a variable time after it left the client's (body encoding, network, a busy server), so
with equal buckets two requests whose gap shrank on the way meet an empty server bucket (4 x
429 in 11 571 requests in the 2 000 000-record benchmark); the headroom absorbs jitter up to a
tenth of a window. When the server does answer 429, the bucket is emptied and, if the server
says how long (``Retry-After``, ``X-RateLimit-Remaining`` / ``-Reset``), it follows that;
older servers send neither, and the client backs off exponentially. 5xx, timeouts and dropped
connections are retried with backoff. Whether a write that lost its connection was committed
cannot be known here: callers only retry idempotent requests (upserts on a unique key).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx

from common.addresses import answer_summary, is_twenty_error
from load.core.pacing import Budget, RequestStats, TokenBucket
from load.core.transport import (
    DestinationError,
    DestinationUnavailable,
    PacedHttp,
    Throttle,
    float_or_none,
)

__all__ = ["RequestStats", "TokenBucket", "TwentyClient", "TwentyError", "TwentyUnavailable"]


class TwentyError(DestinationError):
    """Twenty answered with an error (shape ``{statusCode, error, messages}``). ``shaped`` is
    False when the answer had another shape (an HTML page, another API's JSON): then the URL
    points at something that is not Twenty (see :mod:`common.addresses`)."""

    def __init__(
        self,
        status: int,
        messages: list[str],
        method: str = "",
        path: str = "",
        shaped: bool = True,
        answer: str = "",
    ) -> None:
        super().__init__(status, messages or ["no message"], method, path)
        self.messages = messages
        self.shaped = shaped
        self.request_line = f"{method} {path}"
        self.answer = answer


class TwentyUnavailable(DestinationUnavailable):
    """Retries exhausted (5xx / network): the request's outcome is unknown."""


def _messages(response: httpx.Response) -> list[str]:
    try:
        body = response.json()
    except ValueError:
        return [response.text[:300]]
    if isinstance(body, dict):
        messages = body.get("messages") or body.get("message") or body.get("error")
        if isinstance(messages, list):
            return [str(m) for m in messages]
        if messages:
            return [str(messages)]
    return [str(body)[:300]]


class TwentyClient(PacedHttp):
    unavailable = TwentyUnavailable

    def __init__(
        self,
        base_url: str,
        api_key: str,
        rate_limit: int = 100,
        rate_window: float = 60.0,
        timeout: float = 60.0,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url,
            {"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            Budget(rate_limit, rate_window),
            timeout=timeout,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            transport=transport,
        )

    def __enter__(self) -> TwentyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- hooks ------------------------------------------------------------------------------
    def throttle_of(self, response: httpx.Response) -> Throttle | None:
        throttle = super().throttle_of(response)
        if throttle is None or throttle.retry_after is not None:
            return throttle
        reset = float_or_none(response.headers.get("X-RateLimit-Reset"))
        if not reset:
            return throttle
        return Throttle(max(0.0, reset - time.time()), throttle.remaining, throttle.limit)

    def error_of(self, response: httpx.Response, method: str, path: str) -> Exception:
        return TwentyError(
            response.status_code,
            _messages(response),
            method,
            path,
            is_twenty_error(response),
            answer_summary(response),
        )

    def kind_of(self, path: str) -> str:
        parts = path.strip("/").split("/")
        if parts[:2] == ["rest", "metadata"]:
            return "/".join(["", *parts[:3]])
        if parts[:2] == ["rest", "batch"]:
            return "/".join(["", *parts[:3]])
        return "/".join(["", *parts[:2]]) + ("/{id}" if len(parts) > 2 else "")

    # -- helpers ----------------------------------------------------------------------------
    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params or None)

    def list_all(self, plural: str, filter_: str | None = None, page: int = 200) -> list[dict]:
        """Every record of an object matching ``filter_`` (cursor pagination)."""
        return [record for batch in self.pages(plural, filter_, page) for record in batch]

    def pages(
        self, plural: str, filter_: str | None = None, page: int = 200
    ) -> Iterator[list[dict]]:
        """The records of an object page by page, so a caller can keep only what it needs."""
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": page}
            if filter_:
                params["filter"] = filter_
            if cursor:
                params["starting_after"] = cursor
            body = self.request("GET", f"/rest/{plural}", params=params)
            batch = body["data"][plural]
            yield batch
            info = body.get("pageInfo") or {}
            cursor = info.get("endCursor")
            if not info.get("hasNextPage") or not batch or not cursor:
                return

    def count(self, plural: str, filter_: str | None = None) -> int:
        params: dict[str, Any] = {"limit": 1}
        if filter_:
            params["filter"] = filter_
        return int(self.request("GET", f"/rest/{plural}", params=params)["totalCount"])
