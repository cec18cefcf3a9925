"""What the migration report says, read from the staging DuckDB file (sections 2-4, 6, 9;
section 1 is ``report_objects``).

Sources: dbt's ``migration.migration__reconciliation`` / ``__quarantine`` / ``__lineage`` /
``__owner_lookup``, the loader's ledger (``migration.ledger_current``, ``load_runs``,
``owner_matches``) and the orchestration's ``migration.phase_log`` and
``migration.extract_budget``. A missing table yields an empty section with ``available: false``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from load.destinations import KNOWN
from report.db import ReportDb, parse_json_column

MIGRATION = "migration"
OWNER_LOOKUP_OBJECT = "workspaceMember (owner lookup)"
LOAD_REJECTION_PREFIX = "rejected_by_"  # + the destination: rejected_by_twenty


def _int(value: Any) -> int:
    return int(value or 0)


def phase_log(db: ReportDb) -> dict[str, Any]:
    """Section 2: every phase of every run, the latest run first in `runs`."""
    if not db.has(MIGRATION, "phase_log"):
        return {"available": False, "rows": [], "latest_run": None, "forced": []}
    cols = set(db.columns(MIGRATION, "phase_log"))
    seconds = (
        "epoch(finished_at) - epoch(started_at)"
        if {"started_at", "finished_at"} <= cols
        else "null"
    )
    order = "started_at nulls last" if "started_at" in cols else "run_id"
    rows = db.rows(f"select *, {seconds} as seconds from {MIGRATION}.phase_log order by {order}")
    for row in rows:
        row["detail"] = parse_json_column(row.get("detail"))
        row["forced"] = bool(row.get("forced"))
    latest = rows[-1]["run_id"] if rows else None
    return {
        "available": True,
        "rows": rows,
        "latest_run": latest,
        "forced": [r for r in rows if r["forced"]],
        "failed": [r for r in rows if r.get("status") == "failed"],
    }


def request_budget(db: ReportDb) -> dict[str, Any]:
    """Section 3: Bizstim GETs per key label and cycle; Twenty work per load run."""
    extract: list[dict[str, Any]] = []
    if db.has(MIGRATION, "extract_budget"):
        extract = db.rows(
            f"select cycle, key_label, requests, rate_limit, rate_window, recorded_at "
            f"from {MIGRATION}.extract_budget order by cycle, key_label, recorded_at"
        )
        for row in extract:
            limit = _int(row.get("rate_limit"))
            row["share_of_one_window"] = round(_int(row["requests"]) / limit, 4) if limit else None
    runs: list[dict[str, Any]] = []
    if db.has(MIGRATION, "load_runs"):
        runs = db.rows(f"select * from {MIGRATION}.load_runs order by started_at")
        writes: dict[str, Counter[str]] = defaultdict(Counter)
        if db.has(MIGRATION, "ledger"):
            for row in db.rows(
                f"select run_id, action, count(*) as n from {MIGRATION}.ledger "
                "where state = 'committed' group by all"
            ):
                writes[str(row["run_id"])][str(row["action"])] += _int(row["n"])
        for run in runs:
            run["options"] = parse_json_column(run.get("options"))
            run["records_by_action"] = dict(sorted(writes.get(str(run["run_id"]), {}).items()))
            run["seconds"] = _duration(run.get("started_at"), run.get("finished_at"))
    return {
        "extract_available": db.has(MIGRATION, "extract_budget"),
        "extract": extract,
        "load_runs_available": db.has(MIGRATION, "load_runs"),
        "load_runs": runs,
        "load_requests_recorded": any("requests" in run for run in runs),
    }


def _duration(started: Any, finished: Any) -> float | None:
    if not (isinstance(started, str) and isinstance(finished, str)):
        return None
    delta = datetime.fromisoformat(finished) - datetime.fromisoformat(started)
    return round(delta.total_seconds(), 3)


def quarantine(db: ReportDb, destination: str = "twenty") -> dict[str, Any]:
    """Section 4: dbt's rejected rows and raw-kept values for the destination, plus the
    records it refused."""
    rows: list[dict[str, Any]] = []
    if db.has(MIGRATION, "migration__quarantine"):
        mine, params = db.of_destination(MIGRATION, "migration__quarantine", destination)
        for row in db.rows(
            f"select * from {MIGRATION}.migration__quarantine where {mine} "
            "order by object_name, rule, try_cast(source_id as bigint), source_id",
            params,
        ):
            rows.append(
                {
                    "stage": "dbt",
                    "object": row.get("object_name"),
                    "source_table": row.get("source_table"),
                    "record": row.get("source_id"),
                    "rule": row.get("rule"),
                    "impact": row.get("impact"),
                    "reason": row.get("reason"),
                }
            )
    if db.has(MIGRATION, "ledger_current"):
        mine, params = db.of_destination(MIGRATION, "ledger_current", destination)
        refused_by = KNOWN[destination].display_name if destination in KNOWN else destination
        for row in db.rows(
            f"select object, external_id, message from {MIGRATION}.ledger_current "
            f"where action = 'quarantined' and {mine} order by object, external_id",
            params,
        ):
            rows.append(
                {
                    "stage": "load",
                    "object": row["object"],
                    "source_table": None,
                    "record": row["external_id"],
                    "rule": f"{LOAD_REJECTION_PREFIX}{destination}",
                    "impact": "record_not_migrated",
                    "reason": row.get("message") or f"{refused_by} refused the record (no message)",
                }
            )
    groups: Counter[tuple[str, str, str, str]] = Counter(
        (r["stage"], str(r["object"]), str(r["rule"]), str(r["impact"])) for r in rows
    )
    by_reason = [
        {"stage": stage, "object": obj, "rule": rule, "impact": impact, "rows": n}
        for (stage, obj, rule, impact), n in sorted(groups.items(), key=lambda kv: -kv[1])
    ]
    return {"rows": rows, "by_reason": by_reason, "total": len(rows)}


def unmatched_users(db: ReportDb, destination: str = "twenty") -> dict[str, Any]:
    """Section 6: Bizstim logins without a user in the destination (its latest matching run)."""
    no_email = []
    if db.has(MIGRATION, "migration__quarantine"):
        no_email = db.rows(
            f"select source_id, rule, reason from {MIGRATION}.migration__quarantine "
            "where object_name = ? order by try_cast(source_id as bigint)",
            [OWNER_LOOKUP_OBJECT],
        )
    run_id = None
    if db.has(MIGRATION, "owner_matches"):
        user_id = _owner_user_column(db)
        mine, params = db.of_destination(MIGRATION, "owner_matches", destination)
        run_id = db.scalar(
            f"select max(run_id) from {MIGRATION}.owner_matches where {mine}", params
        )
    if run_id is not None:
        rows = db.rows(
            f"select external_id, email, name, role, {user_id} as destination_user_id "
            f"from {MIGRATION}.owner_matches where run_id = ? order by external_id",
            [run_id],
        )
        return {
            "source": "owner_matches",
            "run_id": run_id,
            "matched": sum(1 for r in rows if r["destination_user_id"]),
            "unmatched": [r for r in rows if not r["destination_user_id"]],
            "without_email": no_email,
        }
    if db.has(MIGRATION, "migration__owner_lookup"):
        rows = db.rows(
            f"select external_id, email, trim(coalesce(first_name, '') || ' ' || "
            f"coalesce(last_name, '')) as name, role from {MIGRATION}.migration__owner_lookup "
            "order by external_id"
        )
        return {
            "source": "migration__owner_lookup",
            "run_id": None,
            "matched": 0,
            "unmatched": rows,
            "without_email": no_email,
        }
    return {
        "source": None,
        "run_id": None,
        "matched": 0,
        "unmatched": [],
        "without_email": no_email,
    }


def _owner_user_column(db: ReportDb) -> str:
    """The matched user's id column: ``workspace_member_id`` in files from before the table
    served every destination (a read-only report does not migrate them)."""
    columns = db.columns(MIGRATION, "owner_matches")
    return "destination_user_id" if "destination_user_id" in columns else "workspace_member_id"


def lineage(db: ReportDb) -> list[dict[str, Any]]:
    """Section 9: mart column → source columns and deriving model."""
    if not db.has(MIGRATION, "migration__lineage"):
        return []
    return db.rows(
        f"select twenty_object, mart_model, mart_column, data_type, source_columns, "
        f"derived_in_model, is_bookkeeping from {MIGRATION}.migration__lineage "
        "order by mart_model, is_bookkeeping, mart_column"
    )
