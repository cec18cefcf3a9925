"""Error responses in Twenty's shapes (reference §9 and §6)."""

from __future__ import annotations

from typing import Any

STATUS_NAMES = {
    400: "BadRequestException",
    401: "Unauthorized",
    403: "ForbiddenException",
    404: "NotFoundException",
    500: "InternalServerErrorException",
}


class ApiError(Exception):
    """Raised anywhere in request handling; turned into Twenty's error body by the app."""

    def __init__(self, status: int, message: str, error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error or STATUS_NAMES.get(status, "HttpException")

    def body(self) -> dict[str, Any]:
        return {"statusCode": self.status, "error": self.error, "messages": [self.message]}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def metadata_error(message: str) -> ApiError:
    """Metadata REST errors use Nest's plain `Bad Request` label (reference §6)."""
    return ApiError(400, message, "Bad Request")


def not_found(message: str = "Record not found") -> ApiError:
    return ApiError(404, message)


DUPLICATE = "A duplicate entry was detected"
FORBIDDEN = "Entity performing the request does not have permission"
