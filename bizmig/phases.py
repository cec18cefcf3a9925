"""The migration as phases with gates: scope → extract → transform → load → reconcile.

Each phase ends with a *gate*: a row-count reconciliation of what it produced. The next phase
starts only when the gate holds, unless the run is forced (``--force``), which is recorded in
``migration.phase_log`` and shown in the report. A run that stops (failure, gate, kill) is
resumed by running it again: finished phases are skipped, and the unfinished one continues
where it stopped (the extraction from its cycle and spool, the load from its ledger).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from rich.markup import escape

PHASES = ("scope", "extract", "transform", "load", "reconcile")
PROJECT_DIR = Path(__file__).resolve().parents[1]

DDL = """
create schema if not exists migration;
create table if not exists migration.phase_log (
    run_id varchar not null, phase varchar not null, started_at timestamptz not null,
    finished_at timestamptz, status varchar not null, gate_ok boolean, forced boolean,
    detail json);
"""


class GateFailed(RuntimeError):
    def __init__(self, phase: str, problems: list[str]) -> None:
        self.phase = phase
        self.problems = problems
        super().__init__(f"gate after {phase} failed: " + "; ".join(problems[:10]))


@dataclass
class PhaseOutcome:
    detail: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # gate mismatches


class PhaseLog:
    def __init__(self, duckdb_path: Path) -> None:
        self.path = duckdb_path
        with self._connect() as con:
            con.execute(DDL)

    def _connect(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + 60
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def open_run(self, restart: bool) -> str:
        """The unfinished run to resume, or a new run id."""
        if not restart:
            with self._connect() as con:
                row = con.execute(
                    "select run_id from migration.phase_log group by run_id "
                    "having count(*) filter (where phase = 'reconcile' and status = 'done') = 0 "
                    "order by max(started_at) desc limit 1"
                ).fetchone()
            if row:
                return str(row[0])
        return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]

    def done(self, run_id: str) -> set[str]:
        with self._connect() as con:
            rows = con.execute(
                "select phase from migration.phase_log where run_id = ? and status = 'done'",
                [run_id],
            ).fetchall()
        return {r[0] for r in rows}

    def start(self, run_id: str, phase: str) -> None:
        with self._connect() as con:
            con.execute(
                "insert into migration.phase_log values (?, ?, now(), null, 'running', null, "
                "null, null)",
                [run_id, phase],
            )

    def finish(
        self,
        run_id: str,
        phase: str,
        status: str,
        gate_ok: bool | None,
        forced: bool,
        detail: dict[str, Any],
    ) -> None:
        with self._connect() as con:
            con.execute(
                "update migration.phase_log set finished_at = now(), status = ?, gate_ok = ?, "
                "forced = ?, detail = ? where run_id = ? and phase = ? and status = 'running'",
                [status, gate_ok, forced, json.dumps(detail, default=str), run_id, phase],
            )


def run_phases(
    log: PhaseLog,
    run_id: str,
    steps: dict[str, Callable[[], PhaseOutcome]],
    force: bool,
    announce: Callable[[str], None] = print,
) -> dict[str, PhaseOutcome]:
    done = log.done(run_id)
    outcomes: dict[str, PhaseOutcome] = {}
    for phase in PHASES:
        if phase not in steps:
            continue
        if phase in done:
            announce(f"{phase}: done in an earlier attempt of run {run_id}, skipped")
            continue
        announce(f"[bold]{phase}[/]")
        log.start(run_id, phase)
        try:
            outcome = steps[phase]()
        except BaseException as exc:
            log.finish(run_id, phase, "failed", None, False, {"error": str(exc)[:2000]})
            raise
        ok = not outcome.problems
        log.finish(
            run_id,
            phase,
            "done" if ok or force else "failed",
            ok,
            force and not ok,
            {**outcome.detail, "gate_problems": outcome.problems},
        )
        outcomes[phase] = outcome
        if not ok:
            if not force:
                raise GateFailed(phase, outcome.problems)
            announce(
                f"[yellow]gate after {phase} forced past:[/] "
                + escape("; ".join(outcome.problems[:5]))
            )
    return outcomes


# -- dbt ------------------------------------------------------------------------------------
DBT_PROGRESS = re.compile(r"\b(\d+) of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)")


def _dbt(args: list[str], duckdb_path: Path, project_dir: Path) -> tuple[list[str], dict]:
    """A dbt command on the staging file; target and logs live beside the staging file."""
    work = duckdb_path.parent
    cmd = [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    env = {**os.environ, "BIZMIG_DUCKDB": str(duckdb_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "0"}
    return cmd, env


def dbt_build(
    duckdb_path: Path,
    project_dir: Path = PROJECT_DIR,
    dbt_vars: dict[str, Any] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[int, str]:
    """``dbt build`` on the staging file; returns (exit code, tail of the output)."""
    extra = ["--vars", json.dumps(dbt_vars)] if dbt_vars else []
    cmd, env = _dbt(["build", *extra], duckdb_path, project_dir)
    process = subprocess.Popen(
        cmd, cwd=project_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip())
        match = DBT_PROGRESS.search(line)
        if match and on_progress is not None:
            on_progress(int(match.group(1)), int(match.group(2)))
    return process.wait(), "\n".join(lines[-40:])


def dbt_docs(duckdb_path: Path, project_dir: Path = PROJECT_DIR) -> Path | None:
    """``dbt docs generate`` (the lineage the report links to); None if it failed."""
    # the build just wrote the manifest: no need to compile the project a second time
    cmd, env = _dbt(["docs", "generate", "--no-compile"], duckdb_path, project_dir)
    result = subprocess.run(
        cmd, cwd=project_dir, env=env, capture_output=True, text=True, check=False
    )
    index = duckdb_path.parent / "target" / "index.html"
    return index if result.returncode == 0 and index.exists() else None
