"""HTTP to a destination: pacing by its budget, retries, one accounting of every request.

Every destination's client is this class plus three answers: how the destination says "slow
down" (Twenty and Pipedrive a 429 with headers, Salesforce a 403 ``REQUEST_LIMIT_EXCEEDED``,
monday an HTTP 200 whose ``errors[].extensions.code`` is a complexity code), how it words a
refusal, and what a request costs in the budget's unit. The retry loop is ``tenacity``'s:
throttling is retried for as long as it lasts (the bucket, drained to what the server
reported, does the waiting), 5xx, timeouts and dropped connections up to ``max_attempts``
with exponential backoff (0.5 s doubling, at most 30 s; the first wait is
``BIZMIG_RETRY_BACKOFF`` where set, :mod:`common.backoff`). Whether a write that lost its
connection was committed cannot be known here, so a caller sending a non-idempotent write
(Pipedrive's POST has no upsert) passes ``retry_writes=False`` and settles it by a read.

Answers are decoded with orjson: Twenty echoes every written row, so a 200-person batch answers
with ~0.5 MB, and the stdlib decoder was 11 % of the migrate process's time on the people path
(6 ms a batch, with the loader and the destination taking turns on the critical path).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import tenacity

from common.backoff import first_retry_wait
from load.core.pacing import Budget, Pacer, RequestStats


class DestinationError(RuntimeError):
    """The destination refused a request (4xx other than throttling)."""

    def __init__(self, status: int, messages: list[str], method: str = "", path: str = "") -> None:
        self.status = status
        self.messages = messages
        self.method = method
        self.path = path
        super().__init__(f"{method} {path} -> {status}: {'; '.join(messages)}")


class DestinationUnavailable(RuntimeError):
    """5xx, timeouts or dropped connections outlasted the retries."""


@dataclass(frozen=True)
class Throttle:
    """A "slow down" answer: seconds until the budget refills, units left, the limit it named."""

    retry_after: float | None = None
    remaining: float = 0.0
    limit: int | None = None


class _Again(Exception):
    """One attempt's outcome that is tried again (internal to the retry loop)."""

    def __init__(self, backoff: bool) -> None:
        self.backoff = backoff


def float_or_none(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class PacedHttp:
    """A destination's HTTP client; subclasses override the ``*_of`` hooks."""

    unavailable: type[Exception] = DestinationUnavailable

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        budget: Budget,
        timeout: float = 60.0,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.pacer = Pacer(budget)
        self.bucket = self.pacer.bucket
        self.stats = RequestStats()
        self.max_attempts = max_attempts
        self.backoff_base = first_retry_wait(backoff_base)
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self._http.close()

    # -- hooks ------------------------------------------------------------------------------
    def throttle_of(self, response: httpx.Response) -> Throttle | None:
        """A throttling answer as a :class:`Throttle`, or None for any other answer."""
        if response.status_code != 429:
            return None
        headers = response.headers
        limit = headers.get("X-RateLimit-Limit")
        return Throttle(
            retry_after=float_or_none(headers.get("Retry-After")),
            remaining=float_or_none(headers.get("X-RateLimit-Remaining")) or 0.0,
            limit=int(limit) if limit and limit.isdigit() else None,
        )

    def error_of(self, response: httpx.Response, method: str, path: str) -> Exception:
        return DestinationError(response.status_code, [response.text[:300]], method, path)

    def observe(self, response: httpx.Response) -> None:
        """Every answer, before it is judged (Salesforce reads ``Sforce-Limit-Info`` here)."""

    def is_refusal(self, response: httpx.Response) -> bool:
        """A 5xx that is an answer, not an outage (a SOAP fault is HTTP 500 by the SOAP
        standard): refused at once instead of retried."""
        return False

    def kind_of(self, path: str) -> str:
        return path

    def cost_of(self, method: str, path: str) -> int:
        return 1

    # -- the loop ---------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
        retry_writes: bool = True,
        content: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send with pacing and retries; return the decoded body or raise the refusal."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Again),
            wait=self._wait,
            stop=tenacity.stop_never,
            sleep=self._sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                response = self._once(
                    method, path, params, json, content, headers, number, retry_writes
                )
                if response is not None:
                    return self.decode(response)
        raise AssertionError("unreachable: the loop returns or raises")

    def decode(self, response: httpx.Response) -> Any:
        return orjson.loads(response.content) if response.content else None

    def _wait(self, state: tenacity.RetryCallState) -> float:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Again) and exc.backoff:
            return min(30.0, self.backoff_base * 2 ** (state.attempt_number - 1))
        return 0.0  # throttled: the drained bucket waits

    def _once(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        content: bytes | str | None,
        headers: dict[str, str] | None,
        attempt: int,
        retry_writes: bool = True,
    ) -> httpx.Response | None:
        kind = f"{method} {self.kind_of(path)}"
        retryable = method == "GET" or retry_writes
        self.stats.waited += self.pacer.take(self.cost_of(method, path))
        try:
            response = self._http.request(
                method, path, params=params, json=json, content=content, headers=headers
            )
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            self.stats.statuses[0] += 1
            self.stats.by_kind[kind] += 1
            if attempt >= self.max_attempts or not retryable:
                raise self.unavailable(f"{method} {path}: {exc!r}") from exc
            raise _Again(backoff=True) from exc
        self.stats.statuses[response.status_code] += 1
        self.stats.by_kind[kind] += 1
        self.observe(response)
        throttle = self.throttle_of(response)
        if throttle is not None:
            self._follow(throttle, attempt)
            raise _Again(backoff=False)
        if response.status_code >= 500 and not self.is_refusal(response):
            if attempt >= self.max_attempts or not retryable:
                raise self.unavailable(f"{method} {path} -> {response.status_code}")
            raise _Again(backoff=True)
        if response.status_code >= 400:
            raise self.error_of(response, method, path)
        return response

    def _follow(self, throttle: Throttle, attempt: int) -> None:
        if throttle.limit:
            self.bucket.reshape(throttle.limit, self.bucket.window)
        retry_after = throttle.retry_after
        if retry_after is None:  # no hint at all (older servers): back off
            retry_after = min(60.0, self.backoff_base * 2**attempt)
        self.bucket.drain(retry_after, throttle.remaining)
