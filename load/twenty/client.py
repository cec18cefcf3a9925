"""HTTP to a Twenty workspace over httpx: pacing, retries, error shapes, request accounting.

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

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from common.addresses import answer_summary, is_twenty_error


class TwentyError(RuntimeError):
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
        self.status = status
        self.messages = messages
        self.shaped = shaped
        self.request_line = f"{method} {path}"
        self.answer = answer
        text = "; ".join(messages) or "no message"
        super().__init__(f"{method} {path} -> {status}: {text}")


class TwentyUnavailable(RuntimeError):
    """Retries exhausted (5xx / network): the request's outcome is unknown."""


class TokenBucket:
    def __init__(
        self,
        limit: int,
        window: float,
        initial: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        reserve: float = 0.0,
    ) -> None:
        self.reserve = reserve  # share of the server's burst this bucket never spends
        self.capacity = self._capacity(limit)
        self.rate = limit / window
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self.tokens = self.capacity if initial is None else float(initial)
        self.updated = clock()
        self.lock = threading.Lock()

    def _capacity(self, limit: int) -> float:
        return float(limit) - (max(1.0, limit * self.reserve) if self.reserve else 0.0)

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def take(self) -> float:
        """Wait until a token is available and take it; returns seconds waited."""
        waited = 0.0
        while True:
            with self.lock:
                self._refill()
                if self.tokens >= 1:
                    self.tokens -= 1
                    return waited
                wait = (1 - self.tokens) / self.rate
            self._sleep(wait)
            waited += wait

    def drain(self, seconds_until_refill: float | None = None, remaining: float = 0.0) -> None:
        """The server says the bucket is (nearly) empty."""
        with self.lock:
            self._refill()
            self.tokens = min(self.tokens, remaining)
            if seconds_until_refill:
                # tokens go negative so the next take waits that long
                self.tokens = min(self.tokens, 1 - seconds_until_refill * self.rate)

    def reshape(self, limit: int, window: float) -> None:
        with self.lock:
            self._refill()
            self.capacity = self._capacity(limit)
            self.rate = limit / window
            self.window = window
            self.tokens = min(self.tokens, self.capacity)


@dataclass
class RequestStats:
    by_kind: Counter[str] = field(default_factory=Counter)  # "GET /rest/people", ...
    statuses: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    waited: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def writes(self) -> int:
        return sum(n for kind, n in self.by_kind.items() if not kind.startswith("GET "))


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


class TwentyClient:
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
        self.base_url = base_url.rstrip("/")
        self.bucket = TokenBucket(rate_limit, rate_window, initial=rate_limit / 10, reserve=0.1)
        self.stats = RequestStats()
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TwentyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- core -------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
        retry_writes: bool = True,
    ) -> Any:
        """Send with pacing and retries; return the decoded body or raise TwentyError."""
        attempt = 0
        kind = f"{method} {_kind(path)}"
        while True:
            attempt += 1
            self.stats.waited += self.bucket.take()
            try:
                response = self._http.request(method, path, params=params, json=json)
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                self.stats.statuses[0] += 1
                self.stats.by_kind[kind] += 1
                if attempt >= self.max_attempts or (method != "GET" and not retry_writes):
                    raise TwentyUnavailable(f"{method} {path}: {exc!r}") from exc
                self._backoff(attempt)
                continue
            self.stats.statuses[response.status_code] += 1
            self.stats.by_kind[kind] += 1
            if response.status_code == 429:
                self._throttled(response, attempt)
                continue
            if response.status_code >= 500:
                if attempt >= self.max_attempts or (method != "GET" and not retry_writes):
                    raise TwentyUnavailable(f"{method} {path} -> {response.status_code}")
                self._backoff(attempt)
                continue
            if response.status_code >= 400:
                raise TwentyError(
                    response.status_code,
                    _messages(response),
                    method,
                    path,
                    is_twenty_error(response),
                    answer_summary(response),
                )
            return response.json() if response.content else None

    def _backoff(self, attempt: int) -> None:
        self.stats.retries += 1
        time.sleep(min(30.0, self.backoff_base * 2 ** (attempt - 1)))

    def _throttled(self, response: httpx.Response, attempt: int) -> None:
        self.stats.retries += 1
        headers = response.headers
        limit = headers.get("X-RateLimit-Limit")
        if limit and limit.isdigit():
            self.bucket.reshape(int(limit), self.bucket.window)
        retry_after = _float(headers.get("Retry-After"))
        remaining = _float(headers.get("X-RateLimit-Remaining")) or 0.0
        if retry_after is None:
            reset = _float(headers.get("X-RateLimit-Reset"))
            retry_after = max(0.0, reset - time.time()) if reset else None
        if retry_after is None:  # older servers: no hint at all
            retry_after = min(60.0, self.backoff_base * 2**attempt)
        self.bucket.drain(retry_after, remaining)

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


def _kind(path: str) -> str:
    parts = path.strip("/").split("/")
    if parts[:2] == ["rest", "metadata"]:
        return "/".join(["", *parts[:3]])
    if parts[:2] == ["rest", "batch"]:
        return "/".join(["", *parts[:3]])
    return "/".join(["", *parts[:2]]) + ("/{id}" if len(parts) > 2 else "")


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
