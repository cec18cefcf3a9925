"""Data of report sections 3-6: phases, request budget, quarantine, reconciliation.

Plain values only (tables, badges, counts); ``templates/sections/*.html.j2`` write the markup.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from report.charts import budget_bars, phase_timeline
from report.html_parts import HTML_ROW_CAP, Badge, table


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


def phases_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    data = report["phases"]
    if not data["available"] or not data["rows"]:
        return {"available": data["available"], "rows": False}
    rows = data["rows"]
    latest = [r for r in rows if r["run_id"] == data["latest_run"]]
    return {
        "available": True,
        "rows": True,
        "forced": ", ".join(f"{r['phase']} (run {r['run_id']})" for r in data["forced"]),
        "latest_run": str(data["latest_run"]),
        "chart": phase_timeline(latest, f"Phases of run {data['latest_run']}"),
        "table": table(
            ["run", "phase", "status", "started", "seconds", "gate ok", "forced", "detail"],
            [
                [
                    r.get("run_id"),
                    r.get("phase"),
                    r.get("status"),
                    r.get("started_at"),
                    None if r.get("seconds") is None else round(r["seconds"], 1),
                    r.get("gate_ok"),
                    Badge("FORCED", "bad") if r["forced"] else "no",
                    phase_synopsis(str(r.get("phase")), r.get("detail")),
                ]
                for r in rows
            ],
            numeric=[4],
            bad_rows=[r["forced"] or r.get("status") == "failed" for r in rows],
        ),
        "details": [
            (f"{r.get('phase')} · run {r.get('run_id')} · {r.get('status')}", r.get("detail"))
            for r in reversed(rows)
        ],
    }


def budget_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    data = report["budget"]
    extract, runs = data["extract"], data["load_runs"]
    return {
        "chart": budget_bars(extract, "Bizstim requests per key label") if extract else None,
        "extract": table(
            ["cycle", "key", "requests", "limit per window", "window (s)", "share of a window"],
            [
                [r["cycle"], r["key_label"], r["requests"], r["rate_limit"], r["rate_window"],
                 None if r["share_of_one_window"] is None else f"{r['share_of_one_window']:.1%}"]
                for r in extract
            ],
            numeric=[2, 3, 4, 5],
        ) if extract else None,
        "load_runs": table(
            ["run", "command", "status", "generation", "started", "seconds", "records by action",
             "requests"],
            [
                [r["run_id"], r.get("command"), r.get("status"), r.get("generation"),
                 r.get("started_at"), r.get("seconds"), r["records_by_action"] or None,
                 r.get("requests")]
                for r in runs
            ],
            numeric=[5],
            bad_rows=[r.get("status") == "failed" for r in runs],
        ) if runs else None,
        "load_requests_recorded": data["load_requests_recorded"],
    }  # fmt: skip


def _quarantine_part(rows: list[dict[str, Any]], groups: list[dict[str, Any]], noted: bool) -> dict:
    examples: dict[tuple[str, str, str], str] = {}
    records: dict[tuple[str, str, str], set[str]] = {}
    for row in rows:
        key = (row["stage"], str(row["object"]), str(row["rule"]))
        examples.setdefault(key, row["reason"])
        records.setdefault(key, set()).add(str(row["record"]))
    shown = rows[:HTML_ROW_CAP]
    if noted:
        grouped = table(
            ["object", "rule", "values", "records", "example"],
            [
                [g["object"], g["rule"], g["rows"],
                 len(records.get((g["stage"], g["object"], g["rule"]), ())),
                 examples.get((g["stage"], g["object"], g["rule"]))]
                for g in groups
            ],
            numeric=[2, 3],
        )  # fmt: skip
        listing = table(
            ["object", "source table", "record", "rule", "note"],
            [[r["object"], r["source_table"], r["record"], r["rule"], r["reason"]] for r in shown],
        )
    else:
        grouped = table(
            ["stage", "object", "rule", "impact", "rows", "example"],
            [
                [g["stage"], g["object"], g["rule"], g["impact"], g["rows"],
                 examples.get((g["stage"], g["object"], g["rule"]))]
                for g in groups
            ],
            numeric=[4],
            bad_rows=[g["stage"] == "load" for g in groups],
        )  # fmt: skip
        listing = table(
            ["stage", "object", "source table", "record", "rule", "reason"],
            [
                [r["stage"], r["object"], r["source_table"], r["record"], r["rule"], r["reason"]]
                for r in shown
            ],
            bad_rows=[r["stage"] == "load" for r in shown],
        )  # fmt: skip
    return {
        "grouped": grouped,
        "listing": listing,
        "rows": len(rows),
        "capped": len(rows) > HTML_ROW_CAP,
        "id": "noted-rows" if noted else "quarantine-rows",
        "what": "notes" if noted else "records not migrated",
    }


def quarantine_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    data = report["quarantine"]
    if not data["rows"]:
        return {"any": False}
    noted = [r for r in data["rows"] if r["impact"] == "value_kept_raw"]
    kept_out = [r for r in data["rows"] if r["impact"] != "value_kept_raw"]
    noted_groups = [g for g in data["by_reason"] if g["impact"] == "value_kept_raw"]
    out_groups = [g for g in data["by_reason"] if g["impact"] != "value_kept_raw"]
    migrated_objects = {o["object"] for o in report["objects"]["objects"]}
    elsewhere = Counter(str(r["object"]) for r in kept_out if r["object"] not in migrated_objects)
    return {
        "any": True,
        "row_cap": HTML_ROW_CAP,
        "kept_out": len(kept_out),
        "elsewhere": ", ".join(f"{n} of {obj}" for obj, n in elsewhere.items()),
        "out_part": _quarantine_part(kept_out, out_groups, False) if kept_out else None,
        "noted": len(noted),
        "noted_records": len({(r["object"], r["record"]) for r in noted}),
        "noted_part": _quarantine_part(noted, noted_groups, True) if noted else None,
    }


def reconciliation_view(report: dict[str, Any], dest: str) -> dict[str, Any]:
    data = report["reconciliation"]
    if not data["available"]:
        return {"available": False}
    objects = data.get("objects", [])
    spots = data.get("spot_checks", [])
    differing = [s for s in spots if s.get("differences")]
    per_object: dict[str, list[int]] = {}
    for spot in spots:
        counts = per_object.setdefault(spot["object"], [0, 0])
        counts[0] += 1
        counts[1] += bool(spot.get("differences"))
    return {
        "available": True,
        "verdict": Badge("OK", "ok") if data.get("ok") else Badge("MISMATCH", "bad"),
        "path": str(data["path"]),
        "checks": table(
            ["object", "source rows", "mart rows", "quarantined (dbt)", "quarantined (load)",
             "ledger live", f"in {dest}", f"missing in {dest}", "relation mismatches", "ok"],
            [
                [o["object"], o["source_rows"], o["mart_rows"], o["dbt_quarantined"],
                 o["load_quarantined"], o["ledger_live"], o["in_twenty"],
                 len(o.get("missing_in_twenty", [])), len(o.get("relation_mismatches", [])),
                 Badge("ok", "ok") if o.get("ok") else Badge("no", "bad")]
                for o in objects
            ],
            numeric=range(1, 9),
            bad_rows=[not o.get("ok") for o in objects],
        ),
        "spots": len(spots),
        "differing": len(differing),
        "summary": table(
            ["object", "records checked", "with differences"],
            [[obj, checked, bad] for obj, (checked, bad) in per_object.items()],
            numeric=[1, 2],
            bad_rows=[bad > 0 for _, bad in per_object.values()],
        ),
        "differences": table(
            ["object", "record", "differences"],
            [[s["object"], s["external_id"], s["differences"]] for s in differing],
            bad_rows=[True] * len(differing),
        ) if differing else None,
        "every": table(
            ["object", "record", "result"],
            [[s["object"], s["external_id"], s["differences"] or "identical"] for s in spots],
            bad_rows=[bool(s.get("differences")) for s in spots],
        ),
    }  # fmt: skip
