"""The report as one self-contained HTML page (inline CSS and SVG; no scripts, no downloads).

The header with the overall result, sections 6-9 and the page itself; sections 1-5 are in
``report_html_sections``.
"""

from __future__ import annotations

from html import escape
from typing import Any

from report.html_objects import build_banner, objects_section
from report.html_parts import CSS, SECTIONS, badge, empty, section, table
from report.html_sections import (
    budget_section,
    phases_section,
    quarantine_section,
    reconciliation_section,
)
from report.html_source import source_section


def figures(report: dict[str, Any]) -> list[tuple[str, str]]:
    """The header's tiles; "not built" instead of counts a missing build cannot give."""
    objects = report["objects"]["objects"]
    built = report["objects"]["available"]

    def count(n: int) -> str:
        return str(n) if built else "not built"

    noted = {
        (r["object"], r["record"])
        for r in report["quarantine"]["rows"]
        if r["impact"] == "value_kept_raw"
    }
    return [
        ("records to migrate", count(sum(o["mart_rows"] for o in objects))),
        ("records loaded", count(sum(o["loaded"] for o in objects))),
        (
            "not migrated (quarantined)",
            count(sum(o["dbt_quarantined"] + o["load_quarantined"] for o in objects)),
        ),
        ("migrated with a note", count(len(noted))),
        ("source rows excluded", count(sum(o["excluded"] for o in objects))),
        ("unmatched users", str(len(report["owners"]["unmatched"]))),
    ]


def _header(report: dict[str, Any]) -> str:
    overall = report["overall"]
    shown = [p for p in overall["problems"] if p != report["build"]["line"]]  # in the banner
    problems = "".join(f"<li>{escape(p)}</li>" for p in shown)
    follow = "".join(f"<li>{escape(p)}</li>" for p in overall["follow_ups"])
    kind = "ok" if overall["ok"] else "bad"
    nav = "".join(f"<a href='#{key}'>{escape(title)}</a>" for key, title in SECTIONS)
    return (
        f"<header><h1>{escape(report['title'])}</h1>"
        f"<div class='meta'>generated {escape(report['generated_at'])} from "
        f"<code>{escape(report['duckdb'])}</code>"
        + (f" · {escape(report['build']['line'])}" if report["build"]["ok"] else "")
        + "</div>"
        + build_banner(report["build"])
        +
        f"<div class='result'><div class='verdict {kind}' id='overall'>"
        f"{escape(overall['label'].upper() if overall['ok'] else overall['label'])}</div>"
        f"<div>{'<b>Problems</b><ul>' + problems + '</ul>' if problems else ''}"
        f"<b>To do</b><ul>{follow}</ul></div></div>"
        "<div class='figures'>"
        + "".join(
            f"<div class='figure'><b>{escape(n)}</b><span>{escape(t)}</span></div>"
            for t, n in figures(report)
        )
        + f"</div><nav>{nav}</nav></header>"
    )


def count_or_unknown(value: int | None) -> str:
    return "unknown (table absent)" if value is None else str(value)


def users_section(report: dict[str, Any]) -> str:
    data = report["owners"]
    parts = []
    if data.get("skipped"):
        parts.append("<p>" + badge("skipped", "warn") + f" {escape(data['skipped'])}</p>")
    if data["source"] == "owner_matches":
        parts.append(
            f"<p>Matching of load run <code>{escape(str(data['run_id']))}</code>: "
            f"{data['matched']} Bizstim user(s) matched a Twenty workspace member by e-mail, "
            f"{len(data['unmatched'])} did not. Invite them in Twenty (members cannot be "
            "created through the API), then rerun the load to assign their records.</p>"
        )
    elif data["source"] == "migration__owner_lookup":
        parts.append(
            "<p>" + badge("not yet matched", "muted") + " No load has matched users yet; "
            "every Bizstim login below still needs a Twenty workspace member.</p>"
        )
    if data["unmatched"]:
        parts.append(
            table(
                ["user", "name", "e-mail", "role"],
                [
                    [u["external_id"], u.get("name"), u.get("email"), u.get("role")]
                    for u in data["unmatched"]
                ],
            )
        )
    elif data["source"]:
        parts.append(empty("Every Bizstim user has a workspace member."))
    else:
        parts.append(empty("No user lookup in this file (run `dbt build`)."))
    if data["without_email"]:
        parts.append("<h3>Users that cannot be matched (no usable e-mail)</h3>")
        parts.append(
            table(
                ["Bizstim user id", "rule", "reason"],
                [[u["source_id"], u["rule"], u["reason"]] for u in data["without_email"]],
            )
        )
    return "".join(parts)


def not_migrated_section(report: dict[str, Any]) -> str:
    data = report["not_migrated"]
    links, files, codes = data["ondemand_links"], data["attachments"], data["discount_codes"]
    rows = [
        [
            count_or_unknown(links["sessions"]),
            "on-demand session links",
            f"{links['why']} Clients affected: {count_or_unknown(links['clients'])}.",
        ],
        [count_or_unknown(codes["codes"]), "discount codes", codes["why"]],
        ["—", "binary attachments", files["why"]],
    ]
    checklist = "".join(f"<li>☐ {escape(item)}</li>" for item in files["checklist"])
    excluded = data["excluded_by_rule"]
    rules = (
        table(
            ["object", "source table", "rule", "rows"],
            [[e["object"], e["source_table"], e["rule"], e["rows"]] for e in excluded],
            numeric=[3],
        )
        if excluded
        else empty("No row excluded by a rule.")
    )
    return (
        table(["count", "what", "why / what to do"], rows, numeric=[0])
        + f"<h3>Attachments to export by hand</h3><ul class='checklist'>{checklist}</ul>"
        + f"<h3>Excluded by named rules</h3>{rules}"
    )


def automation_section(report: dict[str, Any]) -> str:
    items = report["automation"]
    rows = []
    for item in items:
        details = {k.replace("_", " "): v for k, v in item["details"].items() if k != "counted"}
        rows.append(
            [
                item["title"],
                "n/a"
                if item["clients"] is None and "not per client" in item["details"]["counted"]
                else count_or_unknown(item["clients"]),
                item["details"]["counted"],
                details or None,
                item["rebuild"],
            ]
        )
    return (
        "<p class='note'>Bizstim runs these for the account; Twenty does not until someone "
        "builds them (Settings → Workflows). Counts come from the raw Bizstim data.</p>"
        + table(
            ["automation", "clients", "counted as", "other counts", "rebuild in Twenty"],
            rows,
            numeric=[1],
        )
    )


def lineage_section(report: dict[str, Any]) -> str:
    data = report["lineage"]
    docs = data["dbt_docs"]
    if docs:
        marts = sorted({r["mart_model"] for r in data["rows"] if r.get("mart_model")})
        per_mart = ", ".join(
            f"<a href='{escape(docs)}#!/model/model.bizmig.{escape(m)}?g_v=1'>{escape(m)}</a>"
            for m in marts
        )
        link = (
            f"<p>Lineage graph and every model's documentation: <a href='{escape(docs)}'>"
            f"{escape(docs)}</a>, a self-contained copy of dbt's docs beside this page (opens "
            "from disk, no server needed)."
            + (f" Graph of each mart: {per_mart}." if per_mart else "")
            + "</p>"
        )
    else:
        link = (
            "<p>" + badge("no dbt docs", "muted") + " Run <code>dbt docs generate --static</code> "
            "and rebuild this report (<code>--dbt-docs</code>: its target directory) to put the "
            "lineage graph beside it.</p>"
        )
    rows = data["rows"]
    if not rows:
        return link + empty("No migration__lineage table in this file.")
    payload = [r for r in rows if not r.get("is_bookkeeping")]
    return (
        link + f"<details><summary>Mart column → source ({len(payload)} payload columns, "
        f"{len(rows) - len(payload)} bookkeeping)</summary>"
        + table(
            ["object", "mart column", "type", "source", "derived in", "bookkeeping"],
            [
                [
                    r["twenty_object"],
                    r["mart_column"],
                    r["data_type"],
                    r["source_columns"],
                    r["derived_in_model"],
                    r["is_bookkeeping"],
                ]
                for r in rows
            ],
        )
        + "</details>"
    )


RENDERERS = {
    "objects": objects_section,
    "source": source_section,
    "phases": phases_section,
    "budget": budget_section,
    "quarantine": quarantine_section,
    "reconciliation": reconciliation_section,
    "users": users_section,
    "not-migrated": not_migrated_section,
    "automation": automation_section,
    "lineage": lineage_section,
}


def render_html(report: dict[str, Any]) -> str:
    sections = "".join(section(key, RENDERERS[key](report)) for key, _ in SECTIONS)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(report['title'])}</title><style>{CSS}</style></head>"
        f"<body>{_header(report)}<main>{sections}</main></body></html>\n"
    )
