"""Salesforce's two error shapes, kept apart because loaders parse them differently.

* A refused *request* (bad session, unknown resource, malformed query, a field that does not
  exist) is an HTTP 4xx/5xx whose body is a JSON **array** ``[{"message","errorCode",
  "fields"?}]`` (destinations.md §1.2, destinations-2.md §1.6): :class:`SfError`.
* A refused *record* inside a request that otherwise worked (Collections, Bulk rows, the single
  record REST calls translate it) is ``{"statusCode","message","fields"}``: :class:`RowError`,
  turned into that dict by :meth:`RowError.as_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NOT_FOUND = "The requested resource does not exist"
ROLLED_BACK = ("Record rolled back because not all records were valid and the request was "
               "using AllOrNone header")
ID_IN_CREATE = "The Id field should not be specified in the sobject data."


@dataclass
class Outcome:
    """What happened to one row of a save: the record id, whether it worked, whether it was
    created (upsert), and the row errors ``{"statusCode","message","fields"}``."""

    id: str | None
    success: bool
    created: bool
    errors: list[dict[str, Any]] = field(default_factory=list)


class SfError(Exception):
    """A request-level refusal: ``status`` and one array element."""

    def __init__(self, status: int, code: str, message: str,
                 fields: list[str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields

    def body(self) -> list[dict[str, Any]]:
        item: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            item["fields"] = self.fields
        return [item]


class RowError(Exception):
    """One record refused; the rest of the call goes on (unless allOrNone)."""

    def __init__(self, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.fields = fields or []

    def as_dict(self) -> dict[str, Any]:
        return {"statusCode": self.code, "message": self.message, "fields": list(self.fields)}


def not_found() -> SfError:
    return SfError(404, "NOT_FOUND", NOT_FOUND)


def no_such_column(field: str, sobject: str) -> str:
    """The write-side wording (rule 15: an invisible field reads exactly like a missing one)."""
    return f"No such column '{field}' on sobject of type {sobject}"


def not_writable(fields: list[str]) -> RowError:
    """A field the integration user may not set (read-only, audit without permission, FLS)."""
    names = ", ".join(fields)
    return RowError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {names}. Please check the security settings of this "
        "field and verify that it is read/write for your profile or permission set.",
        fields,
    )


def unsupported_type(sobject: str) -> SfError:
    return SfError(
        400, "INVALID_TYPE",
        f"sObject type '{sobject}' is not supported. If you are attempting to use a custom "
        "object, be sure to append the '__c' after the entity name. Please reference your "
        "WSDL or the describe call for the appropriate names.")
