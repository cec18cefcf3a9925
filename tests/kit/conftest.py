"""The kit's fixtures: one destination per parameter, its stand-in, and ``bizmig --to`` runs.

``undisturbed`` is one fault-free load per destination, built once per test run (whichever
xdist worker asks first; tests/conftest.py ``build_once``): the content every resumed or
fault-ridden load must end up equal to.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from load.core.ledger import LIVE_ACTIONS
from tests.conftest import FAST_RETRIES, build_once, is_full_size
from tests.kit.harness import HARNESSES, Harness, Holdings, StandIn
from tests.load.conftest import FAST, Cli
from tests.resilience.conftest import differences as content_differences

KILL_POINTS = (2, 6)  # CI, --full-size: seeded kill points per destination


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "kill_point" in metafunc.fixturenames:
        full = is_full_size(metafunc.config)
        metafunc.parametrize("kill_point", range(KILL_POINTS[full]))


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest) -> Harness:
    return HARNESSES[request.param]


@pytest.fixture
def start(harness: Harness, tmp_path: Path) -> Iterator[Callable[..., StandIn]]:
    """Start the destination's stand-in with options; stopped after the test."""
    started: list[StandIn] = []

    def _start(*options: str) -> StandIn:
        stand_in = harness.start(tmp_path, *options)
        started.append(stand_in)
        return stand_in

    yield _start
    for stand_in in started:
        stand_in.stop()


def command(
    harness: Harness, stand_in: StandIn, staging: Path, *args: str
) -> tuple[list[str], dict[str, str]]:
    env = {
        **os.environ,
        **FAST_RETRIES,
        **harness.env(stand_in),
        "BIZMIG_DUCKDB": str(staging),
        "COLUMNS": "200",
    }
    return [sys.executable, "-m", "bizmig.cli", *args], env


def bizmig(harness: Harness, stand_in: StandIn, staging: Path, *args: str) -> Cli:
    cmd, env = command(harness, stand_in, staging, *args)
    proc = subprocess.run(
        cmd, env=env, cwd=staging.parent, capture_output=True, text=True, timeout=600
    )
    return Cli(proc.returncode, proc.stdout, proc.stderr)


def load_args(harness: Harness) -> list[str]:
    return ["load", "--to", harness.name, "--yes", "--allow-unmatched-owners", "--json", *FAST]


def load(harness: Harness, stand_in: StandIn, staging: Path) -> Cli:
    return bizmig(harness, stand_in, staging, *load_args(harness))


def problems(harness: Harness, held: Holdings, staging: Path) -> list[str]:
    """Everything wrong with a finished load (empty when it is exact): counts against the
    marts, duplicate external ids, ledger rows still pending or not matching the destination."""
    out: list[str] = []
    with duckdb.connect(str(staging), read_only=True) as con:
        pending = con.execute(
            "select count(*) from migration.ledger where state = 'pending' and destination = ?",
            [harness.name],
        ).fetchone()[0]
        live = dict(
            con.execute(
                "select object, count(*) from migration.ledger_current "
                f"where destination = ? and action in {tuple(LIVE_ACTIONS)} group by object",
                [harness.name],
            ).fetchall()
        )
    if pending:
        out.append(f"{pending} ledger rows still pending")
    for obj, rows in harness.expected(staging).items():
        keys = [key for key, _ in held.get(obj, [])]
        if len(keys) != rows:
            out.append(f"{obj}: {len(keys)} held, {rows} in the marts")
        if len(set(keys)) != len(keys):
            out.append(f"{obj}: {len(keys) - len(set(keys))} duplicate external ids")
        if live.get(obj, 0) != len(keys):
            out.append(f"{obj}: {live.get(obj, 0)} live ledger rows, {len(keys)} held")
    return out


def by_key(held: Holdings) -> dict[str, dict[str, Any]]:
    return {obj: dict(records) for obj, records in held.items()}


def differences(held: Holdings, reference: dict[str, dict[str, Any]]) -> list[str]:
    """Objects whose records are missing, extra or changed against ``reference``."""
    return content_differences(by_key(held), reference)


@dataclass(frozen=True)
class Undisturbed:
    content: dict[str, dict[str, Any]]  # object → external id → content
    record_writes: int


@pytest.fixture
def undisturbed(
    harness: Harness, built_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Undisturbed:
    def _build(directory: Path) -> None:
        staging = directory / "staging.duckdb"
        shutil.copy(built_template, staging)
        stand_in = harness.start(directory)
        try:
            result = load(harness, stand_in, staging)
            assert result.returncode == 0, result.stderr[-3000:]
            held = harness.holdings(stand_in)
            assert problems(harness, held, staging) == []
            writes = sum(map(harness.is_record_write, stand_in.requests()))
        finally:
            stand_in.stop()
        (directory / "undisturbed.json").write_text(
            json.dumps({"content": by_key(held), "record_writes": writes})
        )

    directory = build_once(tmp_path_factory, f"kit-{harness.name}-undisturbed", _build)
    saved = json.loads((directory / "undisturbed.json").read_text())
    return Undisturbed(saved["content"], saved["record_writes"])
