"""`bizmig sandbox pipedrive`: run the Pipedrive stand-in on loopback until SIGTERM/SIGINT.

Each ``--account NAME:ADMIN_TOKEN[:USER_TOKEN]`` (or ``--api-token T``: one company named
``default``) is one company with its own SQLite file under ``--data-dir`` and its own token
day; ``--user``/``--inactive-user`` seed regular users
in every account (the loader matches owners by their e-mail). ``--strict`` checks every
answer against the spec too (tests switch it on). ``--v1-gone-status`` is what v1
persons/activities answer (410 by default: out of support since 1 Aug 2026).

Every request is checked against Pipedrive's OpenAPI files (``--openapi-dir``, default
``PIPEDRIVE_OPENAPI_DIR`` or ``<repo>/../shared/contracts``; missing files stop the start with
the configuration exit code). The token day is ``--daily-tokens`` or 30 000 x the plan's
multiplier x ``--seats``; the burst window is the plan's (``--plan``, default ``lite``: the
smallest account, the loader's own default guess) unless ``--burst`` gives another count.
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
from sandbox.pipedrive.contract import ContractMissing, load_contract
from sandbox.pipedrive.tokens import BURST, TokenBudget, daily_for

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
    plan: Annotated[str, Opt(help=f"Plan: {', '.join(BURST)}.")] = "lite",
    seats: Annotated[int, Opt(min=1, help="Seats (the day is 30 000 x multiplier x seats).")] = 1,
    daily_tokens: Annotated[
        int | None, Opt(min=1, help="Tokens a day, overriding plan x seats (top-ups).")
    ] = None,
    burst: Annotated[
        int | None, Opt(min=1, help="Requests per 2 s window, overriding the plan's.")
    ] = None,
    openapi_dir: Annotated[
        Path | None, Opt(help="Directory of pipedrive-v1/v2-openapi.yml.")
    ] = None,
    search_lag: Annotated[
        float, Opt(min=0, help="Seconds before a write is found by search (index lag).")
    ] = 0.0,
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
        if plan not in BURST:
            raise ValueError(f"--plan must be one of {', '.join(BURST)}")
        clock = Clock(data_dir / "clock.json")
        budget = TokenBudget(
            daily_tokens or daily_for(plan, seats), burst or BURST[plan], clock=clock
        )
        contract = load_contract(openapi_dir)
        accounts = Accounts(specs, data_dir, clock, admin_email, users)
    except (ValueError, ContractMissing) as exc:
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
    app = PipedriveApp(
        accounts, clock, contract, budget, strict, v1_gone_status, faults, search_lag
    )
    serve(app, host, port, on_stop=app.close)
