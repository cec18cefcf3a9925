"""`bizmig sandbox monday`: run the monday stand-in on loopback until SIGTERM/SIGINT.

``--token T`` (an account named ``default``) or ``--account NAME:TOKEN`` (repeatable) are the
accounts; each has an admin (``--admin-email``, user id 1, the token's owner) and the
``--user email:Full Name`` users (ids 2, 3, … in order; the loader matches owners by e-mail).
The loader's ``MONDAY_API_URL`` is ``<printed url>/v2``.

Limits default to the reference's figures (destinations-2.md §4.3, §4.11): the plan's calls a
day (``--plan``, default ``standard``: 1 000; ``--daily-calls`` overrides), 10 000 000
complexity points a minute per token (``--complexity-per-minute``), 10 000 live items a board
(``--board-capacity``), 19 000 ingest items an hour (``--ingest-items-per-hour``) and a job
answering ``PROCESSING`` to one poll (``--job-polls``). Boards and items persist in
``--data-dir`` (one SQLite file) and the stand-in clock in ``clock.json`` beside it; the day,
the minute, jobs and idempotent answers live in memory. Faults use the other stand-ins' names.
It needs monday's SDL (``MONDAY_SDL`` or ``../shared/contracts/monday-schema.graphql``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from common.exits import ExitCode
from sandbox.httpbase import FaultPlan, serve
from sandbox.monday.app import MondayApp
from sandbox.monday.hooks import Hooks
from sandbox.monday.idempotency import Idempotency
from sandbox.monday.job_fields import JobFields
from sandbox.monday.jobs import JobOptions
from sandbox.monday.limits import PER_MINUTE, PLAN_DAILY, Limits
from sandbox.monday.sdl import SdlMissing, schema
from sandbox.monday.service import Service
from sandbox.monday.store import Store
from sandbox.pipedrive.accounts import Clock, parse_account, parse_user

Opt = typer.Option


def monday_command(
    token: Annotated[str | None, Opt(help="API token of one account named 'default'.")] = None,
    account: Annotated[
        list[str] | None, Opt("--account", help="Account 'name:token' (repeatable).")
    ] = None,
    port: Annotated[int, Opt(help="Port on 127.0.0.1 (0 = any free port).")] = 0,
    host: Annotated[str, Opt(help="Interface to bind (keep it loopback).")] = "127.0.0.1",
    data_dir: Annotated[Path, Opt(help="Directory of the stand-in's SQLite file.")] = Path(
        ".bizmig/sandbox/monday"
    ),
    admin_email: Annotated[str, Opt(help="E-mail of each account's admin.")] = (
        "admin@example.com"
    ),
    user: Annotated[list[str] | None, Opt(help="User 'email:Full Name' (repeatable).")] = None,
    plan: Annotated[str, Opt(help=f"Plan: {', '.join(PLAN_DAILY)}.")] = "standard",
    daily_calls: Annotated[int | None, Opt(min=1, help="Calls a day, overriding the plan.")] = None,
    complexity_per_minute: Annotated[int, Opt(min=1, help="Points a minute per token.")] = (
        PER_MINUTE
    ),
    board_capacity: Annotated[int, Opt(min=1, help="Live items a board holds.")] = 10_000,
    ingest_items_per_hour: Annotated[int, Opt(min=1, help="Ingest items an hour.")] = 19_000,
    job_polls: Annotated[int, Opt(min=0, help="Polls a job answers PROCESSING.")] = 1,
    p500: Annotated[float, Opt(help="Probability of a 500 response.")] = 0.0,
    p_slow: Annotated[float, Opt(help="Probability of a slow response.")] = 0.0,
    slow_seconds: Annotated[float, Opt(help="Delay of a slow response.")] = 1.0,
    p_drop_after_commit: Annotated[
        float, Opt(help="Probability of dropping the connection after a committed write.")
    ] = 0.0,
    p_truncate: Annotated[float, Opt(help="Probability of a cut-off body.")] = 0.0,
    fault_seed: Annotated[int, Opt(help="Seed of the fault injector.")] = 0,
) -> None:
    """Serve a local stand-in of monday's GraphQL API (POST /v2), validated against its SDL."""
    try:
        schema()
        specs = [parse_account(a) for a in account or []]
        if token:
            specs.append(parse_account(f"default:{token}"))
        users = [parse_user(u) for u in user or []]
        if plan not in PLAN_DAILY:
            raise ValueError(f"--plan must be one of {', '.join(PLAN_DAILY)}")
    except (ValueError, SdlMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(ExitCode.CONFIG) from None
    clock = Clock(data_dir / "clock.json")
    store = Store(data_dir / "monday.sqlite")
    service = Service(store, clock.now, board_capacity)
    limits = Limits(clock, per_minute=complexity_per_minute, daily_override=daily_calls)
    for spec in specs:
        store.add_account(spec.name, spec.admin_token, plan)
        store.add_user(spec.name, "1", "Account Admin", admin_email, True)
        for number, person in enumerate(users, start=2):
            store.add_user(spec.name, str(number), person.name, person.email, False)
    for name, account_plan in store.accounts():
        limits.configure(name, plan=account_plan)
    options = JobOptions(board_capacity, ingest_items_per_hour, job_polls)
    jobs = JobFields(service, clock, options)
    faults = FaultPlan(
        p500=p500,
        p_slow=p_slow,
        slow_seconds=slow_seconds,
        p_drop_after_commit=p_drop_after_commit,
        p_truncate=p_truncate,
        seed=fault_seed,
    )
    idempotency = Idempotency(clock)
    hooks = Hooks(service, limits, idempotency, clock, faults)
    app = MondayApp(service, limits, idempotency, jobs, faults, hooks)
    serve(app, host, port, on_stop=app.close)
