"""Run the extraction: phases, checkpoints, resume.

An extraction *cycle* lands one complete snapshot of the account:

1. **lists** (and the account time zone): repeated dlt runs of at most ``checkpoint_every``
   pages each until every list endpoint reports ``done`` for this cycle in its dlt state;
2. **details**: the ids that the current cycle's lists name but DuckDB does not yet hold for this
   cycle (clients → ``client/{id}``; every id in a client's or practitioner's ``avail_id`` →
   ``availability/{id}``), in dlt runs of ``checkpoint_every`` ids.

Every dlt run commits rows and state together. A run killed at any point resumes from the
last commit; what it had fetched but not committed is answered from the spool
(:class:`~ingest.transport.Spool`), so no page or id is requested twice. A finished cycle is
recorded in ``raw_bizstim._bizmig_extract_cycles``; the next ``extract`` starts a new cycle
(the delta cutover re-reads everything and merges on ``id``). Rows of the current snapshot
are the ones whose ``_dlt_load_id`` is at or after the cycle's ``started_at`` — for a list
endpoint that had to be listed again (see :mod:`ingest.source`: pages shifted under the
extraction), at or after its last pass's start, recorded per table in
``raw_bizstim._bizmig_list_passes`` (cycle, table_name, passes, started_at, total, relisted).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dlt
import duckdb
import requests
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.sources.helpers.rest_client import RESTClient

from bizmig.addresses import bizstim_http_error
from bizmig.settings import BizstimSettings
from ingest.endpoints import (
    ALL_TABLES,
    AVAILABILITY,
    CLIENT_DETAIL,
    LIST_ENDPOINTS,
    RAW_SCHEMA,
    TIMEZONE_TABLE,
)
from ingest.pacer import KeyPool
from ingest.source import (
    MISSES_TABLE,
    SOURCE_NAME,
    bizstim_details,
    bizstim_lists,
    raw_schema_settings,
)
from ingest.transport import ExtractError, PacedAdapter, Spool, TransportStats, paced_session

CYCLES_TABLE = "_bizmig_extract_cycles"
PASSES_TABLE = "_bizmig_list_passes"
# Rows travel to DuckDB as parquet: dlt's default for duckdb (INSERT ... VALUES statements)
# took ~4.5 GB of RAM for a 5 000-client account, and jsonl let DuckDB's reader re-type
# strings ("08:30" came back as "08:30:00"); parquet keeps every value byte-identical.
DUCKDB_LOAD_CONFIG = {"memory_limit": "1GB", "threads": 2}
PIPELINE_NAME = "bizstim_raw"


@dataclass
class ExtractOptions:
    duckdb_path: Path
    checkpoint_every: int = 2000  # requests per dlt run (commit)
    max_wait: float | None = None  # give up (exit 4) rather than wait longer for budget
    workers: int | None = None

    @property
    def work_dir(self) -> Path:
        return self.duckdb_path.parent / ".bizmig" / self.duckdb_path.stem


@dataclass
class ExtractResult:
    cycle: int
    rows: dict[str, int]
    requests_per_key: dict[str, int]
    network_requests: dict[str, int]
    spool_hits: dict[str, int]
    statuses: dict[int, int]
    dlt_runs: int
    seconds: float
    misses: int = 0
    notes: list[str] = field(default_factory=list)


class Progress:
    """What the extraction tells its caller (the CLI draws it with Rich)."""

    def expect(self, method: str, total: int) -> None: ...

    def advance(self, method: str, spooled: bool) -> None: ...

    def phase(self, name: str) -> None: ...


# -- bookkeeping in DuckDB --------------------------------------------------------------------
def _connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [RAW_SCHEMA, table],
    ).fetchone()
    return bool(row and row[0])


def open_cycle(path: Path) -> tuple[int, float]:
    """The unfinished cycle to continue, or a new one."""
    with _connect(path) as con:
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
    with _connect(path) as con:
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
    with _connect(path) as con:
        con.execute(
            f"create table if not exists {RAW_SCHEMA}.{PASSES_TABLE} (cycle integer, table_name "
            "varchar, passes integer, started_at double, total bigint, relisted varchar)"
        )
        con.execute(f"delete from {RAW_SCHEMA}.{PASSES_TABLE} where cycle = ?", [cycle])
        for endpoint in LIST_ENDPOINTS:
            state = states.get(endpoint.table, {})
            if state.get("cycle") != cycle or state.get("pass_started") is None:
                continue
            starts[endpoint.table] = float(state["pass_started"])
            con.execute(
                f"insert into {RAW_SCHEMA}.{PASSES_TABLE} values (?, ?, ?, ?, ?, ?)",
                [cycle, endpoint.table, state.get("pass", 1), starts[endpoint.table],
                 state.get("total"), "; ".join(state.get("relisted", []))],
            )
    return starts


def pass_starts(path: Path, cycle: int) -> dict[str, float]:
    """Start of each list endpoint's snapshot in ``cycle`` (as recorded by record_passes)."""
    with _connect(path, read_only=True) as con:
        if not _table_exists(con, PASSES_TABLE):
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
    with _connect(path, read_only=True) as con:
        for endpoint in LIST_ENDPOINTS:
            state = states.get(endpoint.table, {})
            if state.get("cycle") != cycle or not state.get("done"):
                continue
            since = float(state.get("pass_started") or started_at)
            landed = 0
            if _table_exists(con, endpoint.table):
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
    with _connect(path) as con:
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
    with _connect(path, read_only=True) as con:

        def ids(sql: str, table: str) -> set[str]:
            return (
                {r[0] for r in con.execute(sql).fetchall()} if _table_exists(con, table) else set()
            )

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
        sorted(clients - done_clients - missed_clients, key=_id_order),
        sorted(avail - done_avail - missed_avail, key=_id_order),
    )


def _id_order(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (1 << 62, value)


def landed_rows(
    path: Path, started_at: float | None = None, starts: dict[str, float] | None = None
) -> dict[str, int]:
    tables = (*ALL_TABLES, MISSES_TABLE)
    with _connect(path, read_only=True) as con:
        out = {}
        for table in tables:
            if not _table_exists(con, table):
                out[table] = 0
                continue
            since = (starts or {}).get(table, started_at)
            source = _current(table, since) if since else f"{RAW_SCHEMA}.{table}"
            row = con.execute(f"select count(*) from {source}").fetchone()
            out[table] = int(row[0]) if row else 0
        return out


def _unwrap(exc: BaseException) -> BaseException:
    """dlt wraps what our transport raised (in extract threads) in its own step errors; so
    it wraps Ctrl-C (re-raised as such) and a source's HTTP error (one line, see
    :func:`bizmig.addresses.bizstim_http_error`)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ExtractError | KeyboardInterrupt):
            return seen
        if isinstance(seen, requests.HTTPError) and seen.response is not None:
            return bizstim_http_error(seen.response)
        seen = seen.__cause__ or seen.__context__
    return ExtractError(f"extraction failed: {exc}")


def extraction_gaps(options: ExtractOptions) -> list[str]:
    """Gate after an extraction: every list landed its API ``total`` for the latest cycle,
    and no client detail or availability id is still pending."""
    with _connect(options.duckdb_path, read_only=True) as con:
        row = con.execute(
            f"select cycle, started_at, completed_at from {RAW_SCHEMA}.{CYCLES_TABLE} "
            "order by cycle desc limit 1"
        ).fetchone()
    if row is None or row[2] is None:
        return ["no completed extraction cycle"]
    cycle, started_at = int(row[0]), float(row[1])
    states = _list_states(make_pipeline(options))
    starts = pass_starts(options.duckdb_path, cycle)
    rows = landed_rows(options.duckdb_path, started_at, starts)
    problems = []
    for endpoint in LIST_ENDPOINTS:
        state = states.get(endpoint.table, {})
        if state.get("cycle") != cycle:
            problems.append(f"{endpoint.table}: not extracted in cycle {cycle}")
        elif rows[endpoint.table] != int(state.get("total") or 0):
            problems.append(
                f"{endpoint.table}: {rows[endpoint.table]} rows landed, API total {state['total']}"
            )
    clients, avail = pending_ids(options.duckdb_path, started_at, starts)
    if clients or avail:
        problems.append(f"{len(clients)} client details and {len(avail)} availability ids pending")
    return problems


# -- the run ----------------------------------------------------------------------------------
def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _list_states(pipeline: dlt.Pipeline) -> dict[str, dict[str, Any]]:
    sources = pipeline.state.get("sources", {})
    return dict(sources.get(SOURCE_NAME, {}).get("resources", {}))


def make_pipeline(options: ExtractOptions) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        pipelines_dir=str(options.work_dir / "pipelines"),
        destination=dlt.destinations.duckdb(
            DuckDbCredentials(str(options.duckdb_path), global_config=DUCKDB_LOAD_CONFIG)
        ),
        dataset_name=RAW_SCHEMA,
        progress=None,
    )


def run_extract(
    settings: BizstimSettings,
    options: ExtractOptions,
    progress: Progress | None = None,
) -> ExtractResult:
    progress = progress or Progress()
    began = time.monotonic()
    options.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    workers = options.workers or max(4, 4 * len(settings.api_keys))
    os.environ["EXTRACT__WORKERS"] = str(workers)
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    # intermediate files are local and short-lived: gzip costs CPU for nothing
    os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")
    pool = KeyPool(
        settings.api_keys,
        settings.rate_limit,
        settings.rate_window,
        journal_dir=options.work_dir / "pacer",
        max_wait=options.max_wait,
    )
    stats = TransportStats()
    spool = Spool(options.work_dir / "spool")
    adapter = PacedAdapter(
        pool,
        urlsplit(settings.base_url).path,
        spool=spool,
        stats=stats,
        on_response=progress.advance,
        pool_size=workers + 4,
    )
    client = RESTClient(base_url=settings.base_url, session=paced_session(adapter))
    pipeline = make_pipeline(options)
    cycle, started_at = open_cycle(options.duckdb_path)
    runs = 0

    def run(source: Any) -> None:
        nonlocal runs
        try:
            pipeline.run(raw_schema_settings(source), loader_file_format="parquet")
        except PipelineStepFailed as exc:
            raise _unwrap(exc) from exc
        runs += 1
        spool.purge(stats.take_served())

    try:
        progress.phase("lists")
        while True:
            states = _list_states(pipeline)
            todo = [
                e.table
                for e in LIST_ENDPOINTS
                if not (
                    states.get(e.table, {}).get("cycle") == cycle and states[e.table].get("done")
                )
            ]
            tz = states.get(TIMEZONE_TABLE, {})
            if not (tz.get("cycle") == cycle and tz.get("done")):
                todo.append(TIMEZONE_TABLE)
            if not todo:
                relist = uneven_listings(options.duckdb_path, cycle, started_at, states)
                if not relist:
                    break
                # a cheap run without requests: the new pass's rows get a newer load id
                run(bizstim_lists(client, cycle, started_at, only=list(relist), relist=relist))
                continue
            pages = max(1, options.checkpoint_every // max(1, len(todo)))
            run(
                bizstim_lists(
                    client, cycle, started_at, only=todo, max_pages=pages, on_total=progress.expect
                )
            )
        starts = record_passes(options.duckdb_path, cycle, _list_states(pipeline))

        progress.phase("details")
        client_ids, avail_ids = pending_ids(options.duckdb_path, started_at, starts)
        progress.expect(CLIENT_DETAIL.method, len(client_ids))
        progress.expect(AVAILABILITY.method, len(avail_ids))
        size = max(1, options.checkpoint_every)
        work = [(CLIENT_DETAIL.method, chunk) for chunk in _chunks(client_ids, size)]
        work += [(AVAILABILITY.method, chunk) for chunk in _chunks(avail_ids, size)]
        for method, chunk in work:
            if method == CLIENT_DETAIL.method:
                run(bizstim_details(client, chunk, []))
            else:
                run(bizstim_details(client, [], chunk))
        close_cycle(options.duckdb_path, cycle)
        spool.clear()
    finally:
        pool.close()
        record_budget(options.duckdb_path, cycle, pool, settings)

    rows = landed_rows(options.duckdb_path, started_at, starts)
    return ExtractResult(
        cycle=cycle,
        rows={t: n for t, n in rows.items() if t != MISSES_TABLE},
        misses=rows.get(MISSES_TABLE, 0),
        requests_per_key=pool.requests_per_key(),
        network_requests=dict(stats.network),
        spool_hits=dict(stats.from_spool),
        statuses=dict(stats.status),
        dlt_runs=runs,
        seconds=time.monotonic() - began,
    )
