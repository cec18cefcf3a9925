"""`bizmig demo`: a full run against local stand-ins, on a fresh machine, in well under a minute.

For now (until the loader lands) the demo starts the Bizstim sandbox on a free loopback port,
runs `scope` and `extract` against it and prints the landed row counts. The sandbox runs the
real budget shape (1000 GETs per window per key) on a scaled clock so pacing is exercised
without waiting an hour.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from bizmig.settings import BizstimSettings
from ingest.cli import console, extract_with_progress, print_extract_result, print_scope
from ingest.pipeline import ExtractOptions
from ingest.scope import run_scope

DEMO_KEYS = (
    "demo-key-one-0000000000000000000000000001",
    "demo-key-two-0000000000000000000000000002",
)


@contextmanager
def running_sandbox(kind: str, args: list[str]) -> Iterator[str]:
    """Start `bizmig sandbox <kind>` on a free port; yield its base URL; always stop it."""
    cmd = [sys.executable, "-m", "bizmig.cli", "sandbox", kind, "--port", "0", *args]
    process = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError(f"sandbox {kind} failed to start (exit {process.wait()})")
        yield line.split(" ", 1)[1].strip()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def demo_command(
    clients: Annotated[int, typer.Option(help="Clients in the synthetic account.")] = 300,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic account.")] = 42,
    workdir: Annotated[Path, typer.Option(help="Where the demo keeps its files.")] = Path(
        ".bizmig/demo"
    ),
    rate_window: Annotated[
        float, typer.Option(help="Seconds per 1000-GET window (3600 in real life).")
    ] = 36.0,
) -> None:
    """Run the migration demo against local stand-ins."""
    workdir = workdir.resolve()
    db = workdir / "bizmig.duckdb"
    shutil.rmtree(db.parent / ".bizmig", ignore_errors=True)
    db.unlink(missing_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    sandbox_args = ["--clients", str(clients), "--seed", str(seed), "--rate-limit", "1000"]
    sandbox_args += ["--rate-window", str(rate_window), "--db", str(workdir / "bizstim.sqlite")]
    for key in DEMO_KEYS:
        sandbox_args += ["--api-key", key]
    console.print(f"[bold]Starting the Bizstim sandbox[/] ({clients} clients, seed {seed})")
    with running_sandbox("bizstim", sandbox_args) as url:
        settings = BizstimSettings(f"{url}/api", DEMO_KEYS, 1000, rate_window)
        options = ExtractOptions(db)
        console.print(f"[bold]scope[/] against {url}")
        print_scope(run_scope(settings, options.work_dir))
        console.print("[bold]extract[/]")
        print_extract_result(extract_with_progress(settings, options), db)
