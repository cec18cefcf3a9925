"""`bizmig migrate`: the whole migration from the configured Bizstim into the ``--to`` destination.

Phases scope → extract → transform (``dbt build``) → load → reconcile, each followed by a gate
(see :mod:`bizmig.phases`), then the report. ``--sample`` / ``--sample-clients`` run a pilot
(dbt vars ``sample_pct`` / ``sample_clients``: the SQL decides what belongs to the sample).
Rerunning after a stop resumes; rerunning after a finished run (``--restart`` implied) is the
delta cutover: a new extraction cycle, a build, and a load that sends only changed rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from bizmig.failures import report as report_failure
from bizmig.mapping_seed import upgrade_seed_headers
from bizmig.phases import (
    PROJECT_DIR,
    PhaseLog,
    PhaseOutcome,
    dbt_build,
    dbt_docs,
    run_phases,
)
from common.addresses import Unreachable, check_reachable
from common.exits import ExitCode
from common.settings import (
    BizstimSettings,
    ConfigError,
    bizstim_settings,
    dbt_project_dir,
    duckdb_path,
    positive,
)
from ingest.cli import console, extract_with_progress, out, print_scope
from ingest.pipeline import ExtractOptions, extraction_gaps
from ingest.scope import run_scope
from load.cli import To, check_destination, load_progress, print_load
from load.core.build_state import build_state, require_build
from load.core.loader import Loader
from load.core.reconcile import reconcile, write_reports
from load.core.run import LoadOptions, perform_load
from load.destinations import (
    KNOWN,
    destination_url,
    marts_of,
    open_destination,
    preflight,
    settings_for,
)
from report.command import build_report


@dataclass
class MigrationConfig:
    bizstim: BizstimSettings
    target: Any  # the destination's settings (TwentySettings, SalesforceSettings, ...)
    duckdb: Path
    report_dir: Path
    project_dir: Path = PROJECT_DIR
    target_rate: tuple[int, float] = (100, 60.0)  # the destination client's pacing
    dbt_vars: dict[str, Any] = field(default_factory=dict)
    archive_missing: bool = False
    allow_unmatched_owners: bool = False
    force: bool = False
    restart: bool = False
    # run before `dbt build`, after the extraction (the demo records its mapping decisions here)
    before_build: Callable[[], None] | None = None
    destination: str = "twenty"  # what `--to` named (load/destinations.py)


def sample_vars(sample: str | None, sample_clients: int | None) -> dict[str, Any]:
    """The pilot's dbt vars, checked before anything is asked of Bizstim (``--sample abc`` was a
    traceback; ``--sample-clients 0`` silently a full migration; ``-3`` spent the scope and
    extraction budget before the gate refused it)."""
    if sample is not None and sample_clients is not None:
        raise ConfigError("give either --sample or --sample-clients, not both")
    if sample is not None:
        try:
            value = float(sample.strip().rstrip("%"))
        except ValueError:
            value = float("nan")
        if not 0 < value <= 100:  # also false for NaN
            raise ConfigError(
                f"--sample takes a percentage above 0 and at most 100, e.g. 10%; got {sample!r}"
            )
        return {"sample_pct": value}
    if sample_clients is not None:
        if sample_clients < 1:
            raise ConfigError(
                f"--sample-clients takes a number of clients, 1 or more; got {sample_clients} "
                "(leave it out for a full migration)"
            )
        return {"sample_clients": int(sample_clients)}
    return {}


def phase_inputs(config: MigrationConfig) -> dict[str, dict[str, Any]]:
    """Per phase, the options that decide what it produces (bizmig.phases: a finished phase
    whose inputs changed is redone, a changed Bizstim account refused). Twenty's address
    keeps the key runs recorded before other destinations existed."""
    url_key = "twenty_api_url" if config.destination == "twenty" else "destination_url"
    return {
        "scope": {"bizstim_base_url": config.bizstim.base_url},
        "extract": {"bizstim_base_url": config.bizstim.base_url},
        "transform": {"dbt_vars": config.dbt_vars, "project_dir": str(config.project_dir)},
        "load": {
            url_key: destination_url(config.destination, config.target),
            "archive_missing": config.archive_missing,
        },
        "reconcile": {url_key: destination_url(config.destination, config.target)},
    }


def check_addresses(config: MigrationConfig) -> None:
    """Both addresses before the first request: a wrong URL or a destination key that is
    refused ends the run before any Bizstim budget is spent (Twenty: one GET of its metadata;
    Salesforce: the OAuth login)."""
    check_reachable("BIZSTIM_BASE_URL", config.bizstim.base_url)
    preflight(config.destination, config.target, *config.target_rate)


def run_migration(config: MigrationConfig) -> dict[str, PhaseOutcome]:
    check_addresses(config)
    log = PhaseLog(config.duckdb)
    run_id = log.open_run(config.restart)
    extract_options = ExtractOptions(config.duckdb)
    console.print(f"migration run [bold]{run_id}[/] → staging file {config.duckdb}")

    def scope() -> PhaseOutcome:
        report = run_scope(config.bizstim, extract_options.work_dir, duckdb_path=config.duckdb)
        print_scope(report)
        return PhaseOutcome(report.as_json())

    def extract() -> PhaseOutcome:
        result = extract_with_progress(config.bizstim, extract_options)
        detail = {
            "cycle": result.cycle,
            "rows": result.rows,
            "requests_per_key": result.requests_per_key,
            "misses": result.misses,
        }
        return PhaseOutcome(detail, extraction_gaps(extract_options))

    def transform() -> PhaseOutcome:
        if config.before_build is not None:
            config.before_build()
        for renamed in upgrade_seed_headers(config.project_dir / "seeds"):
            console.print(renamed, soft_wrap=True)
        columns = (
            TextColumn("{task.description:>14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("dbt build", total=None)
            code, tail = dbt_build(
                config.duckdb,
                config.project_dir,
                config.dbt_vars,
                lambda done, total: progress.update(task, completed=done, total=total),
            )
        state = build_state(config.duckdb)
        problems = [] if state.ok else [state.line()]
        if code and state.ok:  # dbt stopped before its on-run-start hook (a parse error)
            problems = [f"dbt build exited {code}: {tail.splitlines()[-1] if tail else ''}"]
        if not problems:
            problems += _reconciliation_problems(config.duckdb)
        detail = {"dbt_vars": config.dbt_vars, "exit_code": code, "build": state.summary()}
        if code:
            detail["dbt_output_tail"] = tail
        return PhaseOutcome(detail, problems)

    def load() -> PhaseOutcome:
        # the build may have changed since transform (a `dbt build` by hand between attempts)
        state = require_build(
            config.duckdb, config.force, "--force loads it anyway", marts_of(config.destination)
        )
        session = open_destination(
            config.destination, config.target, config.duckdb, *config.target_rate
        )
        try:
            options = LoadOptions(
                archive_missing=config.archive_missing,
                allow_unmatched_owners=config.allow_unmatched_owners,
                build=state,
            )
            with load_progress() as progress:
                outcome = perform_load(session, options, progress)
            print_load(outcome, session, dry_run=False)
            return PhaseOutcome(outcome.as_json(session), outcome.unaccounted())
        finally:
            session.close()

    def check() -> PhaseOutcome:
        session = open_destination(
            config.destination, config.target, config.duckdb, *config.target_rate
        )
        try:
            loader = Loader(session, session.ledger, "-")
            result = reconcile(loader, list(session.specs))
        finally:
            session.close()
        write_reports(result, config.report_dir)
        console.print(result.markdown(), markup=False)
        problems = [
            f"{o.object}: ledger {o.ledger_live}, in {session.display_name} {o.in_twenty}, "
            f"mart {o.mart_rows}"
            + (f", {o.in_bin} deleted there since (in its {session.bin_name})" if o.in_bin else "")
            for o in result.objects
            if not o.ok
        ]
        problems += [
            f"spot check {s.object} {s.external_id}: {s.differences[0]}"
            for s in result.spot_checks
            if s.differences
        ]
        return PhaseOutcome(result.as_json(), problems)

    steps = {
        "scope": scope,
        "extract": extract,
        "transform": transform,
        "load": load,
        "reconcile": check,
    }
    report = True
    try:
        return run_phases(log, run_id, steps, config.force, console.print, phase_inputs(config))
    except (KeyboardInterrupt, ConfigError, Unreachable):
        # Ctrl-C: stop now, the rerun writes the report (dbt docs take seconds); a wrong
        # setting or address: nothing happened that a report would add to the last one
        report = False
        raise
    finally:
        if report:
            write_report(config)


def _reconciliation_problems(path: Path) -> list[str]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select object_name, source_table, source_rows, mapped, quarantined, excluded "
            "from migration.migration__reconciliation where not adds_up"
        ).fetchall()
    return [
        f"{o}/{t}: {s} source rows ≠ {m} mapped + {q} quarantined + {e} excluded"
        for o, t, s, m, q, e in rows
    ]


def write_report(config: MigrationConfig) -> Path:
    """The HTML/Markdown/JSON report of whatever the run got to (also after a failure)."""
    docs = dbt_docs(config.duckdb, config.project_dir)
    reconciliation = config.report_dir / "reconciliation.json"
    index = build_report(
        config.duckdb,
        config.report_dir,
        reconciliation if reconciliation.exists() else None,
        dbt_docs=docs,
        destination=config.destination,
    )
    print_final(reconciliation, index)
    return index


def print_final(reconciliation: Path, index: Path) -> None:
    """The per-object summary, why each object's counts differ, and the report's path (stdout).
    It used to read ``person 312 → 156`` and leave the reader to guess."""
    report = json.loads((index.parent / "report.json").read_text())
    recon = json.loads(reconciliation.read_text()) if reconciliation.exists() else None
    checks = {o["object"]: o for o in (recon or {}).get("objects", [])}
    objects = report["objects"]
    if not objects["available"]:
        out.print(f"not built: {report['build']['line']}", soft_wrap=True)
    else:
        title = "Migration " + (
            "not reconciled yet" if recon is None else "OK" if recon["ok"] else "needs attention"
        )
        table = Table(title=title)
        dest = KNOWN[report.get("destination") or "twenty"].display_name
        columns = ("object", "source rows", f"{dest} records", f"in {dest}", "not migrated", "ok")
        for column in columns:
            table.add_column(column, justify="left" if column == "object" else "right")
        for o in objects["objects"]:
            check = checks.get(o["object"])
            table.add_row(
                o["object"],
                str(o["source_rows"]),
                str(o["mart_rows"]),
                "—" if check is None else str(check["in_twenty"]),
                str(o["dbt_quarantined"] + o["load_quarantined"]),
                "—" if check is None else "yes" if check["ok"] else "NO",
            )
        out.print(table)
        out.print("Why the counts differ:")
        for o in objects["objects"]:
            if o["source_rows"] != o["mart_rows"] or o["load_quarantined"] or o["not_loaded"]:
                out.print(f"  {o['object']}: {o['story']}", soft_wrap=True, markup=False)
    out.print(f"report: {index}", soft_wrap=True)  # a path is one line, at any width


def migrate_command(
    to: To = "twenty",
    sample: Annotated[str | None, typer.Option(help="Pilot: a share of clients, e.g. 10%.")] = None,
    sample_clients: Annotated[int | None, typer.Option(help="Pilot: this many clients.")] = None,
    archive_missing: Annotated[
        bool,
        typer.Option(help="Soft-delete destination records whose source rows disappeared."),
    ] = False,
    allow_unmatched_owners: Annotated[
        bool, typer.Option(help="Load despite unmatched users.")
    ] = False,
    force: Annotated[
        bool, typer.Option(help="Go past a failed gate (recorded in the report).")
    ] = False,
    restart: Annotated[bool, typer.Option(help="Start a new run instead of resuming.")] = False,
    duckdb: Annotated[str | None, typer.Option("--duckdb", help="Staging DuckDB file.")] = None,
    report_dir: Annotated[Path, typer.Option("--report", help="Report directory.")] = Path(
        "migration-report"
    ),
    twenty_rate_limit: Annotated[
        int, typer.Option(help="Destination requests per window (Twenty's 100 per 60 s).")
    ] = 100,
    twenty_rate_window: Annotated[
        float, typer.Option(help="Destination pacing window in seconds.")
    ] = 60.0,
    project_dir: Annotated[
        str | None,
        typer.Option(
            help="The dbt project (its seeds hold your mapping decisions); default: "
            "BIZMIG_DBT_PROJECT, else this checkout."
        ),
    ] = None,
) -> None:
    """Run the whole migration with gates between phases; rerun to resume or cut over."""
    check_destination(to)
    try:
        config = MigrationConfig(
            bizstim_settings(),
            settings_for(to, None),
            duckdb_path(duckdb),
            report_dir.resolve(),
            project_dir=dbt_project_dir(project_dir) or PROJECT_DIR,
            target_rate=(
                positive("--twenty-rate-limit", twenty_rate_limit, int),
                positive("--twenty-rate-window", twenty_rate_window, float),
            ),
            dbt_vars=sample_vars(sample, sample_clients),
            archive_missing=archive_missing,
            allow_unmatched_owners=allow_unmatched_owners,
            force=force,
            restart=restart,
            destination=to,
        )
    except ConfigError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(ExitCode.CONFIG) from exc
    raise typer.Exit(execute(config))


def execute(config: MigrationConfig) -> int:
    """Run; map failures to exit codes with one-line explanations (bizmig.failures)."""
    try:
        run_migration(config)
    except (Exception, KeyboardInterrupt) as exc:
        code = report_failure(exc)
        if code is None:
            raise
        return code
    return ExitCode.OK
