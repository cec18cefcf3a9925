"""HTML of the section "What this account's API serves" (data: :mod:`report.source`).

Three parts, most consequential first: the endpoints the account refused and what the
migration did without each, the account settings applied in their place, then the columns —
a per-table count line (expected / served / aliased / absent / unmapped extras) and the list
of every column not served as the mapping expects, collapsed when long, since a docs-only
account has dozens.
"""

from __future__ import annotations

from typing import Any

from report.html_parts import badge, collapsible, empty, table

COLUMNS_OPEN_UP_TO = 15


def _endpoints(source: dict[str, Any]) -> str:
    endpoints = source["endpoints"]
    if not endpoints:
        return empty("No endpoint probe recorded for the extraction this build read.")
    rows = [
        [
            e["endpoint"],
            "documented" if e["is_documented"] else "optional (not in bizstim-api.md)",
            badge("served", "ok") if e["is_available"] else badge("not served", "bad"),
            e["http_status"],
            e["unavailable_reason"],
            e["impact"],
        ]
        for e in endpoints
    ]
    bad = [not e["is_available"] for e in endpoints]
    return table(
        ["endpoint", "in the docs", "served", "HTTP status", "reason", "what the migration does"],
        rows,
        numeric=[3],
        bad_rows=bad,
    )


def _settings(source: dict[str, Any]) -> str:
    settings = source["settings"]
    if settings is None:
        return empty("No migration__account_settings in this file.")
    return table(
        ["setting", "value", "from", "note"],
        [
            [
                "time zone",
                settings["time_zone"],
                settings["time_zone_source"],
                settings["time_zone_note"],
            ],
            [
                "currency",
                settings["currency_code"],
                "var account_currency",
                settings["currency_note"],
            ],
            ["phone region", settings["default_phone_region"], "var default_phone_region", None],
        ],
    )


def _columns(source: dict[str, Any]) -> str:
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
    if not listed:
        return counts + empty("Every expected column was served under its own name.")
    details = table(
        ["raw table", "column", "status", "documented", "needed", "what the mapping does"],
        [
            [c["raw_table"], c["column_name"], c["column_status"], c["is_documented"],
             c["is_needed"], c["note"]]
            for c in listed
        ],
        bad_rows=[c["column_status"] == "absent" and bool(c["is_needed"]) for c in listed],
    )  # fmt: skip
    summary = f"{len(listed)} column(s) not served as the mapping expects"
    return counts + collapsible(summary, details, open_=len(listed) <= COLUMNS_OPEN_UP_TO)


def source_section(report: dict[str, Any]) -> str:
    source = report["source"]
    if not source["available"]:
        return "<p>" + badge("not built", "muted") + " Run <code>dbt build</code>: the " \
            "endpoint and column checks are models of the build.</p>"  # fmt: skip
    lead = (
        f"<p>{len(source['unavailable'])} endpoint(s) not served, "
        f"{source['absent_columns']} expected column(s) absent. A record that cannot be "
        "migrated without a missing field is in the quarantine with a reason naming it.</p>"
    )
    return (
        lead
        + "<h3>Endpoints</h3>"
        + _endpoints(source)
        + "<h3>Account settings applied</h3>"
        + _settings(source)
        + "<h3>Columns</h3>"
        + _columns(source)
    )
