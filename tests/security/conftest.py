"""A migration whose source carries HTML/script payloads, and its artifacts, for the security suite.

The account is the usual small sandbox account with hostile text written into the fields that
can reach a report or a log: names, e-mails (an invalid one is quoted in a quarantine reason),
notes, a custom field's name and value, a service and a location name, a Bizstim user's name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bizmig.demo import copy_project
from sandbox.servers import RunningServer, start_server
from tests.load.conftest import Twenty

BIZSTIM_KEYS = (
    "sec-bizstim-key-A-7f3c9e1d5b2a4c6e8f0a1b3d5c7e9f1a",
    "sec-bizstim-key-B-2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a2c",
)
TWENTY_KEY = "sec-twenty-key-9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d"

SCRIPT = "<script>alert('bizmig')</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = "<svg onload=alert(2)>"
# Written into the source before extraction: (table, position in its list, {field: value}).
PAYLOADS: list[tuple[str, int, dict[str, str]]] = [
    ("clients", 0, {"first_name": f"Zoë {SCRIPT}", "notes": f"<b>bold</b> {IMG}"}),
    ("clients", 1, {"email": f'"><img src=x onerror=alert(3)>@{SCRIPT}'}),
    ("clients", 2, {"last_name": "\u202eevil\u202c אבגד", "p_phone": SVG}),
    ("users", 0, {"first_name": SCRIPT, "last_name": IMG}),
    ("customfields", 0, {"name": f"Note {SVG} [/] [bold]"}),  # Rich markup too
    ("services", 0, {"name": f"Maths {SCRIPT}"}),
    ("locations", 0, {"location_name": f"Room {IMG}"}),
]


@dataclass
class Migrated:
    bizstim: RunningServer
    twenty: Twenty
    work: Path  # every file the migration wrote, its captured output and its HOME
    exit_code: int
    output: str
    env: dict[str, str]

    @property
    def staging(self) -> Path:
        return self.work / "staging.duckdb"

    def bizmig(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run the CLI like a user would, its output kept under work/ for the secret scan."""
        result = subprocess.run(
            [sys.executable, "-m", "bizmig.cli", *args],
            cwd=self.work, env={**self.env, **env}, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        logs = self.work / "logs-of-cli-runs"
        logs.mkdir(exist_ok=True)
        n = len(list(logs.iterdir()))
        (logs / f"{n:02d}-{args[0]}.log").write_text(result.stdout + result.stderr)
        return result


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


def _nth_id(url: str, key: str, endpoint: str, position: int) -> str:
    request = urllib.request.Request(
        f"{url}/api/{endpoint}/{position}/1", headers={"x-api-key": key}
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["response"][0]["id"]


@pytest.fixture(scope="package")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Migrated]:
    tmp = tmp_path_factory.mktemp("security")
    args = ["--clients", "30", "--seed", "11", "--db", str(tmp / "bizstim.sqlite"),
            "--rate-limit", "100000", "--rate-window", "1"]
    for key in BIZSTIM_KEYS:
        args += ["--api-key", key]
    bizstim = start_server("bizstim", args)
    twenty_args = ["--api-key", TWENTY_KEY, "--db", str(tmp / "twenty.sqlite"), "--rate-limit", "0"]
    twenty = Twenty(start_server("twenty", twenty_args), TWENTY_KEY)
    try:
        for table, position, values in PAYLOADS:
            rid = _nth_id(bizstim.url, BIZSTIM_KEYS[0], table, position)
            _post(f"{bizstim.url}/_sandbox/mutate",
                  {"table": table, "op": "update", "id": rid, "values": values})
        env = {
            **os.environ,
            "HOME": str(tmp / "home"),
            "PYTHONUNBUFFERED": "1",
            "BIZSTIM_BASE_URL": f"{bizstim.url}/api",
            "BIZSTIM_API_KEYS": ",".join(BIZSTIM_KEYS),
            "BIZSTIM_RATE_LIMIT": "100000",
            "BIZSTIM_RATE_WINDOW": "1",
            "TWENTY_API_URL": twenty.url,
            "TWENTY_API_KEY": TWENTY_KEY,
            "BIZMIG_DUCKDB": str(tmp / "staging.duckdb"),
            "BIZMIG_DBT_PROJECT": str(copy_project(tmp / "project")),
        }
        (tmp / "home").mkdir()
        migrated = Migrated(bizstim, twenty, tmp, -1, "", env)
        run = migrated.bizmig(
            "migrate", "--allow-unmatched-owners", "--report", str(tmp / "report"),
            "--twenty-rate-limit", "100000", "--twenty-rate-window", "1",
        )  # fmt: skip
        migrated.exit_code, migrated.output = run.returncode, run.stdout + run.stderr
        yield migrated
    finally:
        twenty.server.stop()
        bizstim.stop()

