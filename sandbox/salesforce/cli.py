"""`bizmig sandbox salesforce`: run the Salesforce stand-in on loopback until SIGTERM/SIGINT."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from common.exits import ExitCode
from sandbox.httpbase import FaultPlan, serve
from sandbox.salesforce.app import SalesforceApp
from sandbox.salesforce.org import Org, UserSpec, parse_user
from sandbox.salesforce.org_settings import Settings

Opt = typer.Option


def salesforce_command(
    client_id: Annotated[str, Opt("--client-id", help="Connected app's consumer key.")],
    client_secret: Annotated[str, Opt("--client-secret", help="Its consumer secret.")],
    port: Annotated[int, Opt(help="Port on 127.0.0.1 (0 = any free port).")] = 0,
    host: Annotated[str, Opt(help="Interface to bind (keep it loopback).")] = "127.0.0.1",
    db: Annotated[Path, Opt(help="SQLite file.")] = Path(".bizmig/sandbox/salesforce.sqlite"),
    daily_api_limit: Annotated[int, Opt(
        min=1, help="API requests per rolling 24 h (Enterprise, 15 licences: 115000).")] = 115_000,
    bulk_batch_limit: Annotated[int, Opt(
        min=1, help="Bulk API batches per rolling 24 h.")] = 15_000,
    user: Annotated[list[str] | None, Opt(
        help="Active User 'email:First Last' (repeatable).")] = None,
    inactive_user: Annotated[list[str] | None, Opt(
        help="Inactive User 'email:First Last' (repeatable).")] = None,
    set_audit_fields: Annotated[bool, Opt(
        "--set-audit-fields/--no-set-audit-fields",
        help="Org permission 'Set Audit Fields upon Record Creation'.")] = False,
    hard_delete_permission: Annotated[bool, Opt(
        "--hard-delete-permission", help="Grant 'Bulk API Hard Delete'.")] = False,
    session_hours: Annotated[float, Opt(
        min=0, help="Hours an unused access token lives (0 = forever).")] = 2.0,
    seed: Annotated[int, Opt(help="Seed of the Bulk result shuffle and lock draws.")] = 0,
    lock_contention: Annotated[float, Opt(
        min=0, max=1, help="Bulk: probability that a child row whose parent another internal "
        "batch touches fails with UNABLE_TO_LOCK_ROW.")] = 0.0,
    lock_failure_rate: Annotated[float, Opt(
        min=0, max=1, help="Bulk: probability that any row fails with UNABLE_TO_LOCK_ROW.")] = 0.0,
    p500: Annotated[float, Opt(help="Probability of a 500/503 response.")] = 0.0,
    p_slow: Annotated[float, Opt(help="Probability of a slow response.")] = 0.0,
    slow_seconds: Annotated[float, Opt(help="Delay of a slow response.")] = 1.0,
    p_drop_after_commit: Annotated[float, Opt(
        help="Probability of dropping the connection after a committed write.")] = 0.0,
    p_truncate: Annotated[float, Opt(
        help="Probability of a cut-off body after a successful request.")] = 0.0,
    fault_seed: Annotated[int, Opt(help="Seed of the fault injector.")] = 0,
) -> None:
    """Serve a local stand-in of a Salesforce org: OAuth, REST, Collections, SOQL, Bulk 2.0,
    Metadata SOAP."""
    try:
        users: list[UserSpec] = [parse_user(u) for u in user or []]
        users += [parse_user(u, active=False) for u in inactive_user or []]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(ExitCode.CONFIG) from None
    settings = Settings(client_id=client_id, client_secret=client_secret,
                        daily_api_limit=daily_api_limit, bulk_batch_limit=bulk_batch_limit,
                        set_audit_fields=set_audit_fields,
                        hard_delete_permission=hard_delete_permission,
                        session_hours=session_hours, seed=seed, lock_contention=lock_contention,
                        lock_failure_rate=lock_failure_rate)
    faults = FaultPlan(p500=p500, p_slow=p_slow, slow_seconds=slow_seconds,
                       p_drop_after_commit=p_drop_after_commit, p_truncate=p_truncate,
                       seed=fault_seed)
    app = SalesforceApp(Org(db, settings, users, faults))
    serve(app, host, port, on_stop=app.close)
