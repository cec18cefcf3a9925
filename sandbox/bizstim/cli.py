"""`bizmig sandbox bizstim`: generate (or reuse) the synthetic account and serve it."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from sandbox.bizstim.app import BizstimApp
from sandbox.bizstim.generate import ensure_db
from sandbox.bizstim.profiles import Profile, ProfileName
from sandbox.bizstim.store import Store
from sandbox.httpbase import FaultPlan, serve


def _log(message: str) -> None:
    # stderr only: stdout carries the READY line and is not drained after it.
    print(f"[bizstim sandbox] {message}", file=sys.stderr, flush=True)


def bizstim_command(
    api_key: Annotated[list[str], typer.Option("--api-key", help="Accepted key (repeatable).")],
    port: Annotated[int, typer.Option(help="TCP port; 0 picks a free one.")] = 8765,
    host: Annotated[str, typer.Option(help="Bind address (loopback).")] = "127.0.0.1",
    clients: Annotated[int, typer.Option(min=1, help="Clients to generate.")] = 300,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic account.")] = 42,
    rate_limit: Annotated[int, typer.Option(min=1, help="Requests per window "
                                                        "per HTTP method per key.")] = 1000,
    rate_window: Annotated[float, typer.Option(help="Window in seconds.")] = 3600.0,
    db: Annotated[Path | None, typer.Option(help="SQLite file (default "
                                                 ".bizmig/sandbox/bizstim-s{seed}-c{clients}"
                                                 ".sqlite).")] = None,
    p429: Annotated[float, typer.Option("--p429", help="Probability of a random 429.")] = 0.0,
    p500: Annotated[float, typer.Option("--p500", help="Probability of a 500.")] = 0.0,
    p_slow: Annotated[float, typer.Option(help="Probability of a slow response.")] = 0.0,
    slow_seconds: Annotated[float, typer.Option(help="Delay of a slow response.")] = 1.0,
    p_truncate: Annotated[float, typer.Option(help="Probability of a cut-off body.")] = 0.0,
    fault_seed: Annotated[int, typer.Option(help="Seed of the fault dice.")] = 0,
    hostile: Annotated[list[str] | None, typer.Option(
        help="Bad-input classes to apply after generation ('all', or names; repeatable).")
    ] = None,
    profile: Annotated[ProfileName, typer.Option(
        help="What is served: everything simulated (default), only the documented endpoints "
             "and fields (docs-only), or docs-only with the undocumented endpoints refusing "
             "with 403 or answering 500 once, then 404 (see sandbox/bizstim/profiles.py).")
    ] = ProfileName.default,
) -> None:
    """Serve a deterministic synthetic Bizstim account on loopback (prints READY <url>)."""
    if rate_window <= 0:
        raise typer.BadParameter("--rate-window must be > 0")
    path = db or Path(".bizmig") / "sandbox" / f"bizstim-s{seed}-c{clients}.sqlite"
    started = time.monotonic()
    if ensure_db(path, seed, clients, _log, hostile or []):
        _log(f"generated in {time.monotonic() - started:.1f}s")
    else:
        _log(f"reusing {path}")
    faults = FaultPlan(p429=p429, p500=p500, p_slow=p_slow, slow_seconds=slow_seconds,
                       p_truncate=p_truncate, seed=fault_seed)
    _log(f"profile {profile.value}")
    app = BizstimApp(Store(path), list(api_key), rate_limit, rate_window, faults,
                     Profile(profile))
    serve(app, host, port)
