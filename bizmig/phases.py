"""The migration as phases with gates: scope → extract → transform → load → reconcile.

Each phase ends with a *gate*: a row-count reconciliation of what it produced. The next phase
starts only when the gate holds, unless the run is forced (``--force``), which is recorded in
``migration.phase_log`` and shown in the report. A run that stops (failure, gate, kill, Ctrl-C)
is resumed by running it again: finished phases are skipped, and the unfinished one continues
where it stopped (the extraction from its cycle and spool, the load from its ledger).

A finished phase is skipped only if it ran with the inputs the rerun gives it (recorded as
``detail.inputs``): seen on a fresh clone, ``migrate --sample 10%`` got past transform, then
``migrate --sample 50%`` said "transform: done in an earlier attempt…, skipped" and loaded the
10 % sample. Now a changed input redoes that phase and every phase after it (their earlier rows
become ``superseded``); a changed Bizstim URL is refused instead, because the extracted raw data
of one account would be mixed with another's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from rich.markup import escape

from common.duck import connect
from common.settings import ConfigError

PHASES = ("scope", "extract", "transform", "load", "reconcile")
PROJECT_DIR = Path(__file__).resolve().parents[1]
LOCK_WAIT_SECONDS = 60.0  # a load or `dbt build` holding the file

DDL = """
create schema if not exists migration;
create table if not exists migration.phase_log (
    run_id varchar not null, phase varchar not null, started_at timestamptz not null,
    finished_at timestamptz, status varchar not null, gate_ok boolean, forced boolean,
    detail json);
comment on table migration.phase_log is 'bizmig migrate: one row per phase attempt (scope, \
extract, transform, load, reconcile). status done / failed / interrupted / superseded (redone \
because its inputs changed); forced = the gate failed and --force went on; detail.inputs = the \
options the phase ran with.';
"""


REFUSE_CHANGES = frozenset({"scope", "extract"})  # inputs = the Bizstim account


class InputsChanged(ConfigError):
    """A finished phase's inputs changed in a way a redo cannot fix."""


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

    def _connect(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return connect(self.path, wait=LOCK_WAIT_SECONDS)

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

    def done(self, run_id: str) -> dict[str, Any]:
        """Finished phases of the run → the inputs they ran with (None: not recorded)."""
        with self._connect() as con:
            rows = con.execute(
                "select phase, detail from migration.phase_log where run_id = ? and "
                "status = 'done' order by started_at",
                [run_id],
            ).fetchall()
        return {r[0]: (json.loads(r[1]) if r[1] else {}).get("inputs") for r in rows}

    def supersede(self, run_id: str, phases: list[str]) -> None:
        """Finished phases that must run again: kept in the log, no longer counted as done."""
        with self._connect() as con:
            con.execute(
                "update migration.phase_log set status = 'superseded' where run_id = ? and "
                "status = 'done' and list_contains(?, phase)",
                [run_id, phases],
            )

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


def _canonical(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    keys = sorted(set(before) | set(after))
    return ", ".join(
        f"{k} {before.get(k)!r} → {after.get(k)!r}" for k in keys if before.get(k) != after.get(k)
    )


def phases_to_redo(
    run_id: str, done: dict[str, Any], inputs: dict[str, dict[str, Any]]
) -> tuple[list[str], str]:
    """The finished phases whose recorded inputs differ from this attempt's, with every phase
    after the first of them; and why (empty when nothing changed)."""
    for i, phase in enumerate(PHASES):
        recorded, now = done.get(phase), _canonical(inputs.get(phase, {}))
        if phase not in done or recorded is None or _canonical(recorded) == now:
            continue
        why = f"{phase} ran with {_changes(recorded, now)}"
        if phase in REFUSE_CHANGES:
            raise InputsChanged(
                f"run {run_id} cannot continue: its {why}. Finish it with the earlier setting, "
                "or migrate the other account into another staging file (--duckdb)"
            )
        return [p for p in PHASES[i:] if p in done], why
    return [], ""


def run_phases(
    log: PhaseLog,
    run_id: str,
    steps: dict[str, Callable[[], PhaseOutcome]],
    force: bool,
    announce: Callable[[str], None] = print,
    inputs: dict[str, dict[str, Any]] | None = None,
) -> dict[str, PhaseOutcome]:
    """Run the phases not yet done; ``inputs``: per phase, the options that decide what it
    produces (recorded; a finished phase whose inputs changed is redone, see above)."""
    inputs = inputs or {}
    done = log.done(run_id)
    redo, why = phases_to_redo(run_id, done, inputs)
    if redo:
        announce(f"[yellow]{why}: redoing {', '.join(redo)}[/]")
        log.supersede(run_id, redo)
        done = {p: v for p, v in done.items() if p not in redo}
    outcomes: dict[str, PhaseOutcome] = {}
    for phase in PHASES:
        if phase not in steps:
            continue
        if phase in done:
            announce(f"{phase}: done in an earlier attempt of run {run_id}, skipped")
            continue
        announce(f"[bold]{phase}[/]")
        log.start(run_id, phase)
        recorded = {"inputs": inputs.get(phase, {})}
        try:
            outcome = steps[phase]()
        except KeyboardInterrupt:
            log.finish(run_id, phase, "interrupted", None, False, recorded)
            raise
        except BaseException as exc:
            log.finish(run_id, phase, "failed", None, False, {**recorded, "error": str(exc)[:2000]})
            raise
        ok = not outcome.problems
        log.finish(
            run_id,
            phase,
            "done" if ok or force else "failed",
            ok,
            force and not ok,
            {**outcome.detail, "gate_problems": outcome.problems, **recorded},
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
# dbt's structured events (`--log-format json`) that say a node finished: `data.index` of
# `data.total` (a test result names its total `num_models`). The hooks' "1 of 1" and the START
# lines are not progress. Read from the events, not the text: a translated or re-worded line,
# or a node named "3 of 9 OK", cannot move the bar.
FINISHED_EVENTS = frozenset(
    {
        "LogModelResult",
        "LogSeedResult",
        "LogTestResult",
        "LogSnapshotResult",
        "LogFunctionResult",
        "LogFreshnessResult",
        "LogNodeNoOpResult",
        "SkippingDetails",
        "LogSkipBecauseError",
    }
)


@dataclass(frozen=True)
class DbtLine:
    text: str  # the human line (the event's `msg`), for gate messages and the report
    done: int | None = None  # nodes finished, when the event says a node finished
    total: int | None = None


def read_dbt_line(line: str) -> DbtLine:
    """One line of ``dbt --log-format json`` output; a line that is not an event (a Python
    warning on the same pipe) is kept as text."""
    try:
        event = json.loads(line)
        info, data = event["info"], event.get("data") or {}
    except (ValueError, KeyError, TypeError):
        return DbtLine(line.rstrip())
    text = str(info.get("msg", "")).rstrip()
    if info.get("name") in FINISHED_EVENTS and "index" in data:
        total = data.get("total", data.get("num_models"))
        if total:
            return DbtLine(text, int(data["index"]), int(total))
    return DbtLine(text)


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
        "--no-use-colors",  # the output ends up in gate messages and the report
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
    cmd, env = _dbt(["build", "--log-format", "json", *extra], duckdb_path, project_dir)
    process = subprocess.Popen(
        cmd, cwd=project_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    assert process.stdout is not None
    try:
        for raw in process.stdout:
            line = read_dbt_line(raw)
            lines.extend(line.text.splitlines() or [""])
            if line.done is not None and line.total is not None and on_progress is not None:
                on_progress(line.done, line.total)
        return process.wait(), "\n".join(lines[-40:])
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    """dbt must not outlive us (Ctrl-C, a failure reading its output): its on-run-end hook
    is not needed to tell, an unfinished build is recorded as such (load.core.build_state)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def dbt_docs(duckdb_path: Path, project_dir: Path = PROJECT_DIR) -> Path | None:
    """``dbt docs generate --static`` (the lineage page the report copies beside itself: one
    file that opens from disk); None if it failed."""
    # the build just wrote the manifest: no need to compile the project a second time
    cmd, env = _dbt(["docs", "generate", "--static", "--no-compile"], duckdb_path, project_dir)
    result = subprocess.run(
        cmd, cwd=project_dir, env=env, capture_output=True, text=True, check=False
    )
    page = duckdb_path.parent / "target" / "static_index.html"
    return page if result.returncode == 0 and page.exists() else None
