"""HTTP to a Freshsales account: the ``Token token=`` header, wrapped bodies, the account's hour.

Freshsales authenticates every call with ``Authorization: Token token=<key>``; the key carries
its user's permissions and no scopes (destinations-2.md §3.2), so the first call of a run is
``GET /api/selector/owners``: it proves the key (401 without one, 403 for a key without the
permission, §3.4) and answers the users the loader needs anyway to map owners, one request for
both. Answers are wrapped in the resource (``{"contact": {...}}``) and refusals come as
``{"errors": {"<field>": ["can't be blank"]}}`` or ``{"errors": {"code", "message"}}``; the error
carries every field's words, because the status alone never names the field.

Every request counts one against the account's rolling hour, shared by the whole account (1 000
requests on Growth, §3.3): :class:`load.freshsales.budget.HourlyPacer` paces inside the core's
loop (:mod:`load.core.transport`); a 429 is retried after its ``Retry-After``, and a wait longer
than ``FRESHSALES_MAX_WAIT_S`` is a clean stop (exit 14). The upsert tells a create from an
update only by its status (201 / 200, §3.2), which the core's loop does not return, so the
client keeps the last answer's status (:attr:`FreshsalesClient.last_status`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from load.core.transport import DestinationError, DestinationUnavailable, PacedHttp, Throttle
from load.freshsales.budget import HourlyPacer, RequestAllowance, account_key, request_allowance

PAGE = 100  # per_page's maximum on every Freshsales listing (§3.6)


class FreshsalesError(DestinationError):
    """Freshsales refused a request; ``messages`` holds its ``errors`` as ``field: words``."""


class FreshsalesUnavailable(DestinationUnavailable):
    """5xx, timeouts or dropped connections outlasted the retries."""


def refusal_messages(response: httpx.Response) -> list[str]:
    """Freshsales' words for a refusal (per field, or code and message), or the raw text."""
    try:
        body = response.json()
    except ValueError:
        return [response.text[:300] or f"HTTP {response.status_code}"]
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, dict):
        if "message" in errors:
            return [str(errors["message"])]
        out = []
        for name, words in errors.items():
            listed = words if isinstance(words, list) else [words]
            out.append(f"{name}: {', '.join(str(w) for w in listed)}")
        return out or [str(body)[:300]]
    if isinstance(body, dict) and body.get("message"):
        return [str(body["message"])]
    return [str(body)[:300]]


class FreshsalesClient(PacedHttp):
    unavailable = FreshsalesUnavailable

    def __init__(
        self,
        base_url: str,
        api_key: str,
        allowance: RequestAllowance | None = None,
        timeout: float = 60.0,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # clients of one account (key check, load, reconcile) share the account's hour
        pacer = HourlyPacer(
            allowance or request_allowance(), account=account_key(base_url, api_key)
        )
        super().__init__(
            base_url,
            {
                "Authorization": f"Token token={api_key}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
            pacer.budget,
            timeout=timeout,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            transport=transport,
        )
        self.pacer: HourlyPacer = pacer
        self.bucket = pacer.bucket
        self.last_status = 0

    def __enter__(self) -> FreshsalesClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- hooks ------------------------------------------------------------------------------
    def throttle_of(self, response: httpx.Response) -> Throttle | None:
        return self.pacer.throttle_of(response)  # a wait past FRESHSALES_MAX_WAIT_S: exit 14

    def observe(self, response: httpx.Response) -> None:
        self.pacer.after(response)

    def error_of(self, response: httpx.Response, method: str, path: str) -> Exception:
        return FreshsalesError(response.status_code, refusal_messages(response), method, path)

    def kind_of(self, path: str) -> str:
        """The path with ids as ``{id}`` (request counts by kind)."""
        return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))

    def decode(self, response: httpx.Response) -> Any:
        self.last_status = response.status_code
        return response.json() if response.content else None

    # -- helpers ----------------------------------------------------------------------------
    def backoff(self, attempt: int) -> None:
        """The core loop's wait before attempt ``attempt + 1``, for a caller that settles a
        lost write by a read and then sends it again itself."""
        self._sleep(min(30.0, self.backoff_base * 2 ** (attempt - 1)))

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def pages(
        self, path: str, wrapper: str, params: dict[str, Any] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Every record of a listing, ``per_page`` 100, ``page`` from 1 to ``meta.total_pages``
        (a page shorter than 100 ends it where the answer carries no ``meta``)."""
        page = 1
        while True:
            body = self.get(path, {**(params or {}), "page": page, "per_page": PAGE}) or {}
            rows = list(body.get(wrapper) or [])
            yield rows
            total = (body.get("meta") or {}).get("total_pages")
            if (total is not None and page >= int(total)) or (total is None and len(rows) < PAGE):
                return
            if not rows:
                return
            page += 1

    def list_all(
        self, path: str, wrapper: str, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return [record for page in self.pages(path, wrapper, params) for record in page]
