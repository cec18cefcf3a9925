"""HTML of report section 1, records per object: a chart whose bars add up, the accounting
table (three equations per object, see ``report_objects``), and why each object's counts
differ, in words. A file whose marts were never built says so instead of showing zeros."""

from __future__ import annotations

from html import escape
from typing import Any

from report.html_parts import empty, table
from report.objects import ACCOUNTING, accounting_rows
from report.svg import Series, Stack, stacked_bars

HEADERS = tuple(header for header, _ in ACCOUNTING)
EQUATIONS = (
    "source rows = mapped + quarantined + excluded · mapped &minus; merged = Twenty records · "
    "Twenty records = loaded + refused by Twenty + not loaded yet. Quarantined and refused "
    "records are <b>not migrated</b> (each with a reason, section Quarantine); excluded rows are "
    "left out by a named rule; merged rows became part of a record built from several rows; "
    "<b>with a note</b> counts loaded records with a value kept as typed (migrated)."
)
STACKS = (
    Stack(
        "source rows",
        (
            Series("mapped_rows", "mapped", "source"),
            Series("dbt_quarantined", "quarantined", "quarantined"),
            Series("excluded", "excluded", "excluded"),
        ),
    ),
    Stack(
        "Twenty records",
        (
            Series("loaded", "loaded", "loaded"),
            Series("load_quarantined", "refused by Twenty", "failed"),
            Series("not_loaded", "not loaded yet", "skipped"),
        ),
    ),
)


def adds_up(o: dict[str, Any]) -> bool:
    return (
        o["source_rows"] == o["mapped_rows"] + o["dbt_quarantined"] + o["excluded"]
        and o["mapped_rows"] - o["merged"] == o["mart_rows"]
        and o["mart_rows"] == o["loaded"] + o["load_quarantined"] + o["not_loaded"]
    )


def build_banner(build: dict[str, Any]) -> str:
    if build["ok"]:
        return ""
    kind = "bad" if build["status"] in ("not_built", "failed") else "warn"
    line = build["line"]
    text = line[:1].upper() + line[1:]
    return f"<div class='banner {kind}'>{escape(text)}</div>"


def objects_section(report: dict[str, Any]) -> str:
    data, build = report["objects"], report["build"]
    if not data["available"]:
        return (
            build_banner(build)
            + "<p class='empty'>Not built: no dbt reconciliation in this file, so there are no "
            "counts to show (run <code>dbt build</code>, then rebuild this report).</p>"
        )
    objects = data["objects"]
    warning = (
        "<p class='note'>These counts come from the tables the last build left behind (see "
        "the banner above): they may not describe the marts as they are.</p>"
        if not build["ok"]
        else ""
    )
    chart = stacked_bars(
        objects, "object", STACKS, "Per object: source rows and the Twenty records they became"
    )
    accounting = table(
        HEADERS,
        accounting_rows(objects),
        numeric=range(1, len(HEADERS)),
        bad_rows=[not adds_up(o) for o in objects],
    )
    stories = "".join(
        f"<li><b>{escape(o['object'])}</b>: {escape(o['story'])}</li>" for o in objects
    )
    note = "" if data["loaded_available"] else empty("Nothing loaded yet: no ledger in this file.")
    others = data["other_sources"]
    extra = (
        "<h3>Source tables without a Twenty object of their own</h3>"
        + table(
            ["object", "source table", "source rows", "mapped", "quarantined", "excluded"],
            [
                [
                    o["object"],
                    o["source_table"],
                    o["source_rows"],
                    o["mapped"],
                    o["quarantined"],
                    o["excluded"],
                ]
                for o in others
            ],
            numeric=range(2, 6),
        )
        if others
        else ""
    )
    return (
        warning
        + chart
        + f"<p class='equation'>{EQUATIONS}</p>"
        + accounting
        + f"<h3>Why the counts differ</h3><ul class='stories'>{stories}</ul>"
        + note
        + extra
    )
