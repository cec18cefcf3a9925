"""`bizmig sandbox twenty`: run the Twenty stand-in on loopback until SIGTERM/SIGINT."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from common.exits import ExitCode
from sandbox.httpbase import FaultPlan, serve
from sandbox.twenty.app import TwentyApp


def parse_member(text: str) -> tuple[str, str, str]:
    """``email:First Last`` -> (email, first, last); the name part is optional."""
    email, _, name = text.strip().partition(":")
    if "@" not in email:
        raise typer.BadParameter(f"member {text!r} should look like 'email:First Last'")
    first, _, last = name.strip().partition(" ")
    return email.strip(), first.strip(), last.strip()


def read_members(path: Path) -> list[tuple[str, str, str]]:
    """A JSON array of ``{email, firstName, lastName}`` or lines of ``email:First Last``."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        return [(m["email"], m.get("firstName", ""), m.get("lastName", ""))
                for m in json.loads(text)]
    return [parse_member(line) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


Opt = typer.Option


def twenty_command(
    api_key: Annotated[str, Opt("--api-key", help="The only Bearer key accepted.")],
    port: Annotated[int, Opt(help="Port on 127.0.0.1 (0 = any free port).")] = 0,
    host: Annotated[str, Opt(help="Interface to bind (keep it loopback).")] = "127.0.0.1",
    generation: Annotated[str, Opt(help="Twenty generation to imitate: v1 or v2.")] = "v2",
    batch_cap: Annotated[int | None, Opt(help="Batch/page cap (v1: 60, v2: 200).")] = None,
    rate_limit: Annotated[int, Opt(help="Requests per window per workspace; 0 = off.")] = 100,
    rate_window: Annotated[float, Opt(help="Token bucket window in seconds.")] = 60.0,
    db: Annotated[Path, Opt(help="SQLite file.")] = Path(".bizmig/sandbox/twenty.sqlite"),
    members: Annotated[Path | None, Opt(help="File of workspace members to seed.")] = None,
    member: Annotated[list[str] | None, Opt(help="Member 'email:First Last' (repeatable).")] = None,
    p429: Annotated[float, Opt(help="Probability a request starts a burst of 429s.")] = 0.0,
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
    """Serve a local stand-in of Twenty's REST and metadata API."""
    if generation not in ("v1", "v2"):
        raise typer.BadParameter("--generation must be v1 or v2")
    seeded = [parse_member(m) for m in member or []]
    if members is not None:
        seeded = read_members(members) + seeded
    faults = FaultPlan(p429=p429, p500=p500, p_slow=p_slow, slow_seconds=slow_seconds,
                       p_drop_after_commit=p_drop_after_commit, p_truncate=p_truncate,
                       seed=fault_seed)
    try:
        app = TwentyApp(db, api_key, generation, batch_cap, rate_limit, rate_window, seeded,
                        faults)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(ExitCode.CONFIG) from None
    serve(app, host, port, on_stop=app.close)
