"""`bizmig sandbox pipedrive`: run the Pipedrive stand-in on loopback until SIGTERM/SIGINT.

Each ``--account NAME:ADMIN_TOKEN[:USER_TOKEN]`` (or ``--api-token T``: one company named
``default``) is one company with its own SQLite file under ``--data-dir`` and its own token
day; ``--user``/``--inactive-user`` seed regular users
in every account (the loader matches owners by their e-mail). ``--strict`` checks every
answer against the spec too (tests switch it on). ``--v1-gone-status`` is what v1
persons/activities answer (410 by default: out of support since 1 Aug 2026).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from common.exits import ExitCode
from sandbox.httpbase import FaultPlan, serve
from sandbox.pipedrive.accounts import Accounts, AccountSpec, Clock, parse_account, parse_user
from sandbox.pipedrive.app import PipedriveApp

Opt = typer.Option


def pipedrive_command(
    account: Annotated[
        list[str] | None,
        Opt("--account", help="Company 'name:admin_token[:user_token]' (repeatable)."),
    ] = None,
    api_token: Annotated[
        str | None, Opt("--api-token", help="Admin token of one company named 'default'.")
    ] = None,
    port: Annotated[int, Opt(help="Port on 127.0.0.1 (0 = any free port).")] = 0,
    host: Annotated[str, Opt(help="Interface to bind (keep it loopback).")] = "127.0.0.1",
    data_dir: Annotated[Path, Opt(help="Directory of the accounts' SQLite files.")] = Path(
        ".bizmig/sandbox/pipedrive"
    ),
    admin_email: Annotated[str, Opt(help="E-mail of each account's admin user.")] = (
        "admin@example.com"
    ),
    user: Annotated[
        list[str] | None, Opt(help="Active regular user 'email:Full Name' (repeatable).")
    ] = None,
    inactive_user: Annotated[
        list[str] | None, Opt(help="Inactive user 'email:Full Name' (repeatable).")
    ] = None,
    strict: Annotated[
        bool, Opt("--strict/--no-strict", help="Check every answer against the spec (500 if not).")
    ] = False,
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
    v1_gone_status: Annotated[
        int, Opt(help="Status of v1 persons/activities endpoints: 410 (gone) or 404.")
    ] = 410,
) -> None:
    """Serve a local stand-in of Pipedrive's v2 (and v1 notes/users) API."""
    try:
        specs = [parse_account(a) for a in account or []]
        if api_token:
            specs.append(AccountSpec("default", api_token))
        users = [parse_user(u) for u in user or []]
        users += [parse_user(u, active=False) for u in inactive_user or []]
        if v1_gone_status not in (404, 410):
            raise ValueError("--v1-gone-status must be 404 or 410")
        clock = Clock(data_dir / "clock.json")
        accounts = Accounts(specs, data_dir, clock, admin_email, users)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(ExitCode.CONFIG) from None
    faults = FaultPlan(
        p500=p500,
        p_slow=p_slow,
        slow_seconds=slow_seconds,
        p_drop_after_commit=p_drop_after_commit,
        p_truncate=p_truncate,
        seed=fault_seed,
    )
    app = PipedriveApp(accounts, clock, None, None, strict, v1_gone_status, faults)
    serve(app, host, port, on_stop=app.close)
