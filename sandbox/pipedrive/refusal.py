"""``Refusal``: an answer the stand-in gives instead of serving a request (status + JSON body).

Both the contract check (``contract.py``, 400/404) and the token budget (``tokens.py``, 429)
refuse requests; they share this one small type so the budget does not have to import the
contract module, whose import pulls in openapi-core (a third of a second per process) that a
budget test has no use for. It satisfies ``plugs.Refusal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Refusal:
    status: int
    body: dict[str, Any]
