"""What the app needs from helper P2's modules, as Protocols: ``contract.py``'s ``Contract``
and ``tokens.py``'s ``TokenBudget`` (common brief, "Stand-in interfaces"). Kept apart from
``app.py`` so the test hooks can name the budget without importing the app (no cycle).
"""

from __future__ import annotations

from typing import Any, Protocol


class Refusal(Protocol):
    status: int
    body: dict[str, Any]


class ContractChecks(Protocol):
    def check_request(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes | None
    ) -> Refusal | None: ...

    def check_response(self, method: str, path: str, status: int, body: Any) -> str | None: ...

    def token_cost(self, method: str, path: str) -> int: ...


class Budget(Protocol):
    def charge(self, account_id: str, cost: int) -> Refusal | None: ...

    def headers(self, account_id: str) -> dict[str, str]: ...

    def set_used(self, account_id: str, tokens: int) -> None: ...
