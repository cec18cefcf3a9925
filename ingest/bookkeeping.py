"""The extraction's bookkeeping in DuckDB, beside the raw tables (see :mod:`ingest.pipeline`).

``_bizmig_extract_cycles`` (one row per cycle), ``_bizmig_list_passes`` (each list's last pass
of a cycle), ``migration.extract_budget`` (requests per key label, never keys), and the reads
that decide what is still to fetch (:func:`pending_ids`) and what landed (:func:`landed_rows`).
A row belongs to the current snapshot when its ``_dlt_load_id`` is at or after the cycle's
start, or, for a list listed again, its last pass's start.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

from common.settings import BizstimSettings
from ingest.availability import raw_table_exists
from ingest.detail_probe import spread
from ingest.endpoints import (
    ALL_TABLES,
    AVAILABILITY,
    CLIENT_DETAIL,
    CYCLES_TABLE,
    LIST_ENDPOINTS,
    RAW_SCHEMA,
)
from ingest.pacer import KeyPool
from ingest.source import MISSES_TABLE

PASSES_TABLE = "_bizmig_list_passes"


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


def open_cycle(path: Path) -> tuple[int, float]:
    """The unfinished cycle to continue, or a new one."""
    with connect(path) as con:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.execute(
            f"create table if not exists {RAW_SCHEMA}.{CYCLES_TABLE} (cycle integer primary key, "
            "started_at double not null, completed_at double)"
        )
        row = con.execute(
            f"select cycle, started_at from {RAW_SCHEMA}.{CYCLES_TABLE} "
            "where completed_at is null order by cycle desc limit 1"
        ).fetchone()
        if row:
            return int(row[0]), float(row[1])
        last = con.execute(
            f"select coalesce(max(cycle), 0) from {RAW_SCHEMA}.{CYCLES_TABLE}"
        ).fetchone()
        cycle, started = int(last[0]) + 1 if last else 1, time.time()
        con.execute(
            f"insert into {RAW_SCHEMA}.{CYCLES_TABLE} values (?, ?, null)", [cycle, started]
        )
        return cycle, started


def close_cycle(path: Path, cycle: int) -> None:
    with connect(path) as con:
        con.execute(
            f"update {RAW_SCHEMA}.{CYCLES_TABLE} set completed_at = ? where cycle = ?",
            [time.time(), cycle],
        )


def _current(table: str, started_at: float, starts: dict[str, float] | None = None) -> str:
    since = (starts or {}).get(table, started_at)
    return f"{RAW_SCHEMA}.{table} where try_cast(_dlt_load_id as double) >= {since!r}"


def record_passes(path: Path, cycle: int, states: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Write each list endpoint's last pass of ``cycle`` (the start of its snapshot)."""
    starts = {}
    with connect(path) as con:
        con.execute(
            f"create table if not exists {RAW_SCHEMA}.{PASSES_TABLE} (cycle integer, table_name "
            "varchar, passes integer, started_at double, total bigint, relisted varchar)"
        )
        con.execute(f"delete from {RAW_SCHEMA}.{PASSES_TABLE} where cycle = ?", [cycle])
        for endpoint in LIST_ENDPOINTS:
            state = states.get(endpoint.table, {})
            if state.get("cycle") != cycle or state.get("pass_started") is None:
                continue
            if state.get("unavailable"):
                continue  # not served by this account (ingest.availability)
            starts[endpoint.table] = float(state["pass_started"])
            con.execute(
                f"insert into {RAW_SCHEMA}.{PASSES_TABLE} values (?, ?, ?, ?, ?, ?)",
                [
                    cycle,
                    endpoint.table,
                    state.get("pass", 1),
                    starts[endpoint.table],
                    state.get("total"),
                    "; ".join(state.get("relisted", [])),
                ],
            )
    return starts


def pass_starts(path: Path, cycle: int) -> dict[str, float]:
    """Start of each list endpoint's snapshot in ``cycle`` (as recorded by record_passes)."""
    with connect(path, read_only=True) as con:
        if not raw_table_exists(con, PASSES_TABLE):
            return {}
        rows = con.execute(
            f"select table_name, started_at from {RAW_SCHEMA}.{PASSES_TABLE} where cycle = ?",
            [cycle],
        ).fetchall()
    return {str(t): float(s) for t, s in rows}


def uneven_listings(
    path: Path, cycle: int, started_at: float, states: dict[str, dict[str, Any]]
) -> dict[str, str]:
    """Finished listings whose last pass landed another number of distinct ids than the
    ``total`` Bizstim reported (an id served twice, another never): table → reason."""
    out = {}
    with connect(path, read_only=True) as con:
        for endpoint in LIST_ENDPOINTS:
            state = states.get(endpoint.table, {})
            if state.get("cycle") != cycle or not state.get("done") or state.get("unavailable"):
                continue
            since = float(state.get("pass_started") or started_at)
            landed = 0
            if raw_table_exists(con, endpoint.table):
                row = con.execute(
                    f"select count(distinct id) from {_current(endpoint.table, since)}"
                ).fetchone()
                landed = int(row[0]) if row else 0
            total = int(state.get("total") or 0)
            if landed != total:
                out[endpoint.table] = f"{landed} distinct ids in a pass, total {total}"
    return out


def record_budget(path: Path, cycle: int, pool: KeyPool, settings: BizstimSettings) -> None:
    """GET requests each key spent in this run (labels only, never keys), for the report."""
    with connect(path) as con:
        con.execute("create schema if not exists migration")
        con.execute(
            "create table if not exists migration.extract_budget (cycle integer, key_label "
            "varchar, requests integer, rate_limit integer, rate_window double, "
            "recorded_at timestamptz default now())"
        )
        con.execute(
            "comment on table migration.extract_budget is 'Bizstim GET requests each API key "
            "spent per extraction run (key labels: number and hash prefix, never the key).'"
        )
        for label, requests in pool.requests_per_key().items():
            con.execute(
                "insert into migration.extract_budget (cycle, key_label, requests, rate_limit, "
                "rate_window) values (?, ?, ?, ?, ?)",
                [cycle, label, requests, settings.rate_limit, settings.rate_window],
            )


def pending_ids(
    path: Path, started_at: float, starts: dict[str, float] | None = None
) -> tuple[list[str], list[str]]:
    """(client ids, availability ids) named by this cycle's lists and not yet landed/missed;
    ``starts``: the snapshot start of list tables that were listed again (pass_starts)."""
    with connect(path, read_only=True) as con:

        def ids(sql: str, table: str) -> set[str]:
            if not raw_table_exists(con, table):
                return set()
            return {r[0] for r in con.execute(sql).fetchall()}

        clients = ids(f"select id from {_current('clients', started_at, starts)}", "clients")
        avail: set[str] = set()
        for table in ("clients", "practitioners"):
            avail |= ids(
                f"select distinct trim(unnest(string_split(avail_id, ','))) from "
                f"{_current(table, started_at, starts)} and coalesce(avail_id, '') <> ''",
                table,
            )
        avail.discard("")
        done_clients = ids(
            f"select id from {_current(CLIENT_DETAIL.table, started_at)}", CLIENT_DETAIL.table
        )
        done_avail = ids(
            f"select id from {_current(AVAILABILITY.table, started_at)}", AVAILABILITY.table
        )
        missed = ids(f"select id from {_current(MISSES_TABLE, started_at)}", MISSES_TABLE)
    missed_clients = {
        m.split(":", 1)[1] for m in missed if m.startswith(f"{CLIENT_DETAIL.method}:")
    }
    missed_avail = {m.split(":", 1)[1] for m in missed if m.startswith(f"{AVAILABILITY.method}:")}
    return (
        sorted(clients - done_clients - missed_clients, key=id_order),
        sorted(avail - done_avail - missed_avail, key=id_order),
    )


def id_order(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (1 << 62, value)


def landed_rows(
    path: Path, started_at: float | None = None, starts: dict[str, float] | None = None
) -> dict[str, int]:
    tables = (*ALL_TABLES, MISSES_TABLE)
    with connect(path, read_only=True) as con:
        out = {}
        for table in tables:
            if not raw_table_exists(con, table):
                out[table] = 0
                continue
            since = (starts or {}).get(table, started_at)
            source = _current(table, since) if since else f"{RAW_SCHEMA}.{table}"
            row = con.execute(f"select count(*) from {source}").fetchone()
            out[table] = int(row[0]) if row else 0
        return out


def listed_clients(
    path: Path, started_at: float, starts: dict[str, float] | None, sample: int
) -> tuple[int, list[dict[str, Any]]]:
    """(clients in this cycle's listing, the list rows of ``sample`` of them spread evenly over
    the listing in id order: the detail probe's sample, see :mod:`ingest.detail_probe`)."""
    with connect(path, read_only=True) as con:
        if not raw_table_exists(con, "clients"):
            return 0, []
        current = _current("clients", started_at, starts)
        ids = sorted((str(r[0]) for r in con.execute(f"select id from {current}").fetchall()),
                     key=id_order)  # fmt: skip
        chosen = spread(ids, sample)
        cursor = con.execute(
            f"select * from {current} and id in (select unnest(?::varchar[]))", [chosen]
        )
        names = [d[0] for d in cursor.description]
        found = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    rows = {str(r["id"]): r for r in found}
    return len(ids), [rows[i] for i in chosen if i in rows]
