"""Fixtures: raw data landed by the real extraction from a real Bizstim sandbox, then dbt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.servers import RunningServer, start_server

PROJECT_DIR = Path(__file__).resolve().parents[2]
API_KEY = "dbt-test-key-000000000000000000000000000001"


@dataclass
class Warehouse:
    """A sandbox account, its extraction into DuckDB and the last `dbt build` over it."""

    server: RunningServer
    duckdb_path: Path
    build: subprocess.CompletedProcess[str]

    def extract(self) -> None:
        env = {
            **os.environ,
            "BIZSTIM_BASE_URL": f"{self.server.url}/api",
            "BIZSTIM_API_KEYS": API_KEY,
            # scaled clock: a budget far above what the run needs
            "BIZSTIM_RATE_LIMIT": "100000",
            "BIZSTIM_RATE_WINDOW": "1",
            "BIZMIG_DUCKDB": str(self.duckdb_path),
        }
        subprocess.run(
            [sys.executable, "-m", "bizmig.cli", "extract", "--json"],
            env=env,
            cwd=self.duckdb_path.parent,
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def dbt_build(self) -> subprocess.CompletedProcess[str]:
        self.build = run_dbt(["build"], self.duckdb_path)
        return self.build

    def mutate(self, table: str, op: str, record_id: str, values: dict[str, str]) -> None:
        body = json.dumps({"table": table, "op": op, "id": record_id, "values": values})
        request = urllib.request.Request(
            f"{self.server.url}/_sandbox/mutate",
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request).read()

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(sql).fetchall()


def run_dbt(args: list[str], duckdb_path: Path) -> subprocess.CompletedProcess[str]:
    dbt = str(Path(sys.executable).with_name("dbt"))
    env = {**os.environ, "BIZMIG_DUCKDB": str(duckdb_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "0"}
    return subprocess.run(
        [
            dbt,
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(duckdb_path.parent / "target"),
            "--log-path",
            str(duckdb_path.parent / "logs"),
        ],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """The default sandbox account (300 clients, seed 42) extracted and built with dbt."""
    tmp = tmp_path_factory.mktemp("dbt")
    args = [
        "--clients",
        "300",
        "--seed",
        "42",
        "--db",
        str(tmp / "bizstim.sqlite"),
        "--api-key",
        API_KEY,
        "--rate-limit",
        "100000",
        "--rate-window",
        "1",
    ]
    server = start_server("bizstim", args)
    try:
        built = Warehouse(server, tmp / "bizmig.duckdb", subprocess.CompletedProcess([], 0))
        built.extract()
        built.dbt_build()
        yield built
    finally:
        server.stop()
