"""`bizmig migrate` as a real process group against both stand-ins, and the checks a resumed or
fault-ridden migration must pass: exact counts, no duplicates, a ledger that matches Twenty and
Twenty's content equal to an undisturbed run's.

The session-scoped ``reference`` is one undisturbed migration of a sandbox account. It runs in
two steps so the crash suite can start load-phase trials from a staging file whose extract and
transform are done: first with a Twenty key the stand-in refuses (scope, extract and transform
finish, the load stops at its first request, nothing is written to Twenty), the directory is
kept as the *load template*, then the same command with the right key resumes into the load.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bizmig.demo import copy_project
from common.exits import ExitCode
from load.core.ledger import LIVE_ACTIONS
from load.core.plan import deterministic_id
from load.twenty.specs import LOAD_ORDER
from sandbox.bizstim.store import counts
from sandbox.servers import RunningServer, start_server
from tests.conftest import FAST_RETRIES
from tests.killing import kill_group
from tests.load.conftest import TWENTY_KEY, Twenty, mart_counts, start_twenty
from tests.load.test_load import PLURALS
from tests.migrate.test_delta import batch_records

BIZSTIM_KEY = "resilience-bizstim-key-000000000000000001"
SEED = 42
STAGING = "staging.duckdb"
# fields Twenty sets itself: they differ between two runs that wrote the same data
SERVER_SET = {"id", "createdAt", "updatedAt", "deletedAt", "position", "createdBy", "updatedBy"}


def account_clients(full_size: bool) -> int:
    """CI: an account that exercises every object in ~2 s of extraction; full: ~10x that."""
    return 300 if full_size else 40


def start_bizstim(db: Path, clients: int, *extra: str) -> RunningServer:
    args = ["--clients", str(clients), "--seed", str(SEED), "--db", str(db)]
    args += ["--api-key", BIZSTIM_KEY, "--rate-limit", "100000", "--rate-window", "1", *extra]
    return start_server("bizstim", args)


@dataclass
class Migration:
    """One `bizmig migrate` command line: a working directory, the stand-ins and the options."""

    workdir: Path
    bizstim_url: str
    twenty_url: str
    project_dir: Path
    twenty_key: str = TWENTY_KEY
    allow_unmatched_owners: bool = True
    bizstim_rate: tuple[int, float] = (100000, 1.0)
    twenty_rate: tuple[int, float] = (100000, 1.0)
    runs: list[int] = field(default_factory=list)  # exit code of every finished attempt

    @property
    def staging(self) -> Path:
        return self.workdir / STAGING

    def command(self) -> tuple[list[str], dict[str, str]]:
        env = {
            **os.environ,
            **FAST_RETRIES,
            "BIZSTIM_BASE_URL": f"{self.bizstim_url}/api",
            "BIZSTIM_API_KEYS": BIZSTIM_KEY,
            "BIZSTIM_RATE_LIMIT": str(self.bizstim_rate[0]),
            "BIZSTIM_RATE_WINDOW": str(self.bizstim_rate[1]),
            "TWENTY_API_URL": self.twenty_url,
            "TWENTY_API_KEY": self.twenty_key,
            "BIZMIG_DUCKDB": str(self.staging),
            "COLUMNS": "200",
            "PYTHONUNBUFFERED": "1",
        }
        cmd = [sys.executable, "-m", "bizmig.cli", "migrate"]
        if self.allow_unmatched_owners:
            cmd.append("--allow-unmatched-owners")
        cmd += ["--project-dir", str(self.project_dir), "--report", str(self.workdir / "report")]
        cmd += ["--twenty-rate-limit", str(self.twenty_rate[0])]
        cmd += ["--twenty-rate-window", str(self.twenty_rate[1])]
        return cmd, env

    def start(self) -> subprocess.Popen:
        """In its own process group: it starts dbt, and a kill must take dbt along."""
        cmd, env = self.command()
        log = (self.workdir / f"attempt-{len(self.runs) + 1}.log").open("w")
        return subprocess.Popen(
            cmd,
            env=env,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def run(self, timeout: float = 900) -> int:
        """One attempt to completion; the exit code."""
        process = self.start()
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            raise
        self.runs.append(code)
        return code

    def output(self) -> str:
        return (self.workdir / f"attempt-{len(self.runs)}.log").read_text(errors="replace")


def killed_in(staging: Path) -> str | None:
    """The phase the kill interrupted: the last one the phase log shows as still running (a
    read-only connection replays the killed process's WAL in memory and changes nothing)."""
    with duckdb.connect(str(staging), read_only=True) as con:
        row = con.execute(
            "select phase, status from migration.phase_log order by started_at desc limit 1"
        ).fetchone()
    return str(row[0]) if row and row[1] == "running" else None


# -- what Twenty holds ------------------------------------------------------------------------
def twenty_records(twenty: Twenty) -> dict[str, list[dict[str, Any]]]:
    return {spec.singular: twenty.all_records(PLURALS[spec.singular]) for spec in LOAD_ORDER}


def record_key(obj: str, record: dict[str, Any]) -> str:
    # note targets carry no bizstimId: their id is a UUIDv5 of the external id
    # (load/twenty/specs.py)
    return record["id"] if obj == "noteTarget" else record["bizstimId"]


def content(records: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """object → key → the record's fields, relations named by the target's key instead of its
    Twenty id, server-set fields left out: equal for two runs that migrated the same data."""
    names = {r["id"]: f"{obj}:{record_key(obj, r)}" for obj, rs in records.items() for r in rs}
    out: dict[str, dict[str, Any]] = {}
    for obj, rs in records.items():
        out[obj] = {}
        for r in rs:
            fields = {
                name: names.get(value, value) if isinstance(value, str) else value
                for name, value in r.items()
                if name not in SERVER_SET
            }
            out[obj][record_key(obj, r)] = fields
    return out


def problems_with(
    staging: Path, records: dict[str, list[dict[str, Any]]], source_db: Path
) -> list[str]:
    """Everything wrong with a finished migration (empty when it is exact)."""
    problems: list[str] = []
    expected = mart_counts(staging)
    for obj, rs in records.items():
        if len(rs) != expected[obj]:
            problems.append(f"{obj}: {len(rs)} in Twenty, {expected[obj]} in the mart")
        keys = [record_key(obj, r) for r in rs]
        if len(set(keys)) != len(keys):
            problems.append(f"{obj}: {len(keys) - len(set(keys))} duplicate external ids")
    emails = [
        str(p["emails"]["primaryEmail"]).lower()
        for p in records["person"]
        if (p.get("emails") or {}).get("primaryEmail")
    ]
    if len(set(emails)) != len(emails):
        problems.append(f"person: {len(emails) - len(set(emails))} duplicate primary e-mails")
    problems += _source_problems(staging, source_db)
    problems += _ledger_problems(staging, records)
    return problems


def _source_problems(staging: Path, source_db: Path) -> list[str]:
    """Source = mapped + quarantined + excluded, and the landed source = the sandbox's rows."""
    source = counts(source_db)
    problems = []
    with duckdb.connect(str(staging), read_only=True) as con:
        rows = con.execute(
            "select object_name, source_table, source_rows, adds_up "
            "from migration.migration__reconciliation"
        ).fetchall()
    for obj, table, n, adds_up in rows:
        if not adds_up:
            problems.append(f"{obj}/{table}: source ≠ mapped + quarantined + excluded")
        if table in source and n != source[table]:
            problems.append(f"{obj}/{table}: {n} landed, the source holds {source[table]}")
    return problems


def _ledger_problems(staging: Path, records: dict[str, list[dict[str, Any]]]) -> list[str]:
    with duckdb.connect(str(staging), read_only=True) as con:
        pending = con.execute(
            "select count(*) from migration.ledger where state = 'pending'"
        ).fetchone()[0]
        live = con.execute(
            "select object, external_id, record_id from migration.ledger_current "
            f"where action in {tuple(LIVE_ACTIONS)}"
        ).fetchall()
    problems = [f"{pending} ledger rows still pending"] if pending else []
    ledger: dict[str, set[tuple[str, str]]] = {obj: set() for obj in records}
    for obj, external_id, twenty_id in live:
        ledger.setdefault(obj, set()).add((external_id, twenty_id))
    for obj, rs in records.items():
        if obj == "noteTarget":  # no bizstimId: the ids themselves are derived from it
            in_twenty: set[Any] = {r["id"] for r in rs}
            in_ledger: set[Any] = {twenty_id for _, twenty_id in ledger[obj]}
            problems += [
                f"{obj} {ext}: ledger id {tid} is not the one derived from its external id"
                for ext, tid in ledger[obj]
                if tid != deterministic_id(obj, ext)
            ]
        else:
            in_twenty, in_ledger = {(r["bizstimId"], r["id"]) for r in rs}, ledger[obj]
        if in_ledger != in_twenty:
            problems.append(
                f"{obj}: {len(in_ledger - in_twenty)} live ledger entries without their Twenty "
                f"record, {len(in_twenty - in_ledger)} Twenty records without a ledger entry"
            )
    return problems


def differences(
    actual: dict[str, dict[str, Any]], reference: dict[str, dict[str, Any]]
) -> list[str]:
    out = []
    for obj, records in reference.items():
        got = actual.get(obj, {})
        missing = sorted(set(records) - set(got))
        extra = sorted(set(got) - set(records))
        changed = sorted(k for k in set(records) & set(got) if records[k] != got[k])
        if missing or extra or changed:
            out.append(f"{obj}: missing {missing[:3]}, extra {extra[:3]}, changed {changed[:3]}")
    return out


# -- the reference run ------------------------------------------------------------------------
@dataclass
class Reference:
    source_db: Path  # the sandbox account's SQLite file (the source of truth)
    clients: int  # the account's size (a faulty sandbox on the same file must say the same)
    bizstim: RunningServer  # fault-free, shared by the trials (they read its log from an offset)
    project_dir: Path
    template: Path  # directory of a staging file with scope, extract and transform done
    content: dict[str, dict[str, Any]]
    extract_requests: tuple[int, int]  # Bizstim log range [first, end) of the extract phase
    schema_requests: int  # of which the schema setup (metadata) before the first record write
    load_requests: int  # Twenty requests the undisturbed load phase made
    batch_records: int  # records the undisturbed load sent in successful batch writes
    twenty_requests: int  # Twenty requests of load + reconcile
    bizstim_requests: int  # Bizstim requests of scope + extract
    seconds: float


def phase_window(staging: Path, phase: str) -> tuple[float, float]:
    with duckdb.connect(str(staging), read_only=True) as con:
        row = con.execute(
            "select epoch(started_at), epoch(finished_at) from migration.phase_log "
            "where phase = ? and status = 'done'",
            [phase],
        ).fetchone()
    return float(row[0]), float(row[1])


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory, full_size: bool) -> Iterator[Reference]:
    tmp = tmp_path_factory.mktemp("resilience")
    source_db = tmp / "bizstim.sqlite"
    clients = account_clients(full_size)
    bizstim = start_bizstim(source_db, clients)
    twenty = start_twenty(tmp, "--rate-limit", "0")
    try:
        project = copy_project(tmp / "project")
        template = tmp / "template"
        template.mkdir()
        started = time.monotonic()
        # the template: extracted and built, the load refused before any write (the stand-in
        # has no workspace members; a refused key would now stop before the extraction)
        first = Migration(template, bizstim.url, twenty.url, project, allow_unmatched_owners=False)
        assert first.run() == ExitCode.UNMATCHED_OWNERS, first.output()[-3000:]
        assert "without a workspace member" in first.output(), first.output()[-3000:]
        assert twenty.writes() == []
        log = bizstim.requests()
        extract = phase_window(template / STAGING, "extract")
        lo = sum(1 for r in log if r["ts"] < extract[0])
        run_dir = tmp / "reference"
        shutil.copytree(template, run_dir)
        twenty.server.reset_log()
        second = Migration(run_dir, bizstim.url, twenty.url, project)
        assert second.run() == 0, second.output()[-3000:]
        seconds = time.monotonic() - started
        twenty_log = twenty.server.requests()
        load_end = phase_window(run_dir / STAGING, "load")[1]
        load_log = [r for r in twenty_log if r["ts"] <= load_end]
        metadata = [i for i, r in enumerate(load_log) if r["path"].startswith("/rest/metadata/")]
        records = twenty_records(twenty)
        problems = problems_with(run_dir / STAGING, records, source_db)
        assert problems == [], problems
        yield Reference(
            source_db=source_db,
            clients=clients,
            bizstim=bizstim,
            project_dir=project,
            template=template,
            content=content(records),
            extract_requests=(lo, len(log)),
            schema_requests=metadata[-1] + 1,
            load_requests=len(load_log),
            batch_records=batch_records(twenty_log),
            twenty_requests=len(twenty_log),
            bizstim_requests=len(log),
            seconds=seconds,
        )
    finally:
        twenty.server.stop()
        bizstim.stop()


def figures(title: str, rows: list[dict[str, Any]]) -> None:
    """Print a suite's figures (pytest -s shows them; they also land in the JSON beside)."""
    print(f"\n== {title} ==")
    for row in rows:
        print("  " + json.dumps(row, default=str))
