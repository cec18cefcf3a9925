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
import shutil
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from common.exits import ExitCode
from common.settings import bizstim_keys, duckdb_path, twenty_key
from load.cli import To, check_destination
from load.core.build_state import read_build_state
from report.data import (
    lineage,
    phase_log,
    quarantine,
    request_budget,
    unmatched_users,
)
from report.db import open_report_db
from report.html import display_name, render_html
from report.inventory import automation_inventory, not_migrated_inventory
from report.markdown import render_markdown
from report.objects import object_summary, reconciliation_rows
from report.source import owner_matching_skipped, source_api, source_follow_up

REDACTED = "[redacted]"
LINEAGE_PAGE = "lineage.html"
VALUE_KEPT_RAW = "value_kept_raw"


def read_reconciliation(path: Path | None) -> dict[str, Any]:
    """Section 5: `bizmig reconcile`'s JSON, or a marker that there is none yet."""
    if path is None or not path.is_file():
        return {"available": False, "path": str(path) if path else None}
    data = json.loads(path.read_text())
    return {"available": True, "path": str(path), **data}


def docs_link(dbt_docs: Path | None, out_dir: Path) -> str | None:
    """The lineage page beside the report: dbt's self-contained docs (``dbt docs generate
    --static``: ``static_index.html``, manifest and catalog inlined) copied as ``lineage.html``.
    dbt's ``index.html`` fetches its JSON and shows an empty page when opened from disk, and a
    link out of the report folder breaks as soon as the folder is sent to someone."""
    page = out_dir / LINEAGE_PAGE
    folder = None if dbt_docs is None else (dbt_docs if dbt_docs.is_dir() else dbt_docs.parent)
    static = None if folder is None else folder / "static_index.html"
    if static is None or not static.is_file():
        page.unlink(missing_ok=True)  # never link an older build's lineage
        return None
    shutil.copyfile(static, page)
    return LINEAGE_PAGE


def overall_result(report: dict[str, Any], dest: str = "Twenty") -> dict[str, Any]:
    """OK only when the load is reconciled and nothing was forced, failed or refused (`dest`:
    the destination's display name, for the wording)."""
    problems: list[str] = []
    build = report["build"]
    if not build["ok"]:
        problems.append(build["line"])
    for run in report["budget"]["load_runs"]:
        options = run.get("options") or {}
        if options.get("forced_past_build"):
            line = (options.get("build") or {}).get("line", "")
            problems.append(f"load run {run['run_id']} went past its build with --force: {line}")
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
        problems.append(f"nothing loaded into {dest} yet (no ledger)")
    for row in report["phases"]["forced"]:
        problems.append(f"gate of phase {row['phase']} was forced (run {row['run_id']})")
    latest = report["phases"]["latest_run"]
    for row in report["phases"].get("failed", []):
        if row["run_id"] == latest:
            problems.append(f"phase {row['phase']} failed (run {row['run_id']})")
    refused = sum(o["load_quarantined"] for o in report["objects"]["objects"])
    if refused:
        problems.append(f"{dest} refused {refused} record(s) at load time")
    follow_ups: list[str] = []
    rows = report["quarantine"]["rows"]
    not_migrated = sum(o["dbt_quarantined"] for o in report["objects"]["objects"])
    if not_migrated:
        follow_ups.append(
            f"review {not_migrated} record(s) not migrated (quarantined; fix in Bizstim and rerun)"
        )
    noted = [r for r in rows if r["impact"] == VALUE_KEPT_RAW]
    if noted:
        records = len({(r["object"], r["record"]) for r in noted})
        follow_ups.append(
            f"check {len(noted)} value(s) kept as typed on {records} migrated record(s)"
        )
    source = source_follow_up(report["source"])
    if source:
        follow_ups.append(source)
    unmatched = len(report["owners"]["unmatched"])
    if unmatched:
        follow_ups.append(f"invite {unmatched} Bizstim user(s) to the {dest} workspace")
    follow_ups.append("export attachments by hand (see the checklist)")
    follow_ups.append(f"rebuild {len(report['automation'])} automations as {dest} workflows")
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
    duckdb_file: Path,
    reconciliation_json: Path | None,
    dbt_docs: Path | None,
    out_dir: Path,
    destination: str = "twenty",
) -> dict[str, Any]:
    dest = display_name(destination)
    with open_report_db(duckdb_file) as db:
        recon_rows = reconciliation_rows(db, destination)
        report: dict[str, Any] = {
            "title": f"Bizstim → {dest} migration report",
            "destination": destination,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "duckdb": str(duckdb_file),
            "build": read_build_state(db.con).as_json(),
            "objects": object_summary(db, destination),
            "phases": phase_log(db),
            "budget": request_budget(db),
            "quarantine": quarantine(db, destination),
            "source": source_api(db),
            "owners": unmatched_users(db, destination),
            "not_migrated": not_migrated_inventory(db, recon_rows),
            "automation": automation_inventory(db),
            "lineage": {"dbt_docs": docs_link(dbt_docs, out_dir), "rows": lineage(db)},
        }
    report["owners"]["skipped"] = owner_matching_skipped(report["source"])
    report["reconciliation"] = read_reconciliation(reconciliation_json)
    report["overall"] = overall_result(report, dest)
    return report


def build_report(
    duckdb_path: Path,
    out_dir: Path,
    reconciliation_json: Path | None = None,
    dbt_docs: Path | None = None,
    secrets: Iterable[str] | None = None,
    destination: str = "twenty",
) -> Path:
    """Write index.html, report.md and report.json into out_dir; return index.html's path.

    `secrets`: strings that must never appear in the output (default: the configured
    Bizstim and Twenty API keys). `destination`: the ``--to`` name the report speaks of
    (its title and wording; the same templates for every destination)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    masked = [s for s in (configured_secrets() if secrets is None else secrets) if len(s) >= 4]
    collected = collect(duckdb_path, reconciliation_json, dbt_docs, out_dir, destination)
    report = redact(collected, masked)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (out_dir / "report.md").write_text(render_markdown(report))
    index = out_dir / "index.html"
    index.write_text(render_html(report, destination))
    return index


def report_command(
    to: To = "twenty",
    duckdb: Annotated[str | None, typer.Option("--duckdb", help="Staging DuckDB file.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Directory to write the report to.")] = Path(
        "migration-report"
    ),
    reconciliation: Annotated[
        Path | None,
        typer.Option(help="reconciliation.json from `bizmig reconcile` (default: in --out)."),
    ] = None,
    dbt_docs: Annotated[
        Path,
        typer.Option(help="dbt target directory holding `dbt docs generate --static` output."),
    ] = Path("target"),
) -> None:
    """Write the migration report (index.html, report.md, report.json). Exit 12 when the marts
    are not built or their last build failed / is partial / stale: the report is written all
    the same (it says so), but a script must not take it for a migration's result."""
    check_destination(to)
    source = duckdb_path(duckdb)
    if not source.is_file():
        typer.echo(f"staging DuckDB file not found: {source}", err=True)
        raise typer.Exit(ExitCode.CONFIG)
    recon = reconciliation or out / "reconciliation.json"
    index = build_report(source, out, recon, dbt_docs, destination=to)
    typer.echo(f"report written: {index}")
    build = json.loads((index.parent / "report.json").read_text())["build"]
    if not build["ok"]:
        typer.echo(f"report of an unusable build: {build['line']}", err=True)
        raise typer.Exit(ExitCode.NOT_BUILT)
