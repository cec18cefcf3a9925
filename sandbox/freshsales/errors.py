"""Error answers of the Freshsales stand-in, raised as ``FsError`` anywhere below the app.

Freshsales answers a refused write with 400 and ``{"errors": {"<field>": ["<message>"]}}``
(destinations-2.md §3.4, a client's test fixture; §3.11 rule 6): one key per field at fault,
each a list of messages, so a loader can name the column to fix. Errors about the request as a
whole (no key, no such record, a read-only endpoint) use ``{"errors": {"code": N, "message":
...}}``, the shape the reference gives for 401 (rule 1) and that S2's 429 and 500 use too.

Choices where the reference is silent: an unknown id is 404 ``{"errors": {"code": 404,
"message": "<Resource> not found"}}`` (§3.4 gives only the status); a write naming a parent that
does not exist (``sales_account_id`` 99) is a 400 on that field, not a 404, since the URL's own
record is not the one missing.
"""

from __future__ import annotations

from typing import Any


class FsError(Exception):
    """An error answer: ``status`` and the ``errors`` object of its body."""

    def __init__(self, status: int, errors: dict[str, Any]) -> None:
        super().__init__(f"{status}: {sorted(errors)}")
        self.status = status
        self.errors = errors

    def body(self) -> dict[str, Any]:
        return {"errors": self.errors}


def invalid(field: str, message: str) -> FsError:
    """A 400 validation failure naming one field (rule 6)."""
    return FsError(400, {field: [message]})


def general(status: int, message: str) -> FsError:
    return FsError(status, {"code": status, "message": message})


def not_found(resource: str) -> FsError:
    return general(404, f"{resource} not found")


def unauthorized() -> dict[str, Any]:
    return {"errors": {"code": 401, "message": "Login failed: invalid or missing API key"}}
