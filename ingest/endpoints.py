"""The Bizstim endpoints the extraction lands, in one place (scope and extract both read it).

Page sizes are each endpoint's documented maximum (bizstim-api.md §1 "Pagination"); the
extraction always asks for the maximum so the number of list requests is the minimum
``ceil(total / max_limit)``. Endpoints marked ``simulated`` are not in the public docs but the
migration needs them (users, custom field definitions, the account time zone); the sandbox
serves a plausible design of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListEndpoint:
    method: str  # the API method segment: /api/{method}/{start}/{limit}
    table: str  # raw table in schema raw_bizstim
    max_limit: int
    simulated: bool = False


@dataclass(frozen=True)
class DetailEndpoint:
    method: str  # /api/{method}/{id}
    table: str


LIST_ENDPOINTS: tuple[ListEndpoint, ...] = (
    ListEndpoint("clients", "clients", 1000),
    ListEndpoint("practitioners", "practitioners", 100),
    ListEndpoint("staffs", "staffs", 100),
    ListEndpoint("meetourstaff", "meetourstaff", 100),
    ListEndpoint("services", "services", 100),
    ListEndpoint("payments", "payments", 100),
    ListEndpoint("locations", "locations", 100),
    ListEndpoint("sessions", "sessions", 1000),
    ListEndpoint("discounts", "discounts", 100),
    ListEndpoint("users", "users", 100, simulated=True),
    ListEndpoint("customfields", "custom_fields", 100, simulated=True),
)

CLIENT_DETAIL = DetailEndpoint("client", "client_details")
AVAILABILITY = DetailEndpoint("availability", "availability")
DETAIL_ENDPOINTS: tuple[DetailEndpoint, ...] = (CLIENT_DETAIL, AVAILABILITY)

# GET /api/timezone (simulated): the account's default time zone, one record.
TIMEZONE_METHOD = "timezone"
TIMEZONE_TABLE = "account_timezone"

RAW_SCHEMA = "raw_bizstim"

ALL_TABLES: tuple[str, ...] = (
    *(e.table for e in LIST_ENDPOINTS),
    *(e.table for e in DETAIL_ENDPOINTS),
    TIMEZONE_TABLE,
)


def pages_needed(total: int, max_limit: int) -> int:
    """List requests needed for ``total`` rows at page size ``max_limit`` (at least one)."""
    return max(1, -(-total // max_limit))
