"""Data of the section "What this account's API serves" (facts: :mod:`report.source`).

Three parts, most consequential first: the endpoints the account refused and what the
migration did without each, the account settings applied in their place, then the columns —
a per-table count line (expected / served / aliased / absent / unmapped extras) and the list
of every column not served as the mapping expects, collapsed when long, since a docs-only
account has dozens.
"""

from __future__ import annotations

from typing import Any

from report.html_parts import Badge, Table, table

COLUMNS_OPEN_UP_TO = 15


def _endpoints(source: dict[str, Any]) -> Table | None:
    endpoints = source["endpoints"]
    if not endpoints:
        return None
    return table(
        ["endpoint", "in the docs", "served", "HTTP status", "reason", "what the migration does"],
        [
            [
                e["endpoint"],
                "documented" if e["is_documented"] else "optional (not in bizstim-api.md)",
                Badge("served", "ok") if e["is_available"] else Badge("not served", "bad"),
                e["http_status"],
                e["unavailable_reason"],
                e["impact"],
            ]
            for e in endpoints
        ],
        numeric=[3],
        bad_rows=[not e["is_available"] for e in endpoints],
    )


def _settings(source: dict[str, Any]) -> Table | None:
    settings = source["settings"]
    if settings is None:
        return None
    return table(
        ["setting", "value", "from", "note"],
        [
            ["time zone", settings["time_zone"], settings["time_zone_source"],
             settings["time_zone_note"]],
            ["currency", settings["currency_code"], "var account_currency",
             settings["currency_note"]],
            ["phone region", settings["default_phone_region"], "var default_phone_region", None],
        ],
    )  # fmt: skip


def _columns(source: dict[str, Any]) -> dict[str, Any]:
    counts = table(
        ["raw table", "endpoint", "expected", "served", "aliased", "absent", "of them needed",
         "extra, unmapped"],
        [
            [t["raw_table"], t["endpoint"], t["expected"], t["present"], t["aliased"],
             t["absent"], t["absent_needed"], t["extra_unmapped"]]
            for t in source["tables"]
        ],
        numeric=[2, 3, 4, 5, 6, 7],
        bad_rows=[bool(t["absent_needed"]) for t in source["tables"]],
    )  # fmt: skip
    listed = source["columns"]
    details = table(
        ["raw table", "column", "status", "documented", "needed", "what the mapping does"],
        [
            [c["raw_table"], c["column_name"], c["column_status"], c["is_documented"],
             c["is_needed"], c["note"]]
            for c in listed
        ],
        bad_rows=[c["column_status"] == "absent" and bool(c["is_needed"]) for c in listed],
    )  # fmt: skip
    return {
        "counts": counts,
        "listed": len(listed),
        "details": details if listed else None,
        "open": len(listed) <= COLUMNS_OPEN_UP_TO,
    }


def source_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    source = report["source"]
    if not source["available"]:
        return {"available": False}
    return {
        "available": True,
        "unavailable": len(source["unavailable"]),
        "absent_columns": source["absent_columns"],
        "endpoints": _endpoints(source),
        "settings": _settings(source),
        "columns": _columns(source),
    }
