"""The raw DuckDB a Bizstim account that serves only what bizstim-api.md documents would land.

Built from the default sandbox extraction by dropping what the reference does not promise:
the undocumented endpoints (users, customfields, timezone) and every column outside the
documented field tables. meetourstaff keeps `id` (its fields were not captured at all, but dlt
merges on id, so a listing without it could not land).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

PERSON = [
    "first_name", "last_name", "address1", "address2", "city", "state", "zipcode", "country",
    "p_phone", "s_phone", "text_phone",
]  # fmt: skip
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
        "id", "group_id", "group_num", "service_description", "service_cost",
        "service_default_wage", "service_taxable", "service_type", "service_status",
        "online_booking", "min_duration", "max_duration", "start_interval", "name",
    ],  # fmt: skip
    "payments": [
        "id", "client_id", "qb_payment_id", "revenue_amount", "revenue_tax", "revenue_date",
        "revenue_credit", "revenue_note",
    ],  # fmt: skip
    "locations": [
        "id", "location_status", "location_name", "location_address", "location_zipcode",
        "location_city", "location_state", "location_country", "location_p_phone",
        "location_s_phone", "location_email", "online_booking", "practs",
    ],  # fmt: skip
    "sessions": [
        "id", "confirmed", "multi", "slots", "class_id", "display", "pract_d", "wage_id",
        "client_id", "client_due_id", "cancel_clients", "temp", "service_id", "location_id",
        "recurr_id", "recurr_on", "qb_invoice_id", "session_status",
    ],  # fmt: skip
    "discounts": [
        "id", "uses", "secret", "expires", "code", "fixed", "type", "amount", "services",
    ],  # fmt: skip
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
