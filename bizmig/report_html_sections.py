"""HTML of report sections 1-5: objects, phases, request budget, quarantine, reconciliation."""

from __future__ import annotations

from html import escape
from typing import Any

from bizmig.report_html_parts import HTML_ROW_CAP, badge, empty, table
from bizmig.report_svg import Series, budget_bars, grouped_bars, phase_timeline


def objects_section(report: dict[str, Any]) -> str:
    data = report["objects"]
    if not data["available"]:
        return empty("No dbt reconciliation yet (run `dbt build`).")
    rows = [
        {**o, "quarantined": o["dbt_quarantined"] + o["load_quarantined"]} for o in data["objects"]
    ]
    chart = grouped_bars(
        rows,
        "object",
        [
            Series("source_rows", "source rows", "source"),
            Series("loaded", "loaded", "loaded"),
            Series("quarantined", "quarantined", "quarantined"),
            Series("excluded", "excluded", "excluded"),
        ],
        "Source rows, loaded, quarantined and excluded per object",
    )
    headers = [
        "object",
        "source rows",
        "mapped rows",
        "excluded",
        "quarantined (dbt)",
        "mart records",
        "loaded",
        "quarantined (load)",
        "excluded by rule",
    ]
    body = table(
        headers,
        [
            [
                o["object"],
                o["source_rows"],
                o["mapped_rows"],
                o["excluded"],
                o["dbt_quarantined"],
                o["mart_rows"],
                o["loaded"],
                o["load_quarantined"],
                o["excluded_by_rule"] or None,
            ]
            for o in data["objects"]
        ],
        numeric=range(1, 8),
        bad_rows=[o["loaded"] + o["load_quarantined"] != o["mart_rows"] for o in data["objects"]],
    )
    note = (
        "<p class='note'>Source rows count every source row an object is built from (a person "
        "can come from a client, its detail record and a practitioner profile); mart records "
        "are the distinct Twenty records those rows became; loaded = live in the ledger "
        "(created, updated, restored or unchanged).</p>"
    )
    if not data["loaded_available"]:
        note += empty("Nothing loaded yet: no ledger in this file.")
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
    return chart + body + note + extra


def phases_section(report: dict[str, Any]) -> str:
    data = report["phases"]
    if not data["available"]:
        return empty("No phase log in this file (the run did not go through `bizmig migrate`).")
    if not data["rows"]:
        return empty("The phase log is empty.")
    forced = data["forced"]
    warning = (
        "<p>"
        + badge("FORCED GATE", "bad")
        + " "
        + escape(", ".join(f"{r['phase']} (run {r['run_id']})" for r in forced))
        + ": the row-count gate did not pass and the run went on with <code>--force</code>.</p>"
        if forced
        else ""
    )
    latest = [r for r in data["rows"] if r["run_id"] == data["latest_run"]]
    chart = phase_timeline(latest, f"Phases of run {data['latest_run']}")
    html_rows = table(
        ["run", "phase", "status", "started", "seconds", "gate ok", "forced", "detail"],
        [
            [
                r.get("run_id"),
                r.get("phase"),
                r.get("status"),
                r.get("started_at"),
                None if r.get("seconds") is None else round(r["seconds"], 1),
                r.get("gate_ok"),
                badge("FORCED", "bad") if r["forced"] else "no",
                r.get("detail"),
            ]
            for r in data["rows"]
        ],
        numeric=[4],
        bad_rows=[r["forced"] or r.get("status") == "failed" for r in data["rows"]],
    )
    return warning + f"<h3>Latest run {escape(str(data['latest_run']))}</h3>" + chart + html_rows


def budget_section(report: dict[str, Any]) -> str:
    data = report["budget"]
    parts = ["<h3>Bizstim GET requests per API key</h3>"]
    if not data["extract"]:
        parts.append(empty("No extraction budget recorded."))
    else:
        parts.append(budget_bars(data["extract"], "Bizstim requests per key label"))
        parts.append(
            table(
                ["cycle", "key", "requests", "limit per window", "window (s)", "share of a window"],
                [
                    [
                        r["cycle"],
                        r["key_label"],
                        r["requests"],
                        r["rate_limit"],
                        r["rate_window"],
                        None
                        if r["share_of_one_window"] is None
                        else f"{r['share_of_one_window']:.1%}",
                    ]
                    for r in data["extract"]
                ],
                numeric=[2, 3, 4, 5],
            )
        )
        parts.append(
            "<p class='note'>Keys appear only as labels (key number and a hash prefix).</p>"
        )
    parts.append("<h3>Twenty load runs</h3>")
    if not data["load_runs"]:
        parts.append(empty("No load run recorded."))
    else:
        parts.append(
            table(
                [
                    "run",
                    "command",
                    "status",
                    "generation",
                    "started",
                    "seconds",
                    "records by action",
                    "requests",
                ],
                [
                    [
                        r["run_id"],
                        r.get("command"),
                        r.get("status"),
                        r.get("generation"),
                        r.get("started_at"),
                        r.get("seconds"),
                        r["records_by_action"] or None,
                        r.get("requests"),
                    ]
                    for r in data["load_runs"]
                ],
                numeric=[5],
                bad_rows=[r.get("status") == "failed" for r in data["load_runs"]],
            )
        )
        if not data["load_requests_recorded"]:
            parts.append(
                "<p class='note'>The ledger does not record Twenty request counts per run; "
                "records by action are what each run wrote.</p>"
            )
    return "".join(parts)


def quarantine_section(report: dict[str, Any]) -> str:
    data = report["quarantine"]
    if not data["rows"]:
        return empty("Nothing quarantined.")
    examples: dict[tuple[str, str, str], str] = {}
    for row in data["rows"]:
        examples.setdefault((row["stage"], str(row["object"]), str(row["rule"])), row["reason"])
    grouped = table(
        ["stage", "object", "rule", "impact", "rows", "example"],
        [
            [
                g["stage"],
                g["object"],
                g["rule"],
                g["impact"],
                g["rows"],
                examples.get((g["stage"], g["object"], g["rule"])),
            ]
            for g in data["by_reason"]
        ],
        numeric=[4],
        bad_rows=[g["stage"] == "load" for g in data["by_reason"]],
    )
    shown = data["rows"][:HTML_ROW_CAP]
    cap = (
        f"<p class='note'>Showing the first {HTML_ROW_CAP} of {data['total']} rows; "
        "report.json lists them all.</p>"
        if data["total"] > HTML_ROW_CAP
        else ""
    )
    listing = table(
        ["stage", "object", "source table", "record", "rule", "reason"],
        [
            [r["stage"], r["object"], r["source_table"], r["record"], r["rule"], r["reason"]]
            for r in shown
        ],
        bad_rows=[r["stage"] == "load" for r in shown],
    )
    return (
        "<p class='note'><b>record_not_migrated</b>: the row is not in Twenty. "
        "<b>value_kept_raw</b>: the record is migrated, one value kept as typed. "
        "Stage <b>load</b>: Twenty refused the record (its message is the reason).</p>"
        f"<h3>By reason</h3>{grouped}"
        f"<details id='quarantine-rows'><summary>All {data['total']} quarantine rows</summary>"
        f"{cap}{listing}</details>"
    )


def reconciliation_section(report: dict[str, Any]) -> str:
    data = report["reconciliation"]
    if not data["available"]:
        return empty("Not reconciled yet: run `bizmig reconcile` (no reconciliation.json found).")
    verdict = badge("OK", "ok") if data.get("ok") else badge("MISMATCH", "bad")
    objects = data.get("objects", [])
    checks = table(
        [
            "object",
            "source rows",
            "mart rows",
            "quarantined (dbt)",
            "quarantined (load)",
            "ledger live",
            "in Twenty",
            "missing in Twenty",
            "relation mismatches",
            "ok",
        ],
        [
            [
                o["object"],
                o["source_rows"],
                o["mart_rows"],
                o["dbt_quarantined"],
                o["load_quarantined"],
                o["ledger_live"],
                o["in_twenty"],
                len(o.get("missing_in_twenty", [])),
                len(o.get("relation_mismatches", [])),
                badge("ok", "ok") if o.get("ok") else badge("no", "bad"),
            ]
            for o in objects
        ],
        numeric=range(1, 9),
        bad_rows=[not o.get("ok") for o in objects],
    )
    spots = data.get("spot_checks", [])
    differing = [s for s in spots if s.get("differences")]
    per_object: dict[str, list[int]] = {}
    for spot in spots:
        counts = per_object.setdefault(spot["object"], [0, 0])
        counts[0] += 1
        counts[1] += bool(spot.get("differences"))
    summary = table(
        ["object", "records checked", "with differences"],
        [[obj, checked, bad] for obj, (checked, bad) in per_object.items()],
        numeric=[1, 2],
        bad_rows=[bad > 0 for _, bad in per_object.values()],
    )
    differences = (
        table(
            ["object", "record", "differences"],
            [[s["object"], s["external_id"], s["differences"]] for s in differing],
            bad_rows=[True] * len(differing),
        )
        if differing
        else "<p>Every field of every record checked matches its mart row.</p>"
    )
    every = table(
        ["object", "record", "result"],
        [[s["object"], s["external_id"], s["differences"] or "identical"] for s in spots],
        bad_rows=[bool(s.get("differences")) for s in spots],
    )
    return (
        f"<p>Result {verdict} · from <code>{escape(str(data['path']))}</code></p>{checks}"
        f"<h3>Spot checks: {len(spots)} records fetched back from Twenty, "
        f"{len(differing)} with differences</h3>{summary}{differences}"
        f"<details><summary>Every record checked</summary>{every}</details>"
    )
