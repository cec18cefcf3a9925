"""The Bizstim endpoints the extraction lands, in one place (scope and extract both read it).

Page sizes are each endpoint's documented maximum (bizstim-api.md §1 "Pagination"); the
extraction always asks for the maximum so the number of list requests is the minimum
``ceil(total / max_limit)``.

``documented=False`` marks the endpoints the public reference does not document (users, custom
field definitions, the account time zone). The migration is better with them, but a real
account may serve exactly what the docs promise (issue 11: ``scope`` and ``extract`` died on
``users`` and ``timezone`` answering 404), so they are *optional*: probed once, and when refused
recorded as unavailable (:mod:`ingest.availability`) with what degrades (``impact``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListEndpoint:
    method: str  # the API method segment: /api/{method}/{start}/{limit}
    table: str  # raw table in schema raw_bizstim
    max_limit: int
    documented: bool = True
    impact: str = ""  # what degrades when this (optional) endpoint is unavailable


@dataclass(frozen=True)
class DetailEndpoint:
    method: str  # /api/{method}/{id}
    table: str


@dataclass(frozen=True)
class AccountEndpoint:
    """One record without parameters: ``/api/{method}``."""

    method: str
    table: str
    documented: bool = True
    impact: str = ""


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
    ListEndpoint(
        "users", "users", 100, documented=False,
        impact="no Bizstim users: record owners cannot be matched to the destination's users",
    ),
    ListEndpoint(
        "customfields", "custom_fields", 100, documented=False,
        impact="no custom field definitions: `bizmig map propose` proposes the custom_<id> "
        "values found in client detail, named by id, typed from their values",
    ),
)  # fmt: skip

CLIENT_DETAIL = DetailEndpoint("client", "client_details")
AVAILABILITY = DetailEndpoint("availability", "availability")
DETAIL_ENDPOINTS: tuple[DetailEndpoint, ...] = (CLIENT_DETAIL, AVAILABILITY)

# GET /api/timezone (undocumented): the account's default time zone, one record.
TIMEZONE = AccountEndpoint(
    "timezone", "account_timezone", documented=False,
    impact="no account time zone: session times are read in dbt var default_account_timezone",
)  # fmt: skip
TIMEZONE_METHOD = TIMEZONE.method
TIMEZONE_TABLE = TIMEZONE.table

# Every endpoint scope and extract probe (lists by their first page, the time zone by itself).
PROBED: tuple[ListEndpoint | AccountEndpoint, ...] = (*LIST_ENDPOINTS, TIMEZONE)
OPTIONAL: tuple[ListEndpoint | AccountEndpoint, ...] = tuple(e for e in PROBED if not e.documented)

RAW_SCHEMA = "raw_bizstim"
CYCLES_TABLE = "_bizmig_extract_cycles"

ALL_TABLES: tuple[str, ...] = (
    *(e.table for e in LIST_ENDPOINTS),
    *(e.table for e in DETAIL_ENDPOINTS),
    TIMEZONE_TABLE,
)


def pages_needed(total: int, max_limit: int) -> int:
    """List requests needed for ``total`` rows at page size ``max_limit`` (at least one)."""
    return max(1, -(-total // max_limit))
