"""Fixtures: private copies of the built account (``built_template``, tests/conftest.py) and
fresh Twenty stand-ins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from sandbox.servers import RunningServer, start_server
from tests.conftest import FAST_RETRIES

TWENTY_KEY = "load-test-twenty-key"
FAST = ["--rate-limit", "100000", "--rate-window", "1"]  # client pacing out of the way


@dataclass
class Twenty:
    server: RunningServer
    key: str = TWENTY_KEY

    @property
    def url(self) -> str:
        return self.server.url

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"})

    def all_records(self, plural: str, deleted: bool = False) -> list[dict[str, Any]]:
        records, cursor = [], None
        with self.http() as http:
            while True:
                params: dict[str, Any] = {"limit": 200}
                if deleted:
                    params["filter"] = "deletedAt[is]:NOT_NULL"
                if cursor:
                    params["starting_after"] = cursor
                body = self._get(http, f"/rest/{plural}", params)
                records += body["data"][plural]
                cursor = body["pageInfo"].get("endCursor")
                if not body["pageInfo"].get("hasNextPage"):
                    return records

    @staticmethod
    def _get(http: httpx.Client, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """GET through injected faults (429 / 500) the way any client would: try again."""
        for _ in range(50):
            response = http.get(path, params=params)
            if response.status_code == 200:
                return response.json()
            time.sleep(0.2 if response.status_code == 429 else 0.05)
        raise AssertionError(f"GET {path} kept failing: {response.status_code}")

    def writes(self, since: int = 0) -> list[dict[str, Any]]:
        return [r for r in self.server.requests(since) if r["method"] != "GET"]


def start_twenty(tmp: Path, *extra: str, members: tuple[str, ...] = ()) -> Twenty:
    args = ["--api-key", TWENTY_KEY, "--db", str(tmp / "twenty.sqlite"), *extra]
    for member in members:
        args += ["--member", member]
    return Twenty(start_server("twenty", args))


@pytest.fixture
def twenty(tmp_path: Path) -> Iterator[Twenty]:
    server = start_twenty(tmp_path, "--rate-limit", "0")
    yield server
    server.server.stop()


@dataclass
class Cli:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def bizmig(args: list[str], staging: Path, twenty: Twenty, timeout: float = 600) -> Cli:
    env = {
        **os.environ,
        **FAST_RETRIES,
        "TWENTY_API_URL": twenty.url,
        "TWENTY_API_KEY": twenty.key,
        "BIZMIG_DUCKDB": str(staging),
        "COLUMNS": "200",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bizmig.cli", *args],
        env=env,
        cwd=staging.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Cli(proc.returncode, proc.stdout, proc.stderr)


def load(staging: Path, twenty: Twenty, *extra: str) -> Cli:
    return bizmig(
        ["load", "--yes", "--allow-unmatched-owners", "--json", *FAST, *extra], staging, twenty
    )


def mart_counts(staging: Path) -> dict[str, int]:
    from load.twenty.specs import LOAD_ORDER

    with duckdb.connect(str(staging), read_only=True) as con:
        return {
            s.singular: con.execute(f"select count(*) from {s.relation}").fetchone()[0]
            for s in LOAD_ORDER
        }
