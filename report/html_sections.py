"""HTML of report sections 1-5: objects, phases, request budget, quarantine, reconciliation."""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

from report.html_parts import HTML_ROW_CAP, badge, collapsible, empty, structure, table
from report.svg import budget_bars, phase_timeline


def _total(value: Any) -> int:
    if isinstance(value, dict):
        return sum(int(v or 0) for v in value.values() if isinstance(v, int | float))
    return 0


def phase_synopsis(phase: str, detail: Any) -> str:
    """One line that says what a phase's detail holds (the detail itself is collapsed)."""
    if not isinstance(detail, dict) or not detail:
        return "no detail"
    if detail.get("error"):
        return "error: " + str(detail["error"]).splitlines()[0][:160]
    problems = detail.get("gate_problems") or []
    gate = f" · {len(problems)} gate problem(s)" if problems else ""
    if phase == "scope":
        text = (
            f"{len(detail.get('endpoints') or [])} endpoints · "
            f"{detail.get('total_requests', '?')} GET requests needed"
        )
    elif phase == "extract":
        text = (
            f"cycle {detail.get('cycle')} · {_total(detail.get('rows'))} rows · "
            f"{_total(detail.get('requests_per_key'))} requests"
        )
    elif phase == "transform":
        text = (detail.get("build") or {}).get("line") or f"dbt exit {detail.get('exit_code')}"
    elif phase == "load":
        objects = detail.get("objects") or {}
        created = sum(int(o.get("created", 0)) for o in objects.values())
        updated = sum(int(o.get("updated", 0)) for o in objects.values())
        requests = (detail.get("requests") or {}).get("total", "?")
        text = (
            f"{len(objects)} objects · {created} created, {updated} updated · {requests} requests"
        )
    elif phase == "reconcile":
        verdict = "OK" if detail.get("ok") else "MISMATCH"
        text = f"{verdict} · {len(detail.get('spot_checks') or [])} spot checks"
    else:
        text = f"{len(detail)} values"
    return text + gate


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
                phase_synopsis(str(r.get("phase")), r.get("detail")),
            ]
            for r in data["rows"]
        ],
        numeric=[4],
        bad_rows=[r["forced"] or r.get("status") == "failed" for r in data["rows"]],
    )
    details = "".join(
        collapsible(
            f"{r.get('phase')} · run {r.get('run_id')} · {r.get('status')}",
            f"<div class='detail'>{structure(r.get('detail'))}</div>",
        )
        for r in reversed(data["rows"])
    )
    return (
        warning
        + f"<h3>Latest run {escape(str(data['latest_run']))}</h3>"
        + chart
        + html_rows
        + f"<h3>What each phase recorded</h3><div id='phase-details'>{details}</div>"
    )


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


def _quarantine_part(rows: list[dict[str, Any]], groups: list[dict[str, Any]], noted: bool) -> str:
    examples: dict[tuple[str, str, str], str] = {}
    for row in rows:
        examples.setdefault((row["stage"], str(row["object"]), str(row["rule"])), row["reason"])
    records: dict[tuple[str, str, str], set[str]] = {}
    for row in rows:
        key = (row["stage"], str(row["object"]), str(row["rule"]))
        records.setdefault(key, set()).add(str(row["record"]))
    if noted:
        grouped = table(
            ["object", "rule", "values", "records", "example"],
            [
                [
                    g["object"],
                    g["rule"],
                    g["rows"],
                    len(records.get((g["stage"], g["object"], g["rule"]), ())),
                    examples.get((g["stage"], g["object"], g["rule"])),
                ]
                for g in groups
            ],
            numeric=[2, 3],
        )
    else:
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
                for g in groups
            ],
            numeric=[4],
            bad_rows=[g["stage"] == "load" for g in groups],
        )
    shown = rows[:HTML_ROW_CAP]
    cap = (
        f"<p class='note'>Showing the first {HTML_ROW_CAP} of {len(rows)} rows; "
        "report.json lists them all.</p>"
        if len(rows) > HTML_ROW_CAP
        else ""
    )
    if noted:
        listing = table(
            ["object", "source table", "record", "rule", "note"],
            [[r["object"], r["source_table"], r["record"], r["rule"], r["reason"]] for r in shown],
        )
    else:
        listing = table(
            ["stage", "object", "source table", "record", "rule", "reason"],
            [
                [r["stage"], r["object"], r["source_table"], r["record"], r["rule"], r["reason"]]
                for r in shown
            ],
            bad_rows=[r["stage"] == "load" for r in shown],
        )
    key = "noted-rows" if noted else "quarantine-rows"
    what = "notes" if noted else "records not migrated"
    return (
        f"{grouped}<details id='{key}'><summary>All {len(rows)} {what}</summary>"
        f"{cap}{listing}</details>"
    )


def quarantine_section(report: dict[str, Any]) -> str:
    data = report["quarantine"]
    if not data["rows"]:
        return empty("Nothing quarantined, no value kept as typed.")
    noted = [r for r in data["rows"] if r["impact"] == "value_kept_raw"]
    kept_out = [r for r in data["rows"] if r["impact"] != "value_kept_raw"]
    noted_groups = [g for g in data["by_reason"] if g["impact"] == "value_kept_raw"]
    out_groups = [g for g in data["by_reason"] if g["impact"] != "value_kept_raw"]
    records = len({(r["object"], r["record"]) for r in noted})
    migrated_objects = {o["object"] for o in report["objects"]["objects"]}
    elsewhere = Counter(str(r["object"]) for r in kept_out if r["object"] not in migrated_objects)
    aside = (
        " ("
        + ", ".join(f"{n} of {obj}" for obj, n in elsewhere.items())
        + ": not a Twenty object of its own)"
        if elsewhere
        else ""
    )
    return (
        f"<h3>Not migrated: {len(kept_out)} row(s) quarantined{escape(aside)}</h3>"
        "<p class='note'>These rows are not in Twenty. Stage <b>dbt</b>: a mapping rule "
        "rejected the row (fix it in Bizstim and rerun); stage <b>load</b>: Twenty refused the "
        "record (its message is the reason).</p>"
        + (_quarantine_part(kept_out, out_groups, False) if kept_out else empty("None."))
        + f"<h3>Migrated with a note: {len(noted)} value(s) kept as typed on {records} "
        "record(s)</h3><p class='note'>These records are in Twenty; one value could not be "
        "normalised and was kept as the source had it (or left empty), with this note.</p>"
        + (_quarantine_part(noted, noted_groups, True) if noted else empty("None."))
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
