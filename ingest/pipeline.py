"""Run the extraction: phases, checkpoints, resume.

An extraction *cycle* lands one complete snapshot of the account:

1. **lists** (and the account time zone): repeated dlt runs of at most ``checkpoint_every``
   pages each until every list endpoint reports ``done`` for this cycle in its dlt state;
2. **details**: the ids that the current cycle's lists name but DuckDB does not yet hold for this
   cycle (clients → ``client/{id}``; every id in a client's or practitioner's ``avail_id`` →
   ``availability/{id}``), in dlt runs of ``checkpoint_every`` ids. Client details only when
   a probed sample says they hold more than the list (:mod:`ingest.detail_probe`).

Both phases keep the keys busy while dlt normalises and loads: the next run's list pages
(:mod:`ingest.list_ahead`) and detail ids (:mod:`ingest.prefetch`) are fetched ahead into the
spool, and each dlt run is answered from there. The details do not wait for the lists phase to
end: once the client and practitioner listings that name them are complete, detail chunks are
queued behind the list pages, topped up to ``DETAILS_WAITING`` paths between list runs, and
fetched whenever no page waits (while dlt normalises the big session and payment runs).

Every dlt run commits rows and state together. A run killed at any point resumes from the
last commit; what it had fetched but not committed is answered from the spool
(:class:`~ingest.transport.Spool`), so no page or id is requested twice. A finished cycle is
recorded in ``raw_bizstim._bizmig_extract_cycles``; the next ``extract`` starts a new cycle
(the delta cutover re-reads everything and merges on ``id``). Rows of the current snapshot
are the ones whose ``_dlt_load_id`` is at or after the cycle's ``started_at`` — for a list
endpoint that had to be listed again (see :mod:`ingest.source`: pages shifted under the
extraction), at or after its last pass's start, recorded per table in
``raw_bizstim._bizmig_list_passes`` (cycle, table_name, passes, started_at, total, relisted).

Optional endpoints (not in the Bizstim reference) that this cycle's ``scope`` recorded as
unavailable in ``raw_bizstim._bizmig_endpoints`` are not asked again; the others are probed by
their first request (:mod:`ingest.availability`). An unavailable endpoint lands no table, is
listed in :attr:`ExtractResult.unavailable`, and the gate demands no rows from it.
(The DuckDB bookkeeping itself is :mod:`ingest.bookkeeping`; the dlt pipeline and one run of
it, :mod:`ingest.raw_pipeline`.)
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.sources.helpers.rest_client import RESTClient

from common.settings import BizstimSettings
from ingest import availability, detail_probe
from ingest.bookkeeping import (
    close_cycle,
    connect,
    landed_rows,
    listed_clients,
    open_cycle,
    pass_starts,
    pending_ids,
    record_budget,
    record_passes,
    uneven_listings,
)
from ingest.endpoints import (
    AVAILABILITY,
    CLIENT_DETAIL,
    CYCLES_TABLE,
    LIST_ENDPOINTS,
    PROBED,
    RAW_SCHEMA,
)
from ingest.list_ahead import ListAhead
from ingest.pacer import KeyPool
from ingest.prefetch import DetailsAhead, Prefetcher
from ingest.raw_pipeline import land, list_states, make_pipeline, unwrap
from ingest.source import (
    MISSES_TABLE,
    bizstim_details,
    bizstim_lists,
    raw_schema_settings,
)
from ingest.transport import PacedAdapter, Spool, TransportStats, paced_session

# detail paths kept queued while the lists still land: 10 000 = 50 s of three keys at 200 GET/s,
# the longest list run's normalise at 2 M records (976 868 session rows)
DETAILS_WAITING = 10_000
NAMES_DETAILS = ("clients", "practitioners")  # the listings whose rows name the detail ids


@dataclass
class ExtractOptions:
    duckdb_path: Path
    checkpoint_every: int = 2000  # requests per dlt run (commit)
    max_wait: float | None = None  # give up (exit 4) rather than wait longer for budget
    workers: int | None = None
    client_details: detail_probe.Policy | None = None  # None: BIZMIG_CLIENT_DETAILS

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
    fetched_ahead: int = 0  # of network_requests: fetched ahead while dlt landed earlier ones
    unavailable: list[availability.Availability] = field(default_factory=list)


class Progress:
    """What the extraction tells its caller (the CLI draws it with Rich)."""

    def expect(self, method: str, total: int) -> None: ...

    def advance(self, method: str, spooled: bool) -> None: ...

    def phase(self, name: str) -> None: ...

    def note(self, text: str) -> None: ...


def extraction_gaps(options: ExtractOptions) -> list[str]:
    """Gate after an extraction: every list landed its API ``total`` for the latest cycle,
    and no client detail (of those the detail probe wanted) or availability id is pending."""
    with connect(options.duckdb_path, read_only=True) as con:
        row = con.execute(
            f"select cycle, started_at, completed_at from {RAW_SCHEMA}.{CYCLES_TABLE} "
            "order by cycle desc limit 1"
        ).fetchone()
    if row is None or row[2] is None:
        return ["no completed extraction cycle"]
    cycle, started_at = int(row[0]), float(row[1])
    states = list_states(make_pipeline(options.duckdb_path, options.work_dir))
    starts = pass_starts(options.duckdb_path, cycle)
    rows = landed_rows(options.duckdb_path, started_at, starts)
    absent = availability.unavailable(options.duckdb_path, cycle)
    problems = []
    for endpoint in PROBED:
        state = states.get(endpoint.table, {})
        if endpoint.table in absent:
            continue  # not served by this account: nothing to demand (recorded with its reason)
        if state.get("cycle") != cycle:
            problems.append(f"{endpoint.table}: not extracted in cycle {cycle}")
        elif endpoint in LIST_ENDPOINTS and rows[endpoint.table] != int(state.get("total") or 0):
            problems.append(
                f"{endpoint.table}: {rows[endpoint.table]} rows landed, API total {state['total']}"
            )
    clients, avail = pending_ids(options.duckdb_path, started_at, starts)
    verdict = detail_probe.decided(options.duckdb_path, cycle)
    if verdict is not None and verdict[0] == "skip":  # only the probed details were wanted
        clients = [c for c in clients if c in set(verdict[1])]
    if clients or avail:
        problems.append(f"{len(clients)} client details and {len(avail)} availability ids pending")
    return problems


# -- the run ----------------------------------------------------------------------------------
def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


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
    session = paced_session(adapter)
    client = RESTClient(base_url=settings.base_url, session=session)
    pipeline = make_pipeline(options.duckdb_path, options.work_dir)
    notes: list[str] = []
    cycle, started_at = open_cycle(options.duckdb_path)
    # this cycle's scope already found these refused: do not ask again
    skipped = availability.unavailable(options.duckdb_path, cycle)
    runs = 0

    def run(source: Any) -> None:
        nonlocal runs
        try:
            land(pipeline, raw_schema_settings(source))
        except PipelineStepFailed as exc:
            raise unwrap(exc) from exc
        runs += 1
        spool.purge(stats.take_served())

    ahead = Prefetcher(session, settings.base_url, adapter, workers)
    pages_ahead = ListAhead(ahead, spool, adapter.base_path)
    details = DetailsAhead(ahead)
    early: list[list[str]] | None = None  # the detail chunks, once the lists name them
    try:
        progress.phase("lists")
        while True:
            states = list_states(pipeline)
            if early is None and _details_named(options, cycle, started_at, states, skipped):
                work, _ = _detail_work(options, cycle, started_at, {}, client, adapter)
                early = [_paths(*w) for w in work]
            if early is not None:  # the keys fetch these whenever no list page waits
                details.top_up(early, DETAILS_WAITING)
            todo = [
                e.table
                for e in PROBED
                if e.table not in skipped
                and not (
                    states.get(e.table, {}).get("cycle") == cycle and states[e.table].get("done")
                )
            ]
            if not todo:
                relist = uneven_listings(options.duckdb_path, cycle, started_at, states)
                if not relist:
                    break
                # a cheap run without requests: the new pass's rows get a newer load id
                run(bizstim_lists(client, cycle, started_at, only=list(relist), relist=relist))
                continue
            pages = max(1, options.checkpoint_every // max(1, len(todo)))
            listed = [e for e in LIST_ENDPOINTS if e.table in todo]
            pages_ahead.prepare(listed, states, pages)  # this run's pages are on disk
            run(
                bizstim_lists(
                    client, cycle, started_at, only=todo, max_pages=pages, on_total=progress.expect
                )
            )
        states = list_states(pipeline)
        starts = record_passes(options.duckdb_path, cycle, states)
        probed = [
            availability.from_state(e, states[e.table])
            for e in PROBED
            if e.table not in skipped and states.get(e.table, {}).get("cycle") == cycle
        ]
        availability.record(options.duckdb_path, cycle, probed, "extract")
        gone = [*skipped.values(), *(a for a in probed if not a.available)]

        progress.phase("details")
        work, reason = _detail_work(options, cycle, started_at, starts, client, adapter)
        if reason is not None:
            notes.append(f"client/{{id}}: {reason}")
            progress.note(notes[-1])
        for endpoint in (CLIENT_DETAIL, AVAILABILITY):
            progress.expect(endpoint.method, sum(len(c) for m, c in work if m == endpoint.method))
        chunks = [_paths(*w) for w in work]
        for n, (method, chunk) in enumerate(work):
            details.keep_ahead(chunks, n, 1)  # the keys go on with the next chunk meanwhile
            details.landed(chunks[n])  # this chunk is on disk
            if method == CLIENT_DETAIL.method:
                run(bizstim_details(client, chunk, []))
            else:
                run(bizstim_details(client, [], chunk))
        close_cycle(options.duckdb_path, cycle)
        spool.clear()
    finally:
        ahead.stopped.set()
        pool.close()  # wakes a fetch-ahead thread still waiting for budget
        ahead.close()
        record_budget(options.duckdb_path, cycle, pool, settings)

    rows = landed_rows(options.duckdb_path, started_at, starts)
    not_served = {a.table for a in gone}
    return ExtractResult(
        cycle=cycle,
        rows={t: n for t, n in rows.items() if t != MISSES_TABLE and t not in not_served},
        unavailable=sorted(gone, key=lambda a: a.endpoint),
        misses=rows.get(MISSES_TABLE, 0),
        requests_per_key=pool.requests_per_key(),
        network_requests=dict(stats.network),
        spool_hits=dict(stats.from_spool),
        statuses=dict(stats.status),
        dlt_runs=runs,
        seconds=time.monotonic() - began,
        notes=notes,
        fetched_ahead=stats.served_ahead,
    )


def _paths(method: str, ids: Sequence[str]) -> list[str]:
    return [f"/{method}/{record_id}" for record_id in ids]


def _details_named(
    options: ExtractOptions,
    cycle: int,
    started_at: float,
    states: dict[str, dict[str, Any]],
    skipped: dict[str, Any],
) -> bool:
    """Whether this cycle's listings that name the detail ids are complete and even (one
    that must be listed again would name other ids)."""
    for table in NAMES_DETAILS:
        state = states.get(table, {})
        if table not in skipped and not (state.get("cycle") == cycle and state.get("done")):
            return False
    uneven = uneven_listings(options.duckdb_path, cycle, started_at, states)
    return not set(uneven) & set(NAMES_DETAILS)


def _detail_work(
    options: ExtractOptions,
    cycle: int,
    started_at: float,
    starts: dict[str, float],
    client: RESTClient,
    adapter: PacedAdapter,
) -> tuple[list[tuple[str, Sequence[str]]], str | None]:
    """The detail ids still to land, in dlt-run chunks, client details first, and the
    client-detail verdict in words. The verdict comes from a sample of client details probed
    once per cycle (:mod:`ingest.detail_probe`); when it says skip, only the probed ones."""
    client_ids, avail_ids = pending_ids(options.duckdb_path, started_at, starts)
    verdict = detail_probe.decided(options.duckdb_path, cycle)
    chosen = options.client_details or detail_probe.policy()
    total, sample = (
        listed_clients(options.duckdb_path, started_at, starts, chosen.sample)
        if verdict is None  # probed once a cycle: the listing is read only to pick the sample
        else (0, [])
    )
    if total:

        def get_ahead(path: str) -> Any:
            with adapter.ahead():  # the detail run reads these answers from the spool
                return client.get(path)

        probed = detail_probe.probe(get_ahead, sample, chosen, total)
        detail_probe.record(options.duckdb_path, cycle, probed, "extract")
        reason = f"{probed.reason()} ({probed.requests():,} requests)"
        verdict = probed.decision, probed.probed_ids, reason
    if verdict is not None and verdict[0] == "skip":
        probed_ids = set(verdict[1])
        client_ids = [i for i in client_ids if i in probed_ids]
    size = max(1, options.checkpoint_every)
    work = [(CLIENT_DETAIL.method, chunk) for chunk in _chunks(client_ids, size)]
    work += [(AVAILABILITY.method, chunk) for chunk in _chunks(avail_ids, size)]
    return work, verdict[2] if verdict is not None else None
