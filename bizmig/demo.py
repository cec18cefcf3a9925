"""`bizmig demo`: the whole migration against local stand-ins, on a fresh machine.

Starts the Bizstim sandbox and the ``--to`` destination's stand-in (Twenty, Salesforce,
Pipedrive) on free loopback ports, runs scope → extract → dbt build → load → reconcile through
the same code as ``bizmig migrate``, prints the per-object summary and the report's path, and
stops both servers (also on Ctrl-C).

Ctrl-C used to take 18.5 s: the interrupted extraction was wrapped by dlt and reported as a
failure, the report ran ``dbt docs generate``, and each stand-in, started as ``bizmig.cli``
with every import of the tool (4 s to import, 1.2 s to tear down), was stopped one after the
other. Now the interrupt stops the run where it is (no report: the rerun writes it), the
stand-ins run from ``sandbox.cli`` alone (0.6 s to start, 0.3-0.5 s to stop) and are stopped
together: under a second on an idle machine.

Both stand-ins run the real limits on a scaled clock (Bizstim: 1000 GETs per key per
``--bizstim-window`` s instead of an hour; Twenty: 100 requests per 6 s instead of 60 s;
Salesforce counts its daily allocation, which the demo's few hundred requests stay far below;
Pipedrive paces a Premium account's 100 requests per 2 s and counts its 150 000-token day,
unless ``PIPEDRIVE_PLAN`` / ``PIPEDRIVE_DAILY_TOKENS`` say otherwise), so pacing is exercised
without waiting. The demo works on its own copy of the dbt project under ``--workdir`` and
records its own mapping decisions there, for the account it extracted:
after the extraction it runs ``bizmig map propose`` (every custom field of that account gets a
seed row) and confirms that account's pending fields with the decision each holds, as a person
would with ``bizmig map confirm``; the repository's seeds are never touched, and seed rows for
fields the account does not have stay as they are (they apply to nothing).
The Twenty workspace gets members (the Salesforce org and the Pipedrive account: users) for
the Bizstim staff, minus two, so the report shows an unmatched-users queue.
``--bizstim-profile`` picks what the Bizstim sandbox serves (e.g. ``docs-only``: only what the
Bizstim reference documents; ``sandbox/bizstim/profiles.py``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bizmig.demo_freshsales import freshsales_args, play_admin
from bizmig.demo_freshsales import settings_for as freshsales_settings_for
from bizmig.mapping import propose
from bizmig.mapping_seed import (
    SKIP,
    DecisionChange,
    SeedError,
    decide,
    read_seed,
    write_seed,
)
from bizmig.migrate import MigrationConfig, execute
from bizmig.phases import PROJECT_DIR
from common.exits import ExitCode
from common.settings import (
    BizstimSettings,
    FreshsalesSettings,
    MondaySettings,
    PipedriveSettings,
    SalesforceSettings,
    TwentySettings,
    positive,
)
from ingest.cli import console
from load.cli import To, check_destination
from sandbox.bizstim.profiles import ProfileName
from sandbox.bizstim.store import iter_records

DEMO_KEYS = (
    "demo-key-one-0000000000000000000000000001",
    "demo-key-two-0000000000000000000000000002",
)
TWENTY_KEY = "demo-twenty-api-key"
PIPEDRIVE_TOKEN = "demo-pipedrive-api-token"
DEMO_PIPEDRIVE_PLAN = "premium"
MONDAY_TOKEN = "demo-monday-api-token"  # Standard's 1 000 calls a day: the demo needs ~150
SALESFORCE_CLIENT = ("demo-salesforce-client-id", "demo-salesforce-client-secret")
PROJECT_PARTS = (
    "dbt_project.yml",
    "profiles.yml",
    "packages.yml",
    "models",
    "macros",
    "seeds",
    "dbt_tests",
    "analyses",
)


class StandIns:
    """The stand-in servers of one demo: started one by one, stopped together."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[str]] = []

    def start(self, kind: str, args: list[str]) -> str:
        """`bizmig sandbox <kind>` on a free port (run from `sandbox.cli`, without the rest of
        the tool's imports); its base URL."""
        code = "from sandbox.cli import app; app(prog_name='bizmig sandbox')"
        process = subprocess.Popen(
            [sys.executable, "-c", code, kind, "--port", "0", *args],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # Ctrl-C reaches us; we stop the server ourselves
        )
        self.processes.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError(f"sandbox {kind} failed to start (exit {process.wait()})")
        return line.split(" ", 1)[1].strip()

    def stop(self, timeout: float = 15) -> None:
        running = [p for p in self.processes if p.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def stand_ins() -> Iterator[StandIns]:
    """Stand-ins that are always stopped (also on Ctrl-C or a failure)."""
    servers = StandIns()
    try:
        yield servers
    finally:
        servers.stop()


def copy_project(target: Path, confirm_all: bool = True) -> Path:
    """The dbt project, copied so mapping decisions taken on it stay there; with
    ``confirm_all`` every pending seed row is confirmed as it stands (``map confirm --all``)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = PROJECT_DIR / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.exists():
            shutil.copy(source, target / part)
    if confirm_all:
        seed = read_seed(target / "seeds" / "custom_field_map.csv")
        _print_decisions(decide(seed, confirm_all=True))
        write_seed(seed)
    return target


def record_decisions(project: Path, duckdb_file: Path) -> None:
    """What a person does after extracting the account: `bizmig map propose` into the
    project's seed, then confirm this account's pending fields with the decision each holds."""
    seed_file = project / "seeds" / "custom_field_map.csv"
    seed = read_seed(seed_file, missing_ok=True)
    try:
        report = propose(duckdb_file, seed, project / "seeds" / "twenty_field_catalog.csv", 500)
    except SeedError as error:  # nothing landed to propose from: no client, no custom field
        console.print(f"demo mapping: nothing to decide ({escape(str(error))})")
        return
    pending = [seed.find(name) for name in report.pending_rows]
    held = [(row["bizstim_field_name"], row["decision"].strip().lower()) for row in pending if row]
    changes = decide(
        seed,
        migrate=[name for name, decision in held if decision != SKIP],
        skip=[name for name, decision in held if decision == SKIP],
    )
    write_seed(seed)
    _print_decisions(changes)


def _print_decisions(changes: list[DecisionChange]) -> None:
    for change in changes:
        console.print(
            f"demo mapping decision: {escape(change.bizstim_field_name)} → {change.after}"
        )


def workspace_members(bizstim_db: Path, leave_out: int = 2) -> list[str]:
    users = [u for u in iter_records(bizstim_db, "users") if "@" in u.get("email", "")]
    keep = users[: max(0, len(users) - leave_out)]
    return [f"{u['email']}:{u['first_name'] or 'Staff'} {u['last_name'] or 'Member'}" for u in keep]


def start_destination(
    servers: StandIns, to: str, workdir: Path, bizstim_db: Path, twenty_window: float
) -> tuple[
    TwentySettings | SalesforceSettings | PipedriveSettings | FreshsalesSettings | MondaySettings,
    tuple[int, float],
]:
    """The ``--to`` destination's stand-in, with users for the Bizstim staff minus two (so
    the report shows an unmatched-users queue); its settings and the client's pacing."""
    people = workspace_members(bizstim_db)
    if to == "salesforce":
        args = ["--client-id", SALESFORCE_CLIENT[0], "--client-secret", SALESFORCE_CLIENT[1]]
        args += ["--db", str(workdir / "salesforce-standin.sqlite")]
        for person in people:
            args += ["--user", person]
        url = servers.start("salesforce", args)
        console.print(f"[bold]Salesforce stand-in[/]: {url}")
        return SalesforceSettings(url, *SALESFORCE_CLIENT), (100, 1.0)
    if to == "freshsales":
        args, _plan = freshsales_args(workdir, people)
        url = servers.start("freshsales", args)
        console.print(f"[bold]Freshsales stand-in[/]: {url}")
        return freshsales_settings_for(url), (100, 1.0)  # paced by the account's hour instead
    if to == "monday":
        args = ["--token", MONDAY_TOKEN, "--data-dir", str(workdir / "monday-standin")]
        for person in people:
            args += ["--user", person]
        url = servers.start("monday", args)
        console.print(f"[bold]monday stand-in[/]: {url}/v2 (Standard plan: 1 000 calls a day)")
        return MondaySettings(f"{url}/v2", MONDAY_TOKEN), (100, 1.0)  # paced by the day instead
    if to == "pipedrive":
        plan = os.environ.setdefault("PIPEDRIVE_PLAN", DEMO_PIPEDRIVE_PLAN)  # loader and stand-in
        args = ["--account", f"demo:{PIPEDRIVE_TOKEN}", "--plan", plan]
        args += ["--data-dir", str(workdir / "pipedrive-standin")]
        for person in people:
            args += ["--user", person]
        url = servers.start("pipedrive", args)
        console.print(f"[bold]Pipedrive stand-in[/]: {url}")
        return PipedriveSettings(url, PIPEDRIVE_TOKEN), (100, 2.0)
    args = ["--api-key", TWENTY_KEY, "--db", str(workdir / "twenty-standin.sqlite")]
    args += ["--rate-limit", "100", "--rate-window", str(twenty_window)]
    for person in people:
        args += ["--member", person]
    url = servers.start("twenty", args)
    console.print(f"[bold]Twenty stand-in[/]: {url}")
    return TwentySettings(url, TWENTY_KEY), (100, twenty_window)


def demo_command(
    to: To = "twenty",
    clients: Annotated[int, typer.Option(help="Clients in the synthetic account.")] = 150,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic account.")] = 42,
    workdir: Annotated[Path, typer.Option(help="Where the demo keeps its files.")] = Path(
        ".bizmig/demo"
    ),
    bizstim_window: Annotated[
        float, typer.Option(help="Seconds per 1000-GET Bizstim window (3600 in real life).")
    ] = 36.0,
    twenty_window: Annotated[
        float, typer.Option(help="Seconds per 100-request Twenty window (60 in real life).")
    ] = 6.0,
    bizstim_profile: Annotated[
        ProfileName,
        typer.Option(help="What the Bizstim sandbox serves (`bizmig sandbox bizstim --profile`)."),
    ] = ProfileName.default,
) -> None:
    """Run the whole migration against local stand-ins and write the report."""
    check_destination(to)
    positive("--clients", clients, int)
    positive("--bizstim-window", bizstim_window, float)
    positive("--twenty-window", twenty_window, float)
    workdir = workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    bizstim_db = workdir / "bizstim-sandbox.sqlite"
    bizstim_args = [
        "--clients",
        str(clients),
        "--seed",
        str(seed),
        "--rate-limit",
        "1000",
        "--rate-window",
        str(bizstim_window),
        "--db",
        str(bizstim_db),
        "--profile",
        bizstim_profile.value,
    ]
    for key in DEMO_KEYS:
        bizstim_args += ["--api-key", key]
    console.print(
        f"[bold]Bizstim sandbox[/]: {clients} clients, seed {seed}, profile {bizstim_profile.value}"
    )
    with stand_ins() as servers:
        bizstim_url = servers.start("bizstim", bizstim_args)
        console.print(f"[bold]Bizstim sandbox[/]: {bizstim_url}")
        target, rate = start_destination(servers, to, workdir, bizstim_db, twenty_window)
        project = copy_project(workdir / "project", confirm_all=False)
        staging = workdir / "bizmig.duckdb"
        config = MigrationConfig(
            bizstim=BizstimSettings(f"{bizstim_url}/api", DEMO_KEYS, 1000, bizstim_window),
            target=target,
            duckdb=staging,
            report_dir=workdir / "migration-report",
            project_dir=project,
            target_rate=rate,
            destination=to,
            allow_unmatched_owners=True,
            restart=True,
            before_build=lambda: record_decisions(project, staging),
        )
        code = execute(config)
        if (
            to == "freshsales"
            and code == ExitCode.SCHEMA_CONFLICT
            and isinstance(target, FreshsalesSettings)
            and play_admin(target, staging, console.print)
        ):
            code = execute(replace(config, restart=False))  # resumes at the load
    if code:
        raise typer.Exit(code)
