"""`bizmig load`, `bizmig reconcile`, `bizmig rollback`, for the destination ``--to`` names.

Exit codes (:mod:`common.exits`): 0 done · 1 failure / reconciliation mismatch ·
2 configuration · 5 unmatched owners (rerun with --allow-unmatched-owners) · 6 unconfirmed
custom-field mappings · 7 schema conflict · 9 / 10 Twenty rejected the key / unreachable ·
12 the marts are not built, or their last build failed / is partial / stale
(``load.core.build_state``; ``--force`` loads or reconciles it anyway, recorded in the ledger) ·
13 ``--to`` names a destination not built in this version.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from common.exits import ExitCode
from common.settings import ConfigError, duckdb_path, positive
from common.terminal import make_console
from load.core.build_state import BuildState, require_build
from load.core.destination import Destination, NotBuilt
from load.core.loader import ACTIONS, Loader, ObjectResult
from load.core.loader import Progress as LoadProgress
from load.core.owners import without_user
from load.core.reconcile import reconcile, write_reports
from load.core.rollback import rollback
from load.core.run import LoadOptions, LoadOutcome, LoadRefused, perform_load
from load.cost_print import print_cost
from load.destinations import (
    NAMES,
    dry_run_cost,
    marts_of,
    open_destination,
    require_built,
    settings_for,
)

console = make_console(stderr=True)
out = make_console()

Url = Annotated[
    str | None, typer.Option("--twenty-url", "--url", help="The destination's base URL.")
]
To = Annotated[
    str, typer.Option("--to", help=f"Destination: {' | '.join(NAMES)}.", show_default=True)
]
DuckdbOpt = Annotated[str | None, typer.Option("--duckdb", help="Staging DuckDB file.")]
RateLimit = Annotated[int, typer.Option(help="Workspace requests per window.")]
RateWindow = Annotated[float, typer.Option(help="Rate-limit window in seconds.")]
AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Go on although the marts' last dbt build failed, is partial or stale "
        "(recorded in the ledger and the report).",
    ),
]


def check_destination(to: str) -> None:
    """``--to`` names a built destination, or one line and exit 13 (2 for a name that is no
    destination at all: a typo)."""
    try:
        require_built(to)
    except NotBuilt as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        code = ExitCode.DESTINATION_NOT_BUILT if to in NAMES else ExitCode.CONFIG
        raise typer.Exit(code) from exc


def _open(
    to: str,
    url: str | None,
    duckdb: str | None,
    rate_limit: int,
    rate_window: float,
    build_check: str | None = None,
    force: bool = False,
) -> tuple[Destination, BuildState | None]:
    """The destination named, settings and options checked, then the marts' build
    (``build_check`` names what --force would do; None = no check), then the destination
    itself; each failure is one line and its exit code."""
    check_destination(to)
    try:
        settings = settings_for(to, url)
        path = duckdb_path(duckdb)
        limit = positive("--rate-limit", rate_limit, int)
        window = positive("--rate-window", rate_window, float)
    except ConfigError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(ExitCode.CONFIG) from exc
    state = None
    if build_check is not None:
        state = require_build(path, force, f"--force {build_check}", marts_of(to))
        if not state.ok:
            console.print(f"[yellow]forced past:[/] {escape(state.line())}", soft_wrap=True)
    try:
        return open_destination(to, settings, path, limit, window), state
    except FileNotFoundError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(ExitCode.CONFIG) from exc


class _RichProgress(LoadProgress):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def start(self, obj: str, total: int) -> None:
        self.tasks[obj] = self.progress.add_task(obj, total=total)

    def advance(self, obj: str, n: int) -> None:
        self.progress.advance(self.tasks[obj], n)


def _summary(results: list[ObjectResult], title: str) -> Table:
    table = Table(title=title)
    table.add_column("object")
    table.add_column("mart rows", justify="right")
    for action in ACTIONS:
        table.add_column(action, justify="right")
    table.add_column("batches", justify="right")
    for r in results:
        table.add_row(
            r.object, str(r.mart_rows), *(str(r.actions.get(a, 0)) for a in ACTIONS), str(r.batches)
        )
    return table


def load_command(
    to: To = "twenty",
    twenty_url: Url = None,
    duckdb: DuckdbOpt = None,
    setup_schema_only: Annotated[
        bool, typer.Option("--setup-schema", help="Only create the custom objects and fields.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Plan only: counts per object, no writes.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    allow_unmatched_owners: Annotated[
        bool, typer.Option(help="Load despite unmatched users.")
    ] = False,
    archive_missing: Annotated[
        bool, typer.Option(help="Soft-delete records whose source rows disappeared.")
    ] = False,
    rate_limit: RateLimit = 100,
    rate_window: RateWindow = 60.0,
    as_json: AsJson = False,
    force: Force = False,
) -> None:
    """Load every mart into the destination, in dependency order, idempotently (ledger in
    DuckDB)."""
    session, state = _open(
        to, twenty_url, duckdb, rate_limit, rate_window, "loads it anyway", force
    )
    options = LoadOptions(
        dry_run, setup_schema_only, allow_unmatched_owners, archive_missing, build=state
    )
    try:
        console.print(session.describe())
        ask = None if (yes or setup_schema_only) else typer.confirm
        try:
            with load_progress() as progress:
                outcome = perform_load(session, options, progress, ask)
        except LoadRefused as exc:
            console.print(f"[bold red]load refused:[/] {escape(str(exc))}")
            raise typer.Exit(exc.exit_code) from exc
        plan = dry_run_cost(session, outcome.results) if dry_run else None
        if as_json:
            body = {"dry_run": dry_run, **outcome.as_json(session)}
            if plan is not None:
                body["load_plan"] = plan.as_json()
            out.print_json(json.dumps(body))
        else:
            print_load(outcome, session, dry_run)
            if plan is not None:
                print_cost(out, plan, f"Load plan for --to {to}")
    finally:
        session.close()


@contextmanager
def load_progress() -> Iterator[_RichProgress]:
    columns = (
        TextColumn("{task.description:>18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        yield _RichProgress(progress)


def print_load(outcome: LoadOutcome, session: Destination, dry_run: bool) -> None:
    if outcome.owners and outcome.owners.skipped:
        out.print(f"[yellow]{escape(outcome.owners.skipped)}")
    if outcome.owners and outcome.owners.unmatched:
        out.print(
            f"[yellow]{without_user(len(outcome.owners.unmatched), session.user_noun)} "
            "(see migration.owner_matches)"
        )
    if outcome.schema:
        out.print(
            f"schema: {len(outcome.schema.created_objects)} objects and "
            f"{len(outcome.schema.created_fields)} fields created, "
            f"{outcome.schema.reused} reused"
        )
    out.print(_summary(outcome.results, f"{'Dry run' if dry_run else 'Load'} {outcome.run_id}"))
    for r in outcome.results:
        for message in r.unexpected:
            out.print(f"[red]{r.object}: {escape(message)}")
        if r.missing:
            verb = "archived" if r.archived else f"still in {session.display_name}"
            more = " …" if len(r.missing) > 10 else ""
            out.print(
                f"{r.object}: {len(r.missing)} record(s) gone from the source, {verb}: "
                f"{escape(', '.join(r.missing[:10]))}{more}"
            )
    stats = session.stats
    out.print(
        f"{stats.total} requests ({stats.writes()} writes), "
        f"{stats.statuses.get(429, 0)} x 429, {stats.retries} retries"
    )


def reconcile_command(
    to: To = "twenty",
    twenty_url: Url = None,
    duckdb: DuckdbOpt = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the reports.")] = Path(
        "migration-report"
    ),
    sample: Annotated[int, typer.Option(help="Records to spot-check field by field.")] = 50,
    rate_limit: RateLimit = 100,
    rate_window: RateWindow = 60.0,
    as_json: AsJson = False,
    force: Force = False,
) -> None:
    """Compare source, marts, ledger and the destination; non-zero exit on any mismatch."""
    if sample < 0:
        console.print(f"[bold red]error:[/] --sample takes 0 or more records; got {sample}")
        raise typer.Exit(ExitCode.CONFIG)
    session, _ = _open(to, twenty_url, duckdb, rate_limit, rate_window, "compares it anyway", force)
    try:
        loader = Loader(session, session.ledger, "-")
        result = reconcile(loader, list(session.specs), sample=sample)
    finally:
        session.close()
    md, js = write_reports(result, out_dir)
    if as_json:
        out.print_json(json.dumps(result.as_json(), default=str))
    else:
        out.print(result.markdown(), markup=False)
        out.print(f"written: {md}, {js}")
    if not result.ok:
        raise typer.Exit(ExitCode.FAILED)


def rollback_command(
    to: To = "twenty",
    twenty_url: Url = None,
    duckdb: DuckdbOpt = None,
    run: Annotated[list[str] | None, typer.Option(help="Only this load run (repeatable).")] = None,
    schema: Annotated[bool, typer.Option(help="Also remove the custom fields/objects.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    forget: Annotated[
        bool,
        typer.Option(
            help="Freshsales: erase created records for good (DELETE .../forget) instead of "
            "sending them to the recycle bin."
        ),
    ] = False,
    rate_limit: RateLimit = 100,
    rate_window: RateWindow = 60.0,
) -> None:
    """Undo loads: destroy what they created, restore what they changed."""
    session, _ = _open(to, twenty_url, duckdb, rate_limit, rate_window)
    specs = session.specs
    if forget:
        if not hasattr(session, "erase"):
            session.close()
            console.print(f"[bold red]error:[/] --forget: {session.display_name} has no erase")
            raise typer.Exit(ExitCode.CONFIG)
        session.erase = True  # type: ignore[attr-defined]
    try:
        target = ", ".join(run) if run else "every load run"
        if not yes and not typer.confirm(f"Roll back {target} in {session.url}?"):
            raise typer.Exit(ExitCode.FAILED)
        run_id = session.ledger.start_run(
            "rollback", session.url, session.generation, {"runs": run or []}
        )
        loader = Loader(session, session.ledger, run_id)
        status = "failed"
        try:
            result = rollback(loader, list(specs), run, schema)
            status = "done"
        finally:
            session.ledger.finish_run(run_id, status)
    finally:
        session.close()
    table = Table(title=f"Rollback {run_id}")
    for column in ("object", "destroyed", "reverted"):
        table.add_column(column)
    for spec in reversed(specs):
        table.add_row(
            spec.singular,
            str(result.destroyed.get(spec.singular, 0)),
            str(result.reverted.get(spec.singular, 0)),
        )
    out.print(table)
    if result.schema_removed:
        out.print(f"schema removed: {', '.join(result.schema_removed)}")
