"""HTTP to monday: one GraphQL endpoint, errors inside HTTP 200, and three budgets.

Every call is ``POST /v2`` with ``Authorization: <token>`` (no ``Bearer``) and a pinned
``API-Version`` (``MONDAY_API_VERSION``, default 2026-10): bulk ingest, bulk delete and
``original_creation_date`` exist only in recent versions and an unpinned client gets monday's
default, which moves (destinations-2.md §4.10 pitfall 1). Most refusals come back as HTTP 200
with ``errors[]`` beside partial ``data`` (§4.5), so :meth:`MondayClient.graphql` returns the
whole answer and the caller reads its errors per alias; :meth:`MondayClient.query` is for
callers that want data or an exception (:class:`MondayError`, with ``extensions.code`` and the
``request_id`` monday asks for in support tickets, never the token).

Throttling (:mod:`load.monday.budget`): every call is counted against the day's share before
it is sent (:class:`~load.monday.budget.DailyCalls`, a clean stop past it); its price in the
complexity model is taken from the minute's token bucket; a 429 ``COMPLEXITY_BUDGET_EXHAUSTED``
or create_board's 40 a minute drains the bucket for ``Retry-After``; a 409
``IDEMPOTENCY_CONFLICT`` (the first request with that key still runs) is waited for and sent
again, and the replay answers; ``DAILY_LIMIT_EXCEEDED`` stops the load (exit 14) unless the
reset is within ``MONDAY_MAX_WAIT_S``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from load.core.pacing import SlidingWindow
from load.core.transport import (
    DestinationError,
    DestinationUnavailable,
    PacedHttp,
    Throttle,
    float_or_none,
)
from load.monday.budget import Allowance, DailyCalls, allowance
from load.monday.complexity import document_cost

API_VERSION = "2026-10"
THROTTLE_CODES = {
    "COMPLEXITY_BUDGET_EXHAUSTED",
    "RATE_LIMIT_EXCEEDED",
    "IP_RATE_LIMIT_EXCEEDED",
    "maxConcurrencyExceeded",
    "IDEMPOTENCY_CONFLICT",
}


class MondayError(DestinationError):
    """monday refused a call; ``codes`` are its ``extensions.code`` values."""

    def __init__(
        self, status: int, messages: list[str], codes: list[str], request_id: str | None = None
    ) -> None:
        self.codes, self.request_id = codes, request_id
        suffix = [f"request_id {request_id}"] if request_id else []
        super().__init__(status, [*messages, *suffix], "POST", "/v2")


class MondayUnavailable(DestinationUnavailable):
    """5xx, timeouts or dropped connections outlasted the retries."""


def error_text(error: Mapping[str, Any]) -> str:
    """One error of ``errors[]`` as ``code: message`` (2025-07+ ``extensions.code``, older
    ``error_code``)."""
    code = (error.get("extensions") or {}).get("code") or error.get("error_code")
    message = str(error.get("message") or "refused, no message")
    return f"{code}: {message}" if code else message


def codes_of(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    errors = body.get("errors") or []
    codes = [str((e.get("extensions") or {}).get("code") or "") for e in errors if e]
    if body.get("error_code"):
        codes.append(str(body["error_code"]))
    return [c for c in codes if c]


class MondayClient(PacedHttp):
    unavailable = MondayUnavailable

    def __init__(
        self,
        api_url: str,
        token: str,
        version: str = API_VERSION,
        limits: Allowance | None = None,
        used_today: int = 0,
        transport: httpx.BaseTransport | None = None,
        max_attempts: int = 8,
    ) -> None:
        self.allowance = limits or allowance()
        super().__init__(
            api_url,
            {"Authorization": token, "API-Version": version, "Content-Type": "application/json"},
            self.allowance.budget,
            max_attempts=max_attempts,
            transport=transport,
        )
        # monday counts the minute as a sliding 60 s of points (a 4.8M document stays in it a
        # full minute), so the pacer does too; a token bucket refilling continuously drew 8
        # COMPLEXITY_BUDGET_EXHAUSTED 429s in the 50 000-record benchmark
        budget = self.allowance.budget
        self.bucket = self.pacer.bucket = SlidingWindow(  # type: ignore[assignment]
            budget.limit, budget.window, budget.reserve, weighted=True
        )
        self.daily = DailyCalls(self.allowance, used_today)
        self.version = version
        self._cost = 0

    def __enter__(self) -> MondayClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- hooks ------------------------------------------------------------------------------
    def cost_of(self, method: str, path: str) -> int:
        self.daily.spend()
        return self._cost

    def throttle_of(self, response: httpx.Response) -> Throttle | None:
        if response.status_code not in (409, 429):
            return None
        codes = codes_of(_json(response))
        retry_after = float_or_none(response.headers.get("Retry-After"))
        if "DAILY_LIMIT_EXCEEDED" in codes:
            self.daily.refused_by_monday(retry_after)  # raises unless the reset is near
            return Throttle(retry_after=retry_after)
        if response.status_code == 429 or set(codes) & THROTTLE_CODES:
            return Throttle(retry_after=retry_after or 1.0)
        return None

    def error_of(self, response: httpx.Response, method: str, path: str) -> Exception:
        body = _json(response)
        errors = body.get("errors") if isinstance(body, dict) else None
        messages = [error_text(e) for e in errors or []] or [response.text[:300]]
        request_id = ((body or {}).get("extensions") or {}).get("request_id") if body else None
        return MondayError(response.status_code, messages, codes_of(body), request_id)

    def kind_of(self, path: str) -> str:
        return path

    # -- GraphQL ----------------------------------------------------------------------------
    def graphql(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        retry_writes: bool = True,
    ) -> dict[str, Any]:
        """The whole answer of an HTTP 200 (``data`` and ``errors[]``)."""
        self._cost = document_cost(document, variables)
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        body = {"query": document, "variables": dict(variables or {})}
        answer = self.request("POST", "", json=body, retry_writes=retry_writes, headers=headers)
        return answer if isinstance(answer, dict) else {}

    def query(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """``data``, or :class:`MondayError` when the answer holds any error. A write sent with
        ``idempotency_key`` is retried after a lost answer: monday replays the first answer."""
        answer = self.graphql(document, variables, idempotency_key=idempotency_key)
        errors = answer.get("errors") or []
        if errors:
            request_id = (answer.get("extensions") or {}).get("request_id")
            raise MondayError(200, [error_text(e) for e in errors], codes_of(answer), request_id)
        return answer.get("data") or {}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
