"""Reshape a landed raw DuckDB: values the docs allow, and what a documented-only account lands.

``plant_values`` rewrites a few rows of the default sandbox extraction with values
bizstim-api.md allows but the sandbox never generates (a refund, amounts with 3 and 7
decimals and one of 13 digits, a schedule dated 0000-00-00, a schedule ending before it
starts).

``make_documented_only`` drops what the reference does not promise: the undocumented
endpoints (users, customfields, timezone) and every column outside the documented field
tables. meetourstaff keeps `id` (its fields were not captured at all, but dlt merges on id, so
a listing without it could not land). The docs-only sandbox profile serves the same shape over
HTTP; these tests do not depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

PERSON = [
    "first_name",
    "last_name",
    "address1",
    "address2",
    "city",
    "state",
    "zipcode",
    "country",
    "p_phone",
    "s_phone",
    "text_phone",
]
CLIENT = ["id", "users_id", "client_settings_id", "avail_id", *PERSON, "email"]
DAYS = ["m", "t", "w", "r", "f", "sat", "sun"]

# bizstim-api.md §2.1-2.11: the documented fields of each endpoint's raw table.
DOCUMENTED_COLUMNS: dict[str, list[str]] = {
    "clients": CLIENT,
    "client_details": CLIENT,  # §2.2: inferred, the same fields as the list
    "practitioners": ["id", "pract_settings_id", "users_id", "avail_id", *PERSON, "email"],
    "staffs": ["id", "users_id", "staff_settings_id", *PERSON],
    "meetourstaff": ["id"],
    "availability": ["id", "label", "start", "end"]
    + [f"{day}_avail{edge}" for day in DAYS for edge in ("f", "t")],
    "services": [
        "id",
        "group_id",
        "group_num",
        "service_description",
        "service_cost",
        "service_default_wage",
        "service_taxable",
        "service_type",
        "service_status",
        "online_booking",
        "min_duration",
        "max_duration",
        "start_interval",
        "name",
    ],
    "payments": [
        "id",
        "client_id",
        "qb_payment_id",
        "revenue_amount",
        "revenue_tax",
        "revenue_date",
        "revenue_credit",
        "revenue_note",
    ],
    "locations": [
        "id",
        "location_status",
        "location_name",
        "location_address",
        "location_zipcode",
        "location_city",
        "location_state",
        "location_country",
        "location_p_phone",
        "location_s_phone",
        "location_email",
        "online_booking",
        "practs",
    ],
    "sessions": [
        "id",
        "confirmed",
        "multi",
        "slots",
        "class_id",
        "display",
        "pract_d",
        "wage_id",
        "client_id",
        "client_due_id",
        "cancel_clients",
        "temp",
        "service_id",
        "location_id",
        "recurr_id",
        "recurr_on",
        "qb_invoice_id",
        "session_status",
    ],
    "discounts": ["id", "uses", "secret", "expires", "code", "fixed", "type", "amount", "services"],
}
UNDOCUMENTED_TABLES = ["users", "custom_fields", "account_timezone"]


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw_bizstim' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def make_documented_only(path: Path) -> dict[str, list[str]]:
    """Drop the undocumented tables and columns in place; return the dropped columns."""
    dropped: dict[str, list[str]] = {}
    with duckdb.connect(str(path)) as con:
        for table in UNDOCUMENTED_TABLES:
            con.execute(f"drop table if exists raw_bizstim.{table}")
        for table, keep in DOCUMENTED_COLUMNS.items():
            extra = [
                c for c in columns_of(con, table) if c not in keep and not c.startswith("_dlt_")
            ]
            for column in extra:
                con.execute(f'alter table raw_bizstim.{table} drop column "{column}"')
            dropped[table] = extra
    return dropped


@dataclass(frozen=True)
class Planted:
    """Bizstim ids of the rows plant_values rewrote (all were migrated before)."""

    refund: int  # revenue_amount "-5.00"
    six_decimals: int  # "12.345" (exactly 12 345 000 micros)
    seven_decimals: int  # "12.3456789" (not representable in micros)
    thirteen_digits: int  # "1234567890123" (beyond what to_money carries: 12 digits)
    zero_dated_schedule: int  # start "0000-00-00"
    inverted_schedule: int  # start 2024-06-30, end 2024-01-01


def plant_values(path: Path) -> Planted:
    """Rewrite rows that the file's last build migrated (read from its marts)."""
    with duckdb.connect(str(path)) as con:
        payments = [
            r[0]
            for r in con.execute(
                'select "bizstimPaymentId" from marts.twenty__payments order by 1 limit 4'
            ).fetchall()
        ]
        schedules = [
            r[0]
            for r in con.execute(
                'select distinct "bizstimAvailabilityId" from marts.twenty__availability_windows '
                "order by 1 limit 2"
            ).fetchall()
        ]
        amounts = ["-5.00", "12.345", "12.3456789", "1234567890123"]
        for payment_id, amount in zip(payments, amounts, strict=True):
            con.execute(
                "update raw_bizstim.payments set revenue_amount = ? where id = ?",
                [amount, str(payment_id)],
            )
        con.execute(
            "update raw_bizstim.availability set start = '0000-00-00' where id = ?",
            [str(schedules[0])],
        )
        con.execute(
            "update raw_bizstim.availability set start = '2024-06-30', \"end\" = '2024-01-01' "
            "where id = ?",
            [str(schedules[1])],
        )
    return Planted(*payments, *schedules)
