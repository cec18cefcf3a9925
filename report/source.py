"""Report section "What this account's API serves": endpoints, columns and account settings.

A real Bizstim account may serve exactly what ``bizstim-api.md`` documents and nothing more
(issue 11: three of the endpoints and five of the columns the first mapping read were not
promised). The migration goes on without them, so the report must say what was missing and
what the migration did instead, in one place an auditor finds: which endpoints the account
refused (``migration__source_endpoints``, with status, the server's reason and the
consequence), which expected columns it did not serve, which it served under another name
(``seeds/bizstim_field_aliases.csv``) and which it sent that nothing maps
(``migration__source_columns``), and the account settings the build applied instead
(``migration__account_settings``: the time zone and where it came from). Everything is read
from tables ``dbt build`` wrote; without a build the section says so rather than showing
an empty list that reads as "everything was served".
"""

from __future__ import annotations

from typing import Any

from report.db import ReportDb

MIGRATION = "migration"
USERS_ENDPOINT = "users"
NOT_PRESENT = ("absent", "aliased", "extra")


def _endpoints(db: ReportDb) -> list[dict[str, Any]] | None:
    if not db.has(MIGRATION, "migration__source_endpoints"):
        return None
    return db.rows(
        "select endpoint, table_name, is_documented, is_available, http_status, "
        f"unavailable_reason, impact, probed_by from {MIGRATION}.migration__source_endpoints "
        "order by is_documented desc, endpoint"
    )


def _columns(db: ReportDb) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """(per raw table: counts by status; every column not served as expected)."""
    if not db.has(MIGRATION, "migration__source_columns"):
        return None
    per_table = db.rows(
        "select raw_table, any_value(endpoint) as endpoint, bool_or(is_table_landed) as landed, "
        "count(*) filter (where is_expected) as expected, "
        "count(*) filter (where column_status = 'present') as present, "
        "count(*) filter (where column_status = 'aliased') as aliased, "
        "count(*) filter (where column_status = 'absent') as absent, "
        "count(*) filter (where column_status = 'absent' and is_needed) as absent_needed, "
        "count(*) filter (where column_status = 'extra' and note like 'Served by the account, "
        "not mapped%') as extra_unmapped "
        f"from {MIGRATION}.migration__source_columns group by raw_table order by raw_table"
    )
    placeholders = ", ".join("?" for _ in NOT_PRESENT)
    listed = db.rows(
        "select raw_table, column_name, column_status, is_documented, is_needed, note "
        f"from {MIGRATION}.migration__source_columns where column_status in ({placeholders}) "
        "and not (column_status = 'extra' and coalesce(note, '') like 'Also served by%') "
        "order by raw_table, column_status, column_position",
        list(NOT_PRESENT),
    )
    return per_table, listed


def _settings(db: ReportDb) -> dict[str, Any] | None:
    if not db.has(MIGRATION, "migration__account_settings"):
        return None
    rows = db.rows(
        "select time_zone, time_zone_source, time_zone_note, currency_code, currency_note, "
        f"default_phone_region from {MIGRATION}.migration__account_settings"
    )
    return rows[0] if rows else None


def source_api(db: ReportDb) -> dict[str, Any]:
    """What the account served, for the report (``available`` false when nothing was built)."""
    endpoints = _endpoints(db)
    columns = _columns(db)
    settings = _settings(db)
    per_table, listed = columns if columns is not None else ([], [])
    unavailable = [e for e in endpoints or [] if not e["is_available"]]
    return {
        "available": endpoints is not None and columns is not None,
        "endpoints": endpoints or [],
        "unavailable": unavailable,
        "tables": per_table,
        "columns": listed,
        "absent_columns": sum(1 for c in listed if c["column_status"] == "absent"),
        "settings": settings,
    }


def owner_matching_skipped(source: dict[str, Any]) -> str | None:
    """Why no record gets an owner, when the account does not serve Bizstim users."""
    for endpoint in source["unavailable"]:
        if endpoint["endpoint"] == USERS_ENDPOINT:
            return (
                "Owner matching skipped: this account does not serve Bizstim users "
                f"(GET /api/users: {endpoint['unavailable_reason']}), so no record can be "
                "matched to a user in the destination and migrated records keep no owner."
            )
    return None


def source_follow_up(source: dict[str, Any]) -> str | None:
    """One line for the report header when the account served less than the mapping reads."""
    if not source["unavailable"] and not source["absent_columns"]:
        return None
    names = ", ".join(e["endpoint"] for e in source["unavailable"]) or "none"
    return (
        f"check what this account's API does not serve: {len(source['unavailable'])} "
        f"endpoint(s) ({names}), {source['absent_columns']} expected column(s) — see "
        "\"What this account's API serves\""
    )
