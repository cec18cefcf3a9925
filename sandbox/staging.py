"""A staging file built from a stand-in account: the real extraction, then the real `dbt build`.

Tests and benchmarks both need one (tests/load, benchmarks/load.py); it lived in
``tests/load/conftest.py`` and ``tests/dbt/conftest.py``, so the benchmark imported the test
suite (tests/test_layers.py forbids that now). Everything runs as subprocesses, the way an
operator runs it: ``bizmig extract`` against a ``bizmig sandbox bizstim`` server, then dbt.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sandbox.servers import start_server

PROJECT_DIR = Path(__file__).resolve().parents[1]
BIZSTIM_KEY = "load-test-bizstim-key-00000000000000000001"


def run_dbt(
    args: list[str], duckdb_path: Path, project_dir: Path = PROJECT_DIR
) -> subprocess.CompletedProcess[str]:
    """``dbt <args>`` on ``duckdb_path``, target and logs beside the file, output captured."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    env = {**os.environ, "BIZMIG_DUCKDB": str(duckdb_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "0"}
    return subprocess.run(
        [
            dbt,
            *args,
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(duckdb_path.parent / "target"),
            "--log-path",
            str(duckdb_path.parent / "logs"),
        ],
        env=env,
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def extract_and_build(tmp: Path, clients: int = 40, seed: int = 42) -> Path:
    """A sandbox account landed by the real extraction and built by dbt: `tmp/template.duckdb`."""
    args = ["--clients", str(clients), "--seed", str(seed), "--db", str(tmp / "bizstim.sqlite")]
    args += ["--api-key", BIZSTIM_KEY, "--rate-limit", "100000", "--rate-window", "1"]
    server = start_server("bizstim", args)
    db = tmp / "template.duckdb"
    try:
        env = {
            **os.environ,
            "BIZSTIM_BASE_URL": f"{server.url}/api",
            "BIZSTIM_API_KEYS": BIZSTIM_KEY,
            "BIZSTIM_RATE_LIMIT": "100000",
            "BIZSTIM_RATE_WINDOW": "1",
            "BIZMIG_DUCKDB": str(db),
        }
        subprocess.run(
            [sys.executable, "-m", "bizmig.cli", "extract"],
            env=env,
            cwd=tmp,
            check=True,
            capture_output=True,
            timeout=600,
        )
    finally:
        server.stop()
    build = run_dbt(["build"], db)
    if build.returncode != 0:
        raise RuntimeError(f"dbt build failed on {db}:\n{build.stdout[-3000:]}")
    return db
