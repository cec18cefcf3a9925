"""Error answers in Pipedrive's two shapes, raised as ``PdError`` anywhere below the app.

v2 answers ``{"success": false, "error": ..., "code": ...}``; the one code the reference
quotes is ``ERR_SCHEMA_VALIDATION_FAILED`` with an ``error`` that starts "Validation failed: "
(destinations-2.md §2.4, client-php#227, client-nodejs#651). v1 answers ``{"success": false,
"error": ..., "error_info": ..., "data": null, "additional_data": null}`` (same section).
401 carries a numeric ``errorCode`` (§2.11 rule 1).

Choices where the reference is silent: a missing v2 record is 404 with code
``ERR_NOT_FOUND`` and error "<Entity> not found" (the reference marks the 404 itself [?]); a
v2 write that names a parent that does not exist (``org_id`` 99) is a 400 validation failure
naming the field, not a 404, since the URL's own record is not the one missing; v1's
``error_info`` is the generic "Please check developers.pipedrive.com for more information
about Pipedrive API." that real v1 answers carry.
"""

from __future__ import annotations

from typing import Any

SCHEMA_FAILED = "ERR_SCHEMA_VALIDATION_FAILED"
NOT_FOUND = "ERR_NOT_FOUND"
V1_INFO = "Please check developers.pipedrive.com for more information about Pipedrive API."


class PdError(Exception):
    """An error answer; ``v1`` picks the body shape."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str = SCHEMA_FAILED,
        v1: bool = False,
        info: str = V1_INFO,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.v1 = v1
        self.info = info

    def body(self) -> dict[str, Any]:
        if self.v1:
            return v1_error(self.message, self.info)
        return {"success": False, "error": self.message, "code": self.code}


def v1_error(message: str, info: str = V1_INFO) -> dict[str, Any]:
    return {
        "success": False,
        "error": message,
        "error_info": info,
        "data": None,
        "additional_data": None,
    }


def invalid(message: str) -> PdError:
    """A v2 400 validation failure; ``message`` names the field, as real answers do."""
    return PdError(400, f"Validation failed: {message}")


def not_allowed(key: str) -> PdError:
    return PdError(400, f"Parameter '{key}' is not allowed for this request")


def not_found(entity: str) -> PdError:
    return PdError(404, f"{entity} not found", NOT_FOUND)


def v1_bad(message: str, info: str = V1_INFO) -> PdError:
    return PdError(400, message, v1=True, info=info)


def v1_not_found(entity: str) -> PdError:
    return PdError(404, f"{entity} not found", v1=True)


def unauthorized() -> dict[str, Any]:
    return {"success": False, "error": "unauthorized access", "errorCode": 401}
