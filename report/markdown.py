"""The report as Markdown (same sections as the HTML page; tables capped like the page)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from report.html import display_name
from report.html_parts import HTML_ROW_CAP
from report.objects import ACCOUNTING, accounting_rows


def md_text(value: Any) -> str:
    """Source text as inert Markdown: most viewers render raw HTML, so `<`, `>` and `&` become
    entities (a client's notes must not turn into markup in somebody's editor preview)."""
    return escape(str(value), quote=False).replace("\n", " ")


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value) or "—"
    return md_text(value).replace("|", "\\|")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _objects(report: dict[str, Any]) -> list[str]:
    data = report["objects"]
    if not data["available"]:
        return [f"**Not built**: {md_text(report['build']['line'])}", ""]
    objects = data["objects"]
    lines = md_table([h for h, _ in ACCOUNTING], accounting_rows(objects))
    return [
        *lines,
        "Why the counts differ:",
        "",
        *[f"- {o['object']}: {md_text(o['story'])}" for o in objects],
        "",
    ]


def _phases(report: dict[str, Any]) -> list[str]:
    data = report["phases"]
    if not data["available"]:
        return ["No phase log.", ""]
    lines = [f"**FORCED GATE**: {r['phase']} (run {r['run_id']})" for r in data["forced"]]
    return [
        *lines,
        "",
        *md_table(
            ["run", "phase", "status", "started", "seconds", "gate ok", "forced"],
            [
                [
                    r.get("run_id"),
                    r.get("phase"),
                    r.get("status"),
                    r.get("started_at"),
                    r.get("seconds"),
                    r.get("gate_ok"),
                    "FORCED" if r["forced"] else "no",
                ]
                for r in data["rows"]
            ],
        ),
    ]


def _budget(report: dict[str, Any]) -> list[str]:
    data = report["budget"]
    lines = (
        md_table(
            ["cycle", "key", "requests", "limit per window", "window (s)"],
            [
                [r["cycle"], r["key_label"], r["requests"], r["rate_limit"], r["rate_window"]]
                for r in data["extract"]
            ],
        )
        if data["extract"]
        else ["No extraction budget recorded.", ""]
    )
    lines += (
        md_table(
            ["load run", "command", "status", "records by action"],
            [
                [r["run_id"], r.get("command"), r.get("status"), r["records_by_action"]]
                for r in data["load_runs"]
            ],
        )
        if data["load_runs"]
        else ["No load run recorded.", ""]
    )
    return lines


def _quarantine(report: dict[str, Any]) -> list[str]:
    data = report["quarantine"]
    if not data["rows"]:
        return ["Nothing quarantined, no value kept as typed.", ""]
    lines: list[str] = []
    for title, noted in (
        ("Not migrated (quarantined)", False),
        ("Migrated with a note (value kept as typed)", True),
    ):
        groups = [g for g in data["by_reason"] if (g["impact"] == "value_kept_raw") == noted]
        rows = [r for r in data["rows"] if (r["impact"] == "value_kept_raw") == noted]
        lines += [f"### {title}: {len(rows)} row(s)", ""]
        if not rows:
            lines += ["None.", ""]
            continue
        lines += md_table(
            ["stage", "object", "rule", "rows"],
            [[g["stage"], g["object"], g["rule"], g["rows"]] for g in groups],
        )
        if len(rows) > HTML_ROW_CAP:
            lines += [f"First {HTML_ROW_CAP} of {len(rows)} rows (all in report.json).", ""]
        lines += md_table(
            ["stage", "object", "record", "rule", "reason"],
            [
                [r["stage"], r["object"], r["record"], r["rule"], r["reason"]]
                for r in rows[:HTML_ROW_CAP]
            ],
        )
    return lines


def _dest(report: dict[str, Any]) -> str:
    """The destination's display name (reports written before --to existed are Twenty's)."""
    return display_name(report.get("destination", "twenty"))


def _reconciliation(report: dict[str, Any]) -> list[str]:
    data = report["reconciliation"]
    if not data["available"]:
        return ["Not reconciled yet: run `bizmig reconcile`.", ""]
    spots = data.get("spot_checks", [])
    bad = [s for s in spots if s.get("differences")]
    lines = [f"Result: **{'OK' if data.get('ok') else 'MISMATCH'}**", ""]
    lines += md_table(
        ["object", "mart rows", "ledger live", f"in {_dest(report)}", "relation mismatches", "ok"],
        [
            [
                o["object"],
                o["mart_rows"],
                o["ledger_live"],
                o["in_twenty"],
                len(o.get("relation_mismatches", [])),
                o.get("ok"),
            ]
            for o in data.get("objects", [])
        ],
    )
    lines += [f"Spot checks: {len(spots)} records, {len(bad)} with differences.", ""]
    return (
        lines
        + [
            f"- {s['object']} {md_text(s['external_id'])}: {md_text('; '.join(s['differences']))}"
            for s in bad
        ]
        + [""]
    )


def _source(report: dict[str, Any]) -> list[str]:
    source = report["source"]
    if not source["available"]:
        return ["Not built: run `dbt build` (the endpoint and column checks are models).", ""]
    settings = source["settings"] or {}
    lines = [
        f"{len(source['unavailable'])} endpoint(s) not served, {source['absent_columns']} "
        "expected column(s) absent.",
        "",
        *md_table(
            ["endpoint", "documented", "served", "status", "reason", "what the migration does"],
            [
                [e["endpoint"], e["is_documented"], e["is_available"], e["http_status"],
                 e["unavailable_reason"], e["impact"]]
                for e in source["endpoints"]
            ],
        ),
        "",
        f"Time zone: {settings.get('time_zone')} ({settings.get('time_zone_source')}). "
        + md_text(settings.get("time_zone_note") or ""),
        "",
    ]  # fmt: skip
    return lines + md_table(
        ["raw table", "column", "status", "documented", "needed", "what the mapping does"],
        [
            [c["raw_table"], c["column_name"], c["column_status"], c["is_documented"],
             c["is_needed"], c["note"]]
            for c in source["columns"]
        ],
    )  # fmt: skip


def _users(report: dict[str, Any]) -> list[str]:
    data = report["owners"]
    head = (
        "Not yet matched (no load ran):"
        if data["source"] == "migration__owner_lookup"
        else f"{len(data['unmatched'])} unmatched, {data['matched']} matched:"
    )
    return [
        *([md_text(data["skipped"]), ""] if data.get("skipped") else []),
        head,
        "",
        *md_table(
            ["user", "name", "e-mail", "role"],
            [
                [u["external_id"], u.get("name"), u.get("email"), u.get("role")]
                for u in data["unmatched"]
            ],
        ),
    ]


def _not_migrated(report: dict[str, Any]) -> list[str]:
    data = report["not_migrated"]
    links, codes = data["ondemand_links"], data["discount_codes"]
    lines = [
        f"- On-demand session links: {links['sessions']} sessions, {links['clients']} clients. "
        + links["why"],
        f"- Discount codes: {codes['codes']}. " + codes["why"],
        f"- Binary attachments: {data['attachments']['why']}",
        "",
        "Export by hand:",
        "",
        *[f"- [ ] {item}" for item in data["attachments"]["checklist"]],
        "",
        "Excluded by named rules:",
        "",
    ]
    return lines + md_table(
        ["object", "source table", "rule", "rows"],
        [[e["object"], e["source_table"], e["rule"], e["rows"]] for e in data["excluded_by_rule"]],
    )


def _automation(report: dict[str, Any]) -> list[str]:
    return md_table(
        ["automation", "clients", "counted as", f"rebuild in {_dest(report)}"],
        [
            [a["title"], a["clients"], a["details"]["counted"], a["rebuild"]]
            for a in report["automation"]
        ],
    )


def _lineage(report: dict[str, Any]) -> list[str]:
    data = report["lineage"]
    link = (
        f"[Lineage graph and model docs]({data['dbt_docs']}) (beside this file)"
        if data["dbt_docs"]
        else "Run `dbt docs generate --static` and rebuild the report for the lineage graph."
    )
    return [
        link,
        "",
        *md_table(
            ["object", "mart column", "source", "derived in"],
            [
                [r["twenty_object"], r["mart_column"], r["source_columns"], r["derived_in_model"]]
                for r in data["rows"]
            ],
        ),
    ]


SECTIONS = (
    ("Records per object", _objects),
    ("What this account's API serves", _source),
    ("Phase timeline", _phases),
    ("Request budget", _budget),
    ("Quarantine", _quarantine),
    ("Reconciliation & spot checks", _reconciliation),
    ("Unmatched users", _users),
    ("Not migrated", _not_migrated),
    ("Automations to rebuild", _automation),
    ("Lineage", _lineage),
)


def render_markdown(report: dict[str, Any]) -> str:
    overall = report["overall"]
    lines = [
        f"# {report['title']}",
        "",
        f"Generated {report['generated_at']} from `{report['duckdb']}`.",
        "",
        f"dbt build: {md_text(report['build']['line'])}",
        "",
        f"Result: **{overall['label']}**",
        "",
        *[f"- problem: {md_text(p)}" for p in overall["problems"]],
        *[f"- to do: {md_text(p)}" for p in overall["follow_ups"]],
        "",
    ]
    for title, render in SECTIONS:
        lines += [f"## {title}", "", *render(report)]
    return "\n".join(lines).rstrip() + "\n"
