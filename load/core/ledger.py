"""The migration ledger: every write the loader makes, in the staging DuckDB file.

Tables (schema ``migration``; auditors query them directly):

* ``migration.load_runs``: one row per ``bizmig load`` / ``rollback`` run, with its destination;
* ``migration.ledger``: one row per record per run: destination (``twenty``, ``salesforce``,
  ...), object, external id, the destination's record id (``record_id``), action
  (``created`` / ``updated`` / ``restored`` / ``unchanged`` / ``quarantined`` / ``archived``
  / ``destroyed`` / ``reverted``; ``unexpected``, always ``failed``: an answer row of a batch
  that no input carried, see :mod:`load.core.answers`), state (``pending`` → ``committed`` |
  ``failed``), row hash, the before-image of a pre-existing destination record the load changed,
  the destination's message;
* ``migration.schema_ledger``: custom objects and fields the loader created (for rollback);
* ``migration.ledger_current``: view, the latest committed state of every record.

One DuckDB file can feed several destinations, so every row names its destination and every
read filters by it. Files written before destinations had names (the column was ``twenty_id``,
there was no ``destination``) are migrated in place when a :class:`Ledger` opens them: the
column is renamed, ``destination`` is added as ``'twenty'``, and a journal left by a killed
older run (ten values per row) replays as Twenty's.

Rows are written ``pending`` *before* a batch is sent and flipped to ``committed`` after the
answer, so a run killed in between can tell, on resume, which records it had asked the
destination to create. DuckDB lets one process write a file at a time: writes go through a
journal and reach DuckDB in short transactions every couple of seconds (see :class:`Ledger`),
retried while another process (an auditor's read-only session, say) holds the file, so the
loader never holds the lock for the whole load.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from load.core.journal import Journal, read_journal

SCHEMA = "migration"

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {SCHEMA}.load_runs (
    run_id varchar primary key, command varchar not null, started_at timestamptz not null,
    finished_at timestamptz, status varchar not null, destination_url varchar,
    generation varchar, options json, destination varchar default 'twenty');
create table if not exists {SCHEMA}.ledger (
    seq bigint primary key,
    run_id varchar not null, object varchar not null, external_id varchar not null,
    record_id varchar, action varchar not null, state varchar not null, row_hash varchar,
    before_image json, message varchar, recorded_at timestamptz not null default now(),
    destination varchar not null default 'twenty');
create table if not exists {SCHEMA}.schema_ledger (
    run_id varchar not null, kind varchar not null, object varchar not null,
    name varchar not null, metadata_id varchar not null,
    created_at timestamptz not null default now(), destination varchar default 'twenty');
create or replace view {SCHEMA}.ledger_current as
    select * from {SCHEMA}.ledger
    where state = 'committed'
    qualify row_number() over (
        partition by destination, object, external_id order by seq desc) = 1;
comment on table {SCHEMA}.load_runs is 'One row per bizmig load / dry run / rollback: \
destination and its URL, server generation, status, options (incl. the dbt build it read and \
whether --force went past it).';
comment on table {SCHEMA}.ledger is 'Every write the loader made to a destination, one row per \
record per run (bizmig load; load/core/ledger.py). Rows are pending before a batch is sent and \
committed or failed after its answer.';
comment on column {SCHEMA}.ledger.record_id is 'The record''s id in the destination.';
comment on column {SCHEMA}.ledger.action is 'created / updated / restored / unchanged / \
quarantined (the destination refused it; message says why) / archived / destroyed / reverted / \
unexpected (state failed: a batch answer row no input carried)';
comment on column {SCHEMA}.ledger.external_id is 'The mart''s external_id, also the record''s \
external-id field in the destination (Twenty bizstimId; note targets: a UUIDv5 of it is the id).';
comment on column {SCHEMA}.ledger.row_hash is 'The mart row''s hash when written: an equal \
hash on the next load means unchanged (the delta cutover).';
comment on column {SCHEMA}.ledger.before_image is 'The destination record as it was before \
this run changed it (rollback restores it).';
comment on table {SCHEMA}.schema_ledger is 'Custom objects and fields the loader created in a \
destination (bizmig rollback --schema removes them).';
comment on view {SCHEMA}.ledger_current is 'The latest committed ledger row of every record per \
destination: what the destination holds according to the loader.';
"""

LIVE_ACTIONS = ("created", "updated", "restored", "unchanged")
_ONE_AT_A_TIME = threading.RLock()  # see Ledger.connect

ROW_COLUMNS = (
    "seq",
    "run_id",
    "object",
    "external_id",
    "record_id",
    "action",
    "state",
    "row_hash",
    "before_image",
    "message",
    "destination",
)
ROW_SCHEMA = pa.schema([("seq", pa.int64())] + [(c, pa.string()) for c in ROW_COLUMNS[1:]])
SELECT_ROWS = ", ".join("before_image::json" if c == "before_image" else c for c in ROW_COLUMNS)
SETTLE_SCHEMA = pa.schema([("seq", pa.int64()), ("record_id", pa.string()), ("state", pa.string())])


@dataclass(frozen=True)
class Entry:
    object: str
    external_id: str
    action: str
    record_id: str | None = None
    row_hash: str | None = None
    before_image: dict[str, Any] | None = None
    message: str | None = None


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [SCHEMA, table],
    ).fetchall()
    return {r[0] for r in rows}


def migrate_in_place(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a ledger written before destinations had names to today's columns."""
    ledger, runs = _columns(con, "ledger"), _columns(con, "load_runs")
    schema = _columns(con, "schema_ledger")
    if not (
        "twenty_id" in ledger
        or (ledger and "destination" not in ledger)
        or "twenty_url" in runs
        or (schema and "destination" not in schema)
    ):
        return
    con.execute(f"drop view if exists {SCHEMA}.ledger_current")
    if "twenty_id" in ledger:
        con.execute(f"alter table {SCHEMA}.ledger rename column twenty_id to record_id")
    if ledger and "destination" not in ledger:
        con.execute(f"alter table {SCHEMA}.ledger add column destination varchar default 'twenty'")
    if "twenty_url" in runs:
        con.execute(f"alter table {SCHEMA}.load_runs rename column twenty_url to destination_url")
    if runs and "destination" not in runs:
        con.execute(
            f"alter table {SCHEMA}.load_runs add column destination varchar default 'twenty'"
        )
    if schema and "destination" not in schema:
        con.execute(
            f"alter table {SCHEMA}.schema_ledger add column destination varchar default 'twenty'"
        )


class Ledger:
    """The ledger, written through a journal.

    ``record`` / ``settle`` append to a journal file beside the DuckDB file (fsync'd line by
    line: that is what makes a write durable) and reach ``migration.ledger`` in one short
    transaction every ``flush_interval`` seconds (on a background thread, so sending never
    waits for it: :mod:`load.core.journal`), before any read, and at the end of a run.
    So the loader holds DuckDB's file lock for a few milliseconds every couple of seconds
    rather than twice per batch, and a run killed between flushes loses nothing: the next
    ``Ledger`` replays the journal (inserts are idempotent on ``seq``).
    """

    def __init__(
        self,
        path: Path,
        lock_timeout: float = 120.0,
        flush_interval: float = 2.0,
        destination: str = "twenty",
    ) -> None:
        self.path = path
        self.destination = destination
        self.lock_timeout = lock_timeout
        self.flush_interval = flush_interval
        self.journal_path = path.with_name(path.name + ".ledger-journal")
        with self.connect() as con:
            migrate_in_place(con)
            con.execute(DDL)
        self._replay()
        with self.connect() as con:
            row = con.execute(f"select coalesce(max(seq), 0) from {SCHEMA}.ledger").fetchone()
        self._next_seq = int(row[0]) + 1 if row else 1
        self._journal = Journal(self.journal_path, self._apply, flush_interval)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The file, waiting up to ``lock_timeout`` s while another process holds its lock.
        One connection at a time per process: with the loader's plan-ahead thread reading
        while the ledger flushed, DuckDB 2.0 once lost its Arrow scan between a connection
        closing and another opening ("python_arrow_scan does not exist")."""
        from common.duck import connect

        with _ONE_AT_A_TIME, connect(self.path, read_only=read_only, wait=self.lock_timeout) as con:
            yield con

    # -- runs ---------------------------------------------------------------------------------
    def start_run(self, command: str, url: str, generation: str, options: dict) -> str:
        run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        with self.connect() as con:
            con.execute(
                f"insert into {SCHEMA}.load_runs (run_id, command, started_at, status, "
                "destination_url, generation, options, destination) "
                "values (?, ?, now(), 'running', ?, ?, ?, ?)",
                [run_id, command, url, generation, json.dumps(options), self.destination],
            )
        return run_id

    def finish_run(self, run_id: str, status: str) -> None:
        self.flush()
        with self.connect() as con:
            con.execute(
                f"update {SCHEMA}.load_runs set finished_at = now(), status = ? where run_id = ?",
                [status, run_id],
            )

    # -- records (journalled) -----------------------------------------------------------------
    def _log(self, op: dict[str, Any]) -> None:
        self._journal.append(op)

    def record(self, run_id: str, entries: Sequence[Entry], state: str = "committed") -> list[int]:
        """Append entries (durably, via the journal); returns their sequence numbers."""
        if not entries:
            return []
        seqs = list(range(self._next_seq, self._next_seq + len(entries)))
        self._next_seq += len(entries)
        rows = [
            [
                seq,
                run_id,
                e.object,
                e.external_id,
                e.record_id,
                e.action,
                state,
                e.row_hash,
                json.dumps(e.before_image) if e.before_image is not None else None,
                e.message,
                self.destination,
            ]
            for seq, e in zip(seqs, entries, strict=True)
        ]
        self._log({"op": "record", "rows": rows})
        return seqs

    def settle(self, seqs: Sequence[int], record_ids: Sequence[str | None], state: str) -> None:
        """Flip pending rows to committed (with the ids the destination gave) or failed."""
        if seqs:
            self._log(
                {
                    "op": "settle",
                    "state": state,
                    "pairs": [list(p) for p in zip(seqs, record_ids, strict=True)],
                }
            )

    def flush(self) -> None:
        """Everything journalled so far reaches migration.ledger (:mod:`load.core.journal`)."""
        self._journal.drain()

    def close(self) -> None:
        self._journal.close()

    def _apply(self, ops: list[dict[str, Any]]) -> None:
        """One transaction: new rows (bulk, via Arrow), then the latest settle of each seq."""
        # a row journalled before destinations had names has ten values: it was Twenty's
        rows = [
            row if len(row) == len(ROW_COLUMNS) else [*row, "twenty"]
            for op in ops
            if op["op"] == "record"
            for row in op["rows"]
        ]
        settled: dict[int, tuple[str | None, str]] = {}
        for op in ops:
            if op["op"] == "settle":
                for seq, record_id in op["pairs"]:
                    settled[seq] = (record_id, op["state"])
        schema_rows = [op["row"] for op in ops if op["op"] == "schema"]
        new_rows = pa.table(
            {name: [row[i] for row in rows] for i, name in enumerate(ROW_COLUMNS)},
            schema=ROW_SCHEMA,
        )
        settles = pa.table(
            {
                "seq": list(settled),
                "record_id": [v[0] for v in settled.values()],
                "state": [v[1] for v in settled.values()],
            },
            schema=SETTLE_SCHEMA,
        )
        with self.connect() as con:
            con.register("new_rows", new_rows)
            con.register("settles", settles)
            con.execute("begin transaction")
            con.execute(
                f"insert into {SCHEMA}.ledger ({', '.join(ROW_COLUMNS)}) select {SELECT_ROWS} "
                "from new_rows on conflict (seq) do nothing"
            )
            con.execute(
                f"update {SCHEMA}.ledger l set state = s.state, record_id = "
                "coalesce(s.record_id, l.record_id) from settles s where l.seq = s.seq"
            )
            for row in schema_rows:
                con.execute(
                    f"insert into {SCHEMA}.schema_ledger (run_id, kind, object, name, "
                    "metadata_id, destination) values (?, ?, ?, ?, ?, ?)",
                    row if len(row) == 6 else [*row, "twenty"],
                )
            con.execute("commit")

    def _replay(self) -> None:
        """Operations a previous process journalled but never flushed (killed or crashed)."""
        ops = read_journal(self.journal_path)
        if ops:
            self._apply(ops)
        self.journal_path.unlink(missing_ok=True)

    def pending(self) -> list[dict[str, Any]]:
        """Rows a killed run left pending: their batch may or may not have landed."""
        return self.query(
            f"select * from {SCHEMA}.ledger where state = 'pending' and destination = ? "
            "order by seq",
            [self.destination],
        )

    def current(self, obj: str) -> dict[str, dict[str, Any]]:
        """external_id → latest committed ledger row for one object."""
        rows = self.query(
            f"select * from {SCHEMA}.ledger_current where destination = ? and object = ?",
            [self.destination, obj],
        )
        return {r["external_id"]: r for r in rows}

    def current_range(self, obj: str, first: str, last: str) -> dict[str, dict[str, Any]]:
        """:meth:`current` for the external ids from ``first`` to ``last`` only, read without
        flushing (so a plan-ahead thread may call it while the loader writes): right for a
        range nothing was journalled for since the last flush, i.e. one not yet sent."""
        with self.connect() as con:
            cursor = con.execute(
                f"select * from {SCHEMA}.ledger_current where destination = ? and object = ? "
                "and external_id between ? and ?",
                [self.destination, obj, first, last],
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        for row in rows:
            if isinstance(row.get("before_image"), str):
                row["before_image"] = json.loads(row["before_image"])
        return {r["external_id"]: r for r in rows}

    def gone_from(self, obj: str, relation: str) -> list[str]:
        """External ids the ledger holds live for ``obj`` that the mart ``relation`` no longer
        has (a join in DuckDB: nothing per record is held in Python)."""
        live = ", ".join(f"'{a}'" for a in LIVE_ACTIONS)
        rows = self.query(
            f"select external_id from {SCHEMA}.ledger_current as l where destination = ? "
            f"and object = ? and action in ({live}) and not exists (select 1 from {relation} "
            "as m where m.external_id = l.external_id) order by external_id",
            [self.destination, obj],
        )
        return [str(r["external_id"]) for r in rows]

    # -- schema -------------------------------------------------------------------------------
    def record_schema(self, run_id: str, kind: str, obj: str, name: str, metadata_id: str) -> None:
        self._log({"op": "schema", "row": [run_id, kind, obj, name, metadata_id, self.destination]})

    def schema_created(self) -> list[dict[str, Any]]:
        return self.query(
            f"select * from {SCHEMA}.schema_ledger where destination = ? order by created_at",
            [self.destination],
        )

    def forget_schema(self, metadata_ids: Sequence[str]) -> None:
        with self.connect() as con:
            for metadata_id in metadata_ids:
                con.execute(
                    f"delete from {SCHEMA}.schema_ledger where metadata_id = ?", [metadata_id]
                )

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self.flush()
        with self.connect() as con:
            cursor = con.execute(sql, list(params))
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        out = [dict(zip(names, row, strict=True)) for row in rows]
        for row in out:
            if isinstance(row.get("before_image"), str):
                row["before_image"] = json.loads(row["before_image"])
        return out
