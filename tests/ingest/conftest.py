"""Fixtures: a real Bizstim sandbox subprocess and the `bizmig` CLI run against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.servers import RunningServer, start_server

KEY_A = "test-key-a-00000000000000000000000000000001"
KEY_B = "test-key-b-00000000000000000000000000000002"


@dataclass
class Sandbox:
    server: RunningServer
    db: Path  # the sandbox's own SQLite file (the source of truth to compare with)
    keys: tuple[str, ...]
    rate_limit: int
    rate_window: float


def start_sandbox(
    tmp: Path,
    clients: int,
    seed: int,
    keys: tuple[str, ...],
    rate_limit: int,
    rate_window: float,
    profile: str = "default",
) -> Sandbox:
    """A sandbox on ``tmp/bizstim-{seed}-{clients}.sqlite`` (reused when it exists)."""
    db = tmp / f"bizstim-{seed}-{clients}.sqlite"
    args = ["--clients", str(clients), "--seed", str(seed), "--db", str(db)]
    args += ["--rate-limit", str(rate_limit), "--rate-window", str(rate_window)]
    args += ["--profile", profile]
    for key in keys:
        args += ["--api-key", key]
    return Sandbox(start_server("bizstim", args), db, keys, rate_limit, rate_window)


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def bizmig(
    args: list[str],
    sandbox: Sandbox,
    duckdb: Path,
    keys: tuple[str, ...] | None = None,
    timeout: float = 600,
) -> CliRun:
    env = {
        **os.environ,
        "BIZSTIM_BASE_URL": f"{sandbox.server.url}/api",
        "BIZSTIM_API_KEYS": ",".join(keys if keys is not None else sandbox.keys),
        "BIZSTIM_RATE_LIMIT": str(sandbox.rate_limit),
        "BIZSTIM_RATE_WINDOW": str(sandbox.rate_window),
        "BIZMIG_DUCKDB": str(duckdb),
        "COLUMNS": "200",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bizmig.cli", *args],
        env=env,
        cwd=duckdb.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def fast_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A small account with a budget too large to matter: for content and count checks."""
    box = start_sandbox(
        tmp_path_factory.mktemp("bizstim-fast"), 150, 11, (KEY_A, KEY_B), 100_000, 3600
    )
    yield box
    box.server.stop()
