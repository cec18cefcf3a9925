"""`bizmig report`: the migration report people look at (HTML, Markdown and JSON).

``build_report`` reads the staging DuckDB file (dbt's migration models, the loader's ledger,
the orchestration's phase log and request budget, the raw Bizstim tables) and the
``reconciliation.json`` that ``bizmig reconcile`` wrote, and writes ``index.html`` (one
self-contained page: inline CSS and SVG, no scripts), ``report.md`` and ``report.json`` (the
full data, every quarantine row included). API keys never appear: the tables hold key labels
only, and as a second line of defence every configured key is masked in whatever the report
would print.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bizmig.report_data import (
    lineage,
    object_summary,
    phase_log,
    quarantine,
    reconciliation_rows,
    request_budget,
    unmatched_users,
)
from bizmig.report_db import open_report_db
from bizmig.report_html import render_html
from bizmig.report_inventory import automation_inventory, not_migrated_inventory
from bizmig.report_md import render_markdown
from bizmig.settings import bizstim_keys, duckdb_path, twenty_key

REDACTED = "[redacted]"


def read_reconciliation(path: Path | None) -> dict[str, Any]:
    """Section 5: `bizmig reconcile`'s JSON, or a marker that there is none yet."""
    if path is None or not path.is_file():
        return {"available": False, "path": str(path) if path else None}
    data = json.loads(path.read_text())
    return {"available": True, "path": str(path), **data}


def docs_link(dbt_docs: Path | None, out_dir: Path) -> str | None:
    """Relative link from the report to dbt's generated docs, when they exist."""
    if dbt_docs is None:
        return None
    index = dbt_docs / "index.html" if dbt_docs.is_dir() else dbt_docs
    if not index.is_file():
        return None
    return Path(os.path.relpath(index.resolve(), out_dir.resolve())).as_posix()


def overall_result(report: dict[str, Any]) -> dict[str, Any]:
    """OK only when the load is reconciled and nothing was forced, failed or refused."""
    problems: list[str] = []
    recon = report["reconciliation"]
    if not recon["available"]:
        problems.append("not reconciled yet: run `bizmig reconcile`")
    elif not recon.get("ok"):
        bad = [o["object"] for o in recon.get("objects", []) if not o.get("ok")]
        spots = [s for s in recon.get("spot_checks", []) if s.get("differences")]
        problems.append(
            f"reconciliation mismatch: {', '.join(bad) or 'no object'}; "
            f"{len(spots)} spot check(s) with differences"
        )
    if not report["objects"]["loaded_available"]:
        problems.append("nothing loaded into Twenty yet (no ledger)")
    for row in report["phases"]["forced"]:
        problems.append(f"gate of phase {row['phase']} was forced (run {row['run_id']})")
    latest = report["phases"]["latest_run"]
    for row in report["phases"].get("failed", []):
        if row["run_id"] == latest:
            problems.append(f"phase {row['phase']} failed (run {row['run_id']})")
    refused = sum(o["load_quarantined"] for o in report["objects"]["objects"])
    if refused:
        problems.append(f"Twenty refused {refused} record(s) at load time")
    follow_ups: list[str] = []
    dbt_rows = sum(1 for r in report["quarantine"]["rows"] if r["stage"] == "dbt")
    if dbt_rows:
        follow_ups.append(f"review {dbt_rows} quarantine row(s) (fix in Bizstim and rerun)")
    unmatched = len(report["owners"]["unmatched"])
    if unmatched:
        follow_ups.append(f"invite {unmatched} Bizstim user(s) to the Twenty workspace")
    follow_ups.append("export attachments by hand (see the checklist)")
    follow_ups.append(f"rebuild {len(report['automation'])} automations as Twenty workflows")
    return {
        "ok": not problems,
        "label": "OK" if not problems else "needs attention",
        "problems": problems,
        "follow_ups": follow_ups,
    }


def configured_secrets() -> list[str]:
    """The API keys this machine is configured with (to mask them, never to print them)."""
    secrets = bizstim_keys()  # the keys alone: a wrong URL must not unmask them
    key = twenty_key()
    return [*secrets, key] if key else secrets


def redact(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {redact(k, secrets): redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, secrets) for v in value]
    return value


def collect(
    duckdb_file: Path, reconciliation_json: Path | None, dbt_docs: Path | None, out_dir: Path
) -> dict[str, Any]:
    with open_report_db(duckdb_file) as db:
        recon_rows = reconciliation_rows(db)
        report: dict[str, Any] = {
            "title": "Bizstim → Twenty migration report",
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "duckdb": str(duckdb_file),
            "objects": object_summary(db),
            "phases": phase_log(db),
            "budget": request_budget(db),
            "quarantine": quarantine(db),
            "owners": unmatched_users(db),
            "not_migrated": not_migrated_inventory(db, recon_rows),
            "automation": automation_inventory(db),
            "lineage": {"dbt_docs": docs_link(dbt_docs, out_dir), "rows": lineage(db)},
        }
    report["reconciliation"] = read_reconciliation(reconciliation_json)
    report["overall"] = overall_result(report)
    return report


def build_report(
    duckdb_path: Path,
    out_dir: Path,
    reconciliation_json: Path | None = None,
    dbt_docs: Path | None = None,
    secrets: Iterable[str] | None = None,
) -> Path:
    """Write index.html, report.md and report.json into out_dir; return index.html's path.

    `secrets`: strings that must never appear in the output (default: the configured
    Bizstim and Twenty API keys)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    masked = [s for s in (configured_secrets() if secrets is None else secrets) if len(s) >= 4]
    report = redact(collect(duckdb_path, reconciliation_json, dbt_docs, out_dir), masked)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (out_dir / "report.md").write_text(render_markdown(report))
    index = out_dir / "index.html"
    index.write_text(render_html(report))
    return index


def report_command(
    duckdb: Annotated[str | None, typer.Option("--duckdb", help="Staging DuckDB file.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Directory to write the report to.")] = Path(
        "migration-report"
    ),
    reconciliation: Annotated[
        Path | None,
        typer.Option(help="reconciliation.json from `bizmig reconcile` (default: in --out)."),
    ] = None,
    dbt_docs: Annotated[
        Path, typer.Option(help="dbt target directory holding `dbt docs generate` output.")
    ] = Path("target"),
) -> None:
    """Write the migration report (index.html, report.md, report.json)."""
    source = duckdb_path(duckdb)
    if not source.is_file():
        typer.echo(f"staging DuckDB file not found: {source}", err=True)
        raise typer.Exit(2)
    index = build_report(source, out, reconciliation or out / "reconciliation.json", dbt_docs)
    typer.echo(f"report written: {index}")
