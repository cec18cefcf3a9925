"""List pages fetched ahead, in parallel, so a long listing does not crawl one page at a time.

dlt's paginator asks an endpoint's pages one after the other. At the 2 003 496-record
benchmark the lists phase took 141 s for ~7 000 pages, 139 s of it the 5 715 pages of
``payments`` (100 a page) at ~41 a second while three keys allowed 200: a fifth of the keys'
ceiling for an eighth of the extraction. The offsets are known in advance (``/{method}/
{start}/{max}`` from the endpoint's state to its ``total``), so before each dlt run
:class:`ListAhead` queues, through the :class:`~ingest.prefetch.Prefetcher`, the pages of this
run and of the runs after it, and waits for this run's; the dlt run then reads them from the
spool and the later runs' are fetched while dlt normalises and loads.

How far ahead: one run was not enough. The first run of that account holds 579 pages (every
small listing whole, 181 pages of payments and of sessions) and dlt took 17 s to land them;
with only the next run's 362 pages queued, the three keys sent 882 requests in the first 15 s
and then nothing for 15 s (the whole extraction ran at 91.9 % of the ceiling on a slower
machine, 95.0 % on the one before). So ``RUNS_AHEAD`` runs are queued, in run order: this
run's pages of every endpoint first, then the next run's of every endpoint, and so on, so a
run never waits behind the pages of a later one.

An endpoint whose total is not known yet has its first page fetched ahead alone, and its total
is read from that answer. The page-shift guard of :mod:`ingest.source` still holds: each page
carries the ``total`` of the moment it was asked, and a pass that saw it change, or landed a
different number of ids, is listed again. Then the pages fetched ahead for the old pass are
waited for and dropped from the spool, so the new pass asks everything afresh.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from ingest.endpoints import ListEndpoint
from ingest.prefetch import Prefetcher
from ingest.transport import Spool

# this run's pages and seven runs' after it: at 2 M records, 579 + ~3 200 pages (~19 s of three
# keys) from the first run, the whole remaining listing from the second
RUNS_AHEAD = 8


class ListAhead:
    def __init__(self, fetcher: Prefetcher, spool: Spool, base_path: str) -> None:
        self.fetcher = fetcher
        self.spool = spool
        self.base_path = base_path.rstrip("/")
        self.futures: dict[str, dict[str, Future[None]]] = {}  # table → path → fetch
        self.until: dict[str, int] = {}  # table → first offset not queued yet
        self.seen: dict[str, int] = {}  # table → the listing pass its pages were queued for

    def prepare(
        self, endpoints: Sequence[ListEndpoint], states: dict[str, dict[str, Any]], pages: int
    ) -> None:
        """Queue the pages of the coming ``RUNS_AHEAD`` runs (``pages`` per endpoint each), the
        coming run's first and each later run's before the next one's, and wait until those
        of the coming run are in the spool."""
        now: list[Future[None]] = []
        later: list[tuple[ListEndpoint, list[str]]] = []  # pages after the coming run
        for endpoint in endpoints:
            state = states.get(endpoint.table, {})
            start = int(state.get("next_start") or 0)
            mark = int(state.get("pass") or 1)  # a moved total starts a new pass too
            if endpoint.table in self.seen and self.seen[endpoint.table] != mark:
                self._drop(endpoint)  # a new pass: the pages fetched for the old one are stale
            self.seen[endpoint.table] = mark
            total = state.get("total")
            if total is None:
                total = self._first_total(endpoint, start)
                if total is None:
                    continue  # refused or broken: the dlt run asks and judges it
            step = endpoint.max_limit
            begin = max(self.until.get(endpoint.table, 0), start)
            end = min(int(total), start + RUNS_AHEAD * pages * step)
            coming = min(end, start + pages * step)
            self._submit(endpoint, [self._path(endpoint, o) for o in range(begin, coming, step)])
            paths = [self._path(endpoint, o) for o in range(max(begin, coming), end, step)]
            later.append((endpoint, paths))
            self.until[endpoint.table] = max(begin, end)
            due = {self._path(endpoint, o) for o in range(start, coming, step)}
            now += [f for p, f in self.futures[endpoint.table].items() if p in due]
        for run in range(RUNS_AHEAD - 1):  # the later runs' pages, one run of each at a time
            for endpoint, paths in later:
                self._submit(endpoint, paths[run * pages : (run + 1) * pages])
        self.fetcher.wait(now)

    def _submit(self, endpoint: ListEndpoint, paths: list[str]) -> None:
        queued = self.futures.setdefault(endpoint.table, {})
        queued.update(zip(paths, self.fetcher.submit(paths), strict=False))

    def _path(self, endpoint: ListEndpoint, offset: int) -> str:
        return f"/{endpoint.method}/{offset}/{endpoint.max_limit}"

    def _first_total(self, endpoint: ListEndpoint, start: int) -> int | None:
        path = self._path(endpoint, start)
        futures = self.fetcher.submit([path])
        self.fetcher.wait(futures)
        if futures:
            self.futures.setdefault(endpoint.table, {})[path] = futures[0]
        body = self.spool.get(self.base_path + path)
        try:
            total = json.loads(body)["total"] if body is not None else None
            return int(total) if total is not None else None
        except (ValueError, KeyError, TypeError):
            return None

    def _drop(self, endpoint: ListEndpoint) -> None:
        queued = self.futures.pop(endpoint.table, {})
        self.fetcher.wait(list(queued.values()))
        self.spool.purge(self.base_path + p for p in queued)
        self.until.pop(endpoint.table, None)
