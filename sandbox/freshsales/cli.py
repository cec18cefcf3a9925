"""`bizmig sandbox freshsales`: run the Freshsales stand-in on loopback until SIGTERM/SIGINT.

Each ``--account NAME:ADMIN_KEY[:USER_KEY]`` (or ``--api-key K``: one account named
``default``) is one Freshsales account with its own SQLite file under ``--data-dir`` and its
own request hour; ``--user``/``--inactive-user`` (``email:Full Name``) are its users besides the
admin (the loader matches owners by e-mail; without any, two sales users and a deactivated one
are seeded). The loader's base URL is ``<printed url>/crm/sales``.

The hour is the plan's (``--plan``, default ``growth``: 1 000 requests, the smallest paid plan
and the loader's own default guess) unless ``--hourly-requests`` gives another count;
``--per-minute`` adds Classic's minute limit (400 there). Unconfirmed behaviour stays off
unless asked for: ``--bulk-upsert`` (§3.11 rule 7), ``--allow-field-create`` (fields on
standard modules by API, §3.5), ``--note-created-at`` (a note's original time, §3.1);
``--no-rate-headers`` leaves out the X-RateLimit headers (their names are Freshdesk's, [?]).
Faults use the Pipedrive stand-in's option names.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from common.exits import ExitCode
from sandbox.freshsales.accounts import Accounts
from sandbox.freshsales.app import FreshsalesApp
from sandbox.freshsales.bulk import BulkJobs
from sandbox.freshsales.errors import FsError
from sandbox.freshsales.limits import PLAN_HOURLY, RequestLimits
from sandbox.freshsales.records import Options, Writer
from sandbox.httpbase import FaultPlan, serve
from sandbox.pipedrive.accounts import AccountSpec, Clock, parse_account, parse_user

Opt = typer.Option


def freshsales_command(
    account: Annotated[
        list[str] | None,
        Opt("--account", help="Account 'name:admin_key[:user_key]' (repeatable)."),
    ] = None,
    api_key: Annotated[
        str | None, Opt("--api-key", help="Admin key of one account named 'default'.")
    ] = None,
    port: Annotated[int, Opt(help="Port on 127.0.0.1 (0 = any free port).")] = 0,
    host: Annotated[str, Opt(help="Interface to bind (keep it loopback).")] = "127.0.0.1",
    data_dir: Annotated[Path, Opt(help="Directory of the accounts' SQLite files.")] = Path(
        ".bizmig/sandbox/freshsales"
    ),
    admin_email: Annotated[str, Opt(help="E-mail of each account's admin user.")] = (
        "admin@example.com"
    ),
    user: Annotated[
        list[str] | None, Opt(help="Active user 'email:Full Name' (repeatable).")
    ] = None,
    inactive_user: Annotated[
        list[str] | None, Opt(help="Deactivated user 'email:Full Name' (repeatable).")
    ] = None,
    plan: Annotated[str, Opt(help=f"Plan: {', '.join(PLAN_HOURLY)}.")] = "growth",
    hourly_requests: Annotated[
        int | None, Opt(min=1, help="Requests per rolling hour, overriding the plan's.")
    ] = None,
    per_minute: Annotated[
        int | None, Opt(min=1, help="Requests per rolling minute (Classic: 400); none if unset.")
    ] = None,
    rate_headers: Annotated[
        bool, Opt("--rate-headers/--no-rate-headers", help="Send X-RateLimit-* headers.")
    ] = True,
    bulk_upsert: Annotated[bool, Opt(help="Serve bulk_upsert (format unconfirmed).")] = False,
    bulk_job_polls: Annotated[
        int, Opt(min=0, help="Polls a bulk job answers IN_PROGRESS before it runs.")
    ] = 1,
    allow_field_create: Annotated[
        bool, Opt(help="Let POST /api/settings/<module>/fields create cf_ fields.")
    ] = False,
    note_created_at: Annotated[bool, Opt(help="Take a note's created_at from its body.")] = False,
    p500: Annotated[float, Opt(help="Probability of a 500 response.")] = 0.0,
    p_slow: Annotated[float, Opt(help="Probability of a slow response.")] = 0.0,
    slow_seconds: Annotated[float, Opt(help="Delay of a slow response.")] = 1.0,
    p_drop_after_commit: Annotated[
        float, Opt(help="Probability of dropping the connection after a committed write.")
    ] = 0.0,
    p_truncate: Annotated[
        float, Opt(help="Probability of a cut-off body after a successful request.")
    ] = 0.0,
    fault_seed: Annotated[int, Opt(help="Seed of the fault injector.")] = 0,
) -> None:
    """Serve a local stand-in of Freshsales' REST API (bundle /crm/sales/api and Classic /api)."""
    try:
        specs = [parse_account(a) for a in account or []]
        if api_key:
            specs.append(AccountSpec("default", api_key))
        users = [parse_user(u) for u in user or []]
        users += [parse_user(u, active=False) for u in inactive_user or []]
        if plan not in PLAN_HOURLY:
            raise ValueError(f"--plan must be one of {', '.join(PLAN_HOURLY)}")
        clock = Clock(data_dir / "clock.json")
        accounts = Accounts(specs, data_dir, clock, admin_email, users)
        limits = RequestLimits(clock, rate_headers=rate_headers)
        for name in accounts.names():
            limits.configure(name, plan=plan, hourly=hourly_requests, per_minute=per_minute)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(ExitCode.CONFIG) from None
    options = Options(allow_field_create=allow_field_create, note_created_at=note_created_at)
    faults = FaultPlan(
        p500=p500,
        p_slow=p_slow,
        slow_seconds=slow_seconds,
        p_drop_after_commit=p_drop_after_commit,
        p_truncate=p_truncate,
        seed=fault_seed,
    )
    bulk = BulkJobs(
        Writer(options), FsError, upsert_enabled=bulk_upsert, polls_before_done=bulk_job_polls
    )
    app = FreshsalesApp(accounts, clock, limits, options, faults, bulk)
    serve(app, host, port, on_stop=app.close)
