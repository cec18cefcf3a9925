"""`bizmig scope` and `bizmig extract`.

Exit codes (also in the README): 0 done · 1 other failure · 2 configuration / usage ·
3 Bizstim rejected an API key · 4 request budget exhausted (rerun later: it resumes) ·
11 Bizstim refused a documented endpoint (403/404/405/410: no API access on the account's plan,
or a wrong BIZSTIM_BASE_URL). An undocumented endpoint refusing is no error: it is listed as
unavailable and the run goes on without it.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
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
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from common.addresses import check_reachable
from common.settings import (
    BizstimSettings,
    ConfigError,
    bizstim_settings,
    duckdb_path,
    positive,
)
from common.terminal import make_console
from ingest import detail_probe
from ingest.availability import Availability
from ingest.expected_columns import ColumnCheck
from ingest.pipeline import ExtractOptions, ExtractResult, run_extract
from ingest.pipeline import Progress as ExtractProgress
from ingest.scope import ScopeReport, run_scope
from ingest.transport import ExtractError
from load.cli import check_destination
from load.core.cost import CostPlan
from load.cost_print import print_cost
from load.destinations import scope_cost

console = make_console(stderr=True)
out = make_console()

BaseUrl = Annotated[str | None, typer.Option("--base-url", help="Bizstim API base URL.")]
ApiKeys = Annotated[
    list[str] | None,
    typer.Option("--api-key", help="API key (repeatable). Prefer BIZSTIM_API_KEYS.", hidden=True),
]
RateLimit = Annotated[int | None, typer.Option(help="GET requests per key per window.")]
RateWindow = Annotated[float | None, typer.Option(help="Rate-limit window in seconds.")]
ClientDetails = Annotated[
    str | None,
    typer.Option(
        help="client/{id} for every client: auto (probe a sample, skip the rest when they add "
        "nothing to the list), all, or skip. Default BIZMIG_CLIENT_DETAILS, else auto."
    ),
]
DetailSample = Annotated[
    int | None,
    typer.Option(help="Details the probe asks (default BIZMIG_DETAIL_SAMPLE, else 25)."),
]
DuckdbOpt = Annotated[str | None, typer.Option("--duckdb", help="Staging DuckDB file.")]


def _fail(exc: Exception, code: int) -> typer.Exit:
    console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)  # one line
    return typer.Exit(code)


def _human(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


def scope_command(
    base_url: BaseUrl = None,
    api_key: ApiKeys = None,
    rate_limit: RateLimit = None,
    rate_window: RateWindow = None,
    duckdb: DuckdbOpt = None,
    exact: Annotated[
        bool, typer.Option(help="Read the client and practitioner lists for an exact budget.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Also plan the load into this destination: its budget and ETA."),
    ] = None,
    daily_api_requests: Annotated[
        int | None,
        typer.Option(
            help="The destination's daily API allocation, when its own cannot be read "
            "(Salesforce: /limits of the configured org)."
        ),
    ] = None,
    client_details: ClientDetails = None,
    detail_sample: DetailSample = None,
) -> None:
    """Validate every key and show what the account holds and what extracting it costs
    (with --to: and what loading it costs in the destination's budget)."""
    try:
        if to is not None:
            check_destination(to)
        if daily_api_requests is not None:
            positive("--daily-api-requests", daily_api_requests, int)
        settings = bizstim_settings(base_url, api_key, rate_limit, rate_window)
        check_reachable("BIZSTIM_BASE_URL", settings.base_url)
        options = ExtractOptions(duckdb_path(duckdb))
        chosen = detail_probe.policy(client_details, detail_sample)
        report = run_scope(
            settings, options.work_dir, exact=exact, duckdb_path=options.duckdb_path,
            client_details=chosen,
        )  # fmt: skip
        plan = load_plan(to, report, options.duckdb_path, daily_api_requests)
    except ConfigError as exc:
        raise _fail(exc, 2) from exc
    except ExtractError as exc:
        raise _fail(exc, exc.exit_code) from exc
    if as_json:
        body = report.as_json()
        if plan is not None:
            body["load_plan"] = plan.as_json()
        out.print_json(json.dumps(body))
        return
    print_scope(report)
    if plan is not None:
        print_cost(out, plan, f"Load plan for --to {to}")


def load_plan(
    to: str | None, report: ScopeReport, staging: Path, daily_api_requests: int | None
) -> CostPlan | None:
    """The destination's cost plan for this account (None without --to, or for a destination
    without a cost model: Twenty's 100 requests a minute are paced, not a stop)."""
    if to is None:
        return None
    inventory = {line.endpoint: line.records for line in report.lines if line.available}
    return scope_cost(to, inventory, staging, daily_api_requests)


def print_scope(report: ScopeReport) -> None:
    table = Table(title="Bizstim account inventory")
    for column in ("endpoint", "records", "page size", "GET requests"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for line in report.lines:
        mark = "" if line.exact else " (≤ estimate)"
        records = f"{line.records:,}{mark}"
        if not line.available:
            records = f"unavailable ({line.http_status})"
        table.add_row(line.endpoint, records, str(line.page_size), f"{line.requests:,}")
    table.add_row("[bold]total", "", "", f"[bold]{report.total_requests:,}")
    out.print(table)
    print_unavailable(report.unavailable)
    print_columns(report.columns)
    print_client_details(report)
    out.print(
        f"{report.keys} key(s) at {report.rate_limit} GETs per {report.rate_window:g} s each: "
        f"extraction needs {report.total_requests:,} requests, ETA ≈ {_human(report.eta_seconds())}"
        f" (scope itself used {report.scope_requests} requests)."
    )


def print_client_details(report: ScopeReport) -> None:
    """Both client/{id} budgets, and which one the probe says applies."""
    verdict = report.client_details
    if verdict is None:
        return
    applies = "all details" if verdict.decision == "fetch" else "the probed sample only"
    out.print(
        f"client/{{id}}: {verdict.client_total:,} requests if every detail is fetched, "
        f"{verdict.sampled:,} if only the probe's are; [bold]{applies}[/] applies: "
        f"{escape(verdict.reason())}. (extract probes again over the whole listing; "
        "BIZMIG_CLIENT_DETAILS=all|skip forces either way)"
    )


def print_unavailable(unavailable: list[Availability]) -> None:
    """The undocumented endpoints this account does not serve, why, and what degrades."""
    if not unavailable:
        return
    out.print("[yellow]Not served by this account[/] (extraction goes on without them):")
    for probe in unavailable:
        out.print(f"  {probe.endpoint}: {escape(probe.reason)} → {escape(probe.impact)}")


def print_columns(checks: list[ColumnCheck]) -> None:
    """Per list, what its probed record lacks or adds against _bizstim__sources.yml."""
    shown = [c for c in checks if c.absent or c.extra or c.aliased]
    if not shown:
        return
    out.print("Columns of one probed record per list, against what the mapping expects:")
    for check in shown:
        parts = []
        if check.absent:
            needed = set(check.absent_needed)
            names = ", ".join(
                f"{c.name} (needed)" if c.name in needed else c.name for c in check.absent
            )
            parts.append(f"[yellow]absent[/] {escape(names)}")
        if check.aliased:
            pairs = ", ".join(f"{k} ← {v}" for k, v in check.aliased.items())
            parts.append(f"aliased {escape(pairs)}")
        if check.extra:
            parts.append(f"extra, unmapped {escape(', '.join(check.extra))}")
        out.print(f"  {check.table}: " + "; ".join(parts))
    if any(c.absent_needed for c in checks):
        out.print(
            "  Records lacking a needed column are quarantined with a reason naming it; "
            "seeds/bizstim_field_aliases.csv maps a column the account names differently."
        )


class _RichProgress(ExtractProgress):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}
        self.lock = threading.Lock()

    def _task(self, method: str) -> TaskID:
        with self.lock:
            if method not in self.tasks:
                self.tasks[method] = self.progress.add_task(method, total=None)
            return self.tasks[method]

    def expect(self, method: str, total: int) -> None:
        self.progress.update(self._task(method), total=total)

    def advance(self, method: str, spooled: bool) -> None:
        self.progress.advance(self._task(method))

    def phase(self, name: str) -> None:
        self.progress.console.log(f"phase: {name}")

    def note(self, text: str) -> None:
        self.progress.console.log(escape(text))


def extract_command(
    base_url: BaseUrl = None,
    api_key: ApiKeys = None,
    rate_limit: RateLimit = None,
    rate_window: RateWindow = None,
    duckdb: DuckdbOpt = None,
    checkpoint_every: Annotated[
        int, typer.Option(help="Requests per committed dlt run (resume granularity).")
    ] = 2000,
    max_wait: Annotated[
        float | None,
        typer.Option(help="Stop with exit 4 instead of waiting longer than this for budget."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Parallel requests (default 4 per key).")
    ] = None,
    client_details: ClientDetails = None,
    detail_sample: DetailSample = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Land every Bizstim endpoint raw into the DuckDB file (resumable)."""
    try:
        settings = bizstim_settings(base_url, api_key, rate_limit, rate_window)
        if max_wait is not None and max_wait < 0:
            raise ConfigError(f"--max-wait takes seconds, 0 or more; got {max_wait}")
        options = ExtractOptions(
            duckdb_path(duckdb),
            positive("--checkpoint-every", checkpoint_every, int),
            max_wait,
            None if workers is None else positive("--workers", workers, int),
            detail_probe.policy(client_details, detail_sample),
        )
        check_reachable("BIZSTIM_BASE_URL", settings.base_url)
    except ConfigError as exc:
        raise _fail(exc, 2) from exc
    try:
        result = extract_with_progress(settings, options)
    except ExtractError as exc:
        raise _fail(exc, exc.exit_code) from exc
    if as_json:
        out.print_json(json.dumps(_result_json(result, options.duckdb_path)))
        return
    print_extract_result(result, options.duckdb_path)


def extract_with_progress(settings: BizstimSettings, options: ExtractOptions) -> ExtractResult:
    """Run the extraction with a Rich progress bar per endpoint (on stderr)."""
    columns = (
        TextColumn("{task.description:>14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        return run_extract(settings, options, _RichProgress(progress))


def _result_json(result: ExtractResult, path: Path) -> dict[str, object]:
    return {
        "duckdb": str(path),
        "cycle": result.cycle,
        "rows": result.rows,
        "detail_misses": result.misses,
        "requests_per_key": result.requests_per_key,
        "network_requests": result.network_requests,
        "spool_hits": result.spool_hits,
        "fetched_ahead": result.fetched_ahead,
        "statuses": {str(k): v for k, v in result.statuses.items()},
        "dlt_runs": result.dlt_runs,
        "unavailable": [a.as_json() for a in result.unavailable],
        "notes": result.notes,
        "seconds": round(result.seconds, 2),
    }


def print_extract_result(result: ExtractResult, path: Path) -> None:
    table = Table(title=f"Rows landed in raw_bizstim (cycle {result.cycle})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in result.rows.items():
        table.add_row(name, f"{rows:,}")
    out.print(table)
    print_unavailable(result.unavailable)
    for note in result.notes:
        out.print(escape(note))
    if result.misses:
        out.print(
            f"[yellow]{result.misses} detail id(s) answered 404; see raw_bizstim.detail_misses"
        )
    requests = sum(result.network_requests.values())
    out.print(
        f"{requests:,} GET requests ({sum(result.spool_hits.values())} answered from the spool) in "
        f"{_human(result.seconds)} over {result.dlt_runs} commits; per key: "
        + ", ".join(f"{k}={v}" for k, v in result.requests_per_key.items())
    )
    out.print(f"staging file: {path}")
