"""The report as one self-contained HTML page (inline CSS and SVG; no scripts, no downloads),
rendered from Jinja templates in ``report/templates`` with autoescape on.

Why templates with autoescape: the page shows Bizstim text verbatim — a quarantine reason quotes
the invalid e-mail as typed, the user table shows a login's name, an example column shows a
custom field's value — and the tests/security account types ``<script>`` into all of them.
Python builds plain data per section (this module: the header and sections 7-10;
``html_objects``, ``html_source``, ``html_sections``: sections 1-6); the templates write every
tag, and every value they print is escaped unless it is template text itself.

One page for every destination: ``destination`` (a ``--to`` name) only changes the wording
("Loaded into Salesforce", "in Pipedrive"); the sections and their data are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from load.destinations import KNOWN
from report.charts import COLOURS
from report.html_objects import build_banner, objects_view
from report.html_parts import DETAIL_ROW_CAP, SECTIONS, Badge, Table, table
from report.html_sections import budget_view, phases_view, quarantine_view, reconciliation_view
from report.html_source import source_view

# beside this file, not jinja2.PackageLoader("report"): `python -m bizmig.cli migrate` run in a
# directory holding its own `report/` output folder resolved the name "report" to that folder
# (the resilience and migrate suites' runs: "PackageLoader could not find a 'templates' directory")
TEMPLATES = Path(__file__).resolve().parent / "templates"


def display_name(destination: str) -> str:
    """The name ("Twenty", "monday CRM", ...) ``load.destinations`` gives each ``--to``."""
    known = KNOWN.get(destination)
    if known is None:
        raise ValueError(f"unknown destination {destination!r}; one of {', '.join(KNOWN)}")
    return known.display_name


def figures(report: dict[str, Any], dest: str = "Twenty") -> list[tuple[str, str]]:
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


def header_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    overall, build = report["overall"], report["build"]
    return {
        "title": report["title"],
        "generated_at": report["generated_at"],
        "duckdb": report["duckdb"],
        "build_line": build["line"] if build["ok"] else None,
        "banner": build_banner(build),
        "ok": overall["ok"],
        "verdict": overall["label"].upper() if overall["ok"] else overall["label"],
        "problems": [p for p in overall["problems"] if p != build["line"]],  # in the banner
        "follow_ups": overall["follow_ups"],
        "figures": figures(report, dest),
    }


def count_or_unknown(value: int | None) -> str:
    return "unknown (table absent)" if value is None else str(value)


def users_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    data = report["owners"]
    return {
        "skipped": data.get("skipped"),
        "source": data["source"],
        "run_id": str(data["run_id"]) if data.get("run_id") is not None else None,
        "matched": data["matched"] if data["source"] == "owner_matches" else None,
        "unmatched_count": len(data["unmatched"]),
        "unmatched": table(
            ["user", "name", "e-mail", "role"],
            [[u["external_id"], u.get("name"), u.get("email"), u.get("role")]
             for u in data["unmatched"]],
        ) if data["unmatched"] else None,
        "without_email": table(
            ["Bizstim user id", "rule", "reason"],
            [[u["source_id"], u["rule"], u["reason"]] for u in data["without_email"]],
        ) if data["without_email"] else None,
    }  # fmt: skip


def not_migrated_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    data = report["not_migrated"]
    links, files, codes = data["ondemand_links"], data["attachments"], data["discount_codes"]
    excluded = data["excluded_by_rule"]
    return {
        "inventory": table(
            ["count", "what", "why / what to do"],
            [
                [count_or_unknown(links["sessions"]), "on-demand session links",
                 f"{links['why']} Clients affected: {count_or_unknown(links['clients'])}."],
                [count_or_unknown(codes["codes"]), "discount codes", codes["why"]],
                ["—", "binary attachments", files["why"]],
            ],
            numeric=[0],
        ),
        "checklist": files["checklist"],
        "excluded": table(
            ["object", "source table", "rule", "rows"],
            [[e["object"], e["source_table"], e["rule"], e["rows"]] for e in excluded],
            numeric=[3],
        ) if excluded else None,
    }  # fmt: skip


def automation_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    rows = []
    for item in report["automation"]:
        details = {k.replace("_", " "): v for k, v in item["details"].items() if k != "counted"}
        not_per_client = "not per client" in item["details"]["counted"]
        clients = item["clients"]
        rows.append(
            [
                item["title"],
                "n/a" if clients is None and not_per_client else count_or_unknown(clients),
                item["details"]["counted"],
                details or None,
                item["rebuild"],
            ]
        )
    headers = ["automation", "clients", "counted as", "other counts", f"rebuild in {dest}"]
    return {"table": table(headers, rows, numeric=[1])}


def lineage_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    data = report["lineage"]
    rows = data["rows"]
    payload = [r for r in rows if not r.get("is_bookkeeping")]
    return {
        "docs": data["dbt_docs"],
        "marts": sorted({r["mart_model"] for r in rows if r.get("mart_model")}),
        "rows": len(rows),
        "payload": len(payload),
        "table": table(
            ["object", "mart column", "type", "source", "derived in", "bookkeeping"],
            [[r["twenty_object"], r["mart_column"], r["data_type"], r["source_columns"],
              r["derived_in_model"], r["is_bookkeeping"]] for r in rows],
        ) if rows else None,
    }  # fmt: skip


VIEWS: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "objects": objects_view,
    "source": source_view,
    "phases": phases_view,
    "budget": budget_view,
    "quarantine": quarantine_view,
    "reconciliation": reconciliation_view,
    "users": users_view,
    "not-migrated": not_migrated_view,
    "automation": automation_view,
    "lineage": lineage_view,
}


def _keys_of(rows: list[dict[str, Any]]) -> list[Any]:
    return list(dict.fromkeys(k for row in rows for k in row))


def environment(autoescape: bool = True) -> jinja2.Environment:
    """The templates' environment: autoescape on, a missing variable an error (not an empty
    string that hides a renamed field). ``autoescape=False`` exists for the test that shows
    the escaping test fails without it."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["badge_cell"] = lambda value: isinstance(value, Badge)
    env.tests["table_value"] = lambda value: isinstance(value, Table)
    env.tests["list_value"] = lambda value: isinstance(value, list)
    env.tests["list_of_mappings"] = lambda value: all(isinstance(v, dict) for v in value)
    env.tests["list_of_scalars"] = lambda value: not any(isinstance(v, dict | list) for v in value)
    env.globals["keys_of"] = _keys_of
    env.globals["detail_row_cap"] = DETAIL_ROW_CAP
    return env


def render_html(
    report: dict[str, Any], destination: str = "twenty", env: jinja2.Environment | None = None
) -> str:
    dest = display_name(destination)
    template = (env or environment()).get_template("report.html.j2")
    return template.render(
        dest=dest,
        colours=COLOURS,
        sections=SECTIONS,
        header=header_view(report, dest),
        views={key: VIEWS[key](report, dest) for key, _ in SECTIONS},
    )
