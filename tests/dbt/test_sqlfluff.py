"""The SQL is sqlfluff-clean (dbt templater), rendered against a real built warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sandbox.staging import PROJECT_DIR


def test_models_macros_and_dbt_tests_lint_clean(warehouse, tmp_path):
    db = tmp_path / "bizmig.duckdb"  # the templater opens the file: give it a private copy
    shutil.copy(warehouse.duckdb_path, db)
    sqlfluff = str(Path(sys.executable).with_name("sqlfluff"))
    result = subprocess.run(
        [
            sqlfluff,
            "lint",
            "models",
            "macros",
            "dbt_tests",
            "--processes",
            "2",
            "--format",
            "github-annotation-native",
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, "BIZMIG_DUCKDB": str(db)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    problems = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert problems == [], "\n".join(problems[:30])
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
