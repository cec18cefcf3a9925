"""HTTP to a Pipedrive account: the ``x-api-token`` header, both envelopes, token pricing.

Pipedrive speaks two API versions at once and the loader needs both (destinations-2.md §2.2):
v2 for persons, organizations, products, deals, activities and fields, v1 only for notes and
users, which have no v2 endpoints (v1 person and activity endpoints are out of support since
1 Aug 2026). Both wrap answers in ``{"success", "data", "additional_data"}`` but page
differently: v2 by an opaque ``cursor`` (``additional_data.next_cursor`` null at the end,
``limit`` ≤ 500), v1 by ``start``/``limit`` (``additional_data.pagination.next_start``).
Refusals differ too: v1 says ``{"error", "error_info"}`` ("provided dataset is not valid" /
"\\"owner_id\\" must be a number"), v2 ``{"error": "Validation failed: ...", "code"}``; the
error carries both parts, because the first alone never names the field.

Every request is priced in tokens (:func:`load.pipedrive.token_costs.cost_of`: a v2 write is
5, a list page 10, v1's notes page 20) and paced by :class:`load.pipedrive.budget.TokenPacer`
inside the core's loop (:mod:`load.core.transport`): a burst 429 is retried after the window
the server names, the day's budget spent is a clean stop (exit 14: the budget is the
account's and shared with its users, so nothing frees it before 00:00 UTC).
Pipedrive has no upsert, so a create is never retried blindly: the caller settles a POST
whose answer was lost by reading the entity back (:mod:`load.pipedrive.writes`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from load.core.transport import DestinationError, DestinationUnavailable, PacedHttp, Throttle
from load.pipedrive.budget import TokenAllowance, TokenPacer, account_key
from load.pipedrive.token_costs import LIST_PAGE, NOTES_PAGE, cost_of, template_of


class PipedriveError(DestinationError):
    """Pipedrive refused a request; ``messages`` holds its ``error`` and ``error_info``."""


class PipedriveUnavailable(DestinationUnavailable):
    """5xx, timeouts or dropped connections outlasted the retries."""


def refusal_messages(response: httpx.Response) -> list[str]:
    """Pipedrive's words for a refusal, v1 or v2 shaped, or the raw text of anything else."""
    try:
        body = response.json()
    except ValueError:
        return [response.text[:300] or f"HTTP {response.status_code}"]
    if not isinstance(body, dict):
        return [str(body)[:300]]
    parts = [str(body[k]) for k in ("error", "error_info", "code") if body.get(k)]
    return parts or [str(body)[:300]]


class PipedriveClient(PacedHttp):
    unavailable = PipedriveUnavailable

    def __init__(
        self,
        base_url: str,
        api_token: str,
        allowance: TokenAllowance,
        timeout: float = 60.0,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # clients of one account (token check, load, reconcile) share the day's count
        pacer = TokenPacer(allowance, account=account_key(base_url, api_token))
        super().__init__(
            base_url,
            {"x-api-token": api_token, "Accept": "application/json"},
            pacer.budget,
            timeout=timeout,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            transport=transport,
        )
        self.pacer: TokenPacer = pacer  # tokens per day, requests per 2 s (load.pipedrive.budget)
        self.bucket = pacer.bucket

    def __enter__(self) -> PipedriveClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- hooks ------------------------------------------------------------------------------
    def throttle_of(self, response: httpx.Response) -> Throttle | None:
        return self.pacer.throttle_of(response)  # a daily 429 raises TokenBudgetSpent

    def observe(self, response: httpx.Response) -> None:
        self.pacer.after(response)

    def error_of(self, response: httpx.Response, method: str, path: str) -> Exception:
        return PipedriveError(response.status_code, refusal_messages(response), method, path)

    def kind_of(self, path: str) -> str:
        return template_of(path)

    def cost_of(self, method: str, path: str) -> int:
        return cost_of(method, path)

    # -- helpers ----------------------------------------------------------------------------
    def backoff(self, attempt: int) -> None:
        """The core loop's wait before attempt ``attempt + 1`` (0.5 s doubling, at most 30 s),
        for a caller that retries a write itself after settling it by a read."""
        self._sleep(min(30.0, self.backoff_base * 2 ** (attempt - 1)))

    def data(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
        retry_writes: bool = True,
    ) -> Any:
        """The ``data`` of an answer (both versions wrap it the same way)."""
        body = self.request(method, path, params=params, json=json, retry_writes=retry_writes)
        return body.get("data") if isinstance(body, dict) else None

    def pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[list[dict]]:
        """Every record of a listing, page by page: v2 by cursor, v1 by start/limit."""
        if path.startswith("/v1/"):
            yield from self._v1_pages(path, params or {})
            return
        query: dict[str, Any] = {**(params or {}), "limit": LIST_PAGE}
        while True:
            body = self.request("GET", path, params=query)
            yield list(body.get("data") or [])
            cursor = (body.get("additional_data") or {}).get("next_cursor")
            if not cursor:
                return
            query["cursor"] = cursor

    def _v1_pages(self, path: str, params: dict[str, Any]) -> Iterator[list[dict]]:
        query: dict[str, Any] = {**params, "start": 0, "limit": NOTES_PAGE}
        while True:
            body = self.request("GET", path, params=query)
            yield list(body.get("data") or [])
            pagination = (body.get("additional_data") or {}).get("pagination") or {}
            if not pagination.get("more_items_in_collection"):
                return
            query["start"] = pagination.get("next_start", query["start"] + NOTES_PAGE)

    def list_all(self, path: str, params: dict[str, Any] | None = None) -> list[dict]:
        return [record for page in self.pages(path, params) for record in page]
