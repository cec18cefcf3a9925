"""Keep the keys busy while dlt normalises and loads: fetch the next chunk into the spool.

The extraction commits every ``checkpoint_every`` requests (one dlt run: extract, normalise,
load), so a killed run loses at most one chunk. At the 2 003 496-record benchmark the requests
ran at 88 % of the three keys' ceiling: during each run's normalise and load nothing was sent,
and with one request every 5 ms those pauses added up to 126 s of the 1 067 s extraction.

So the detail ids of chunk *k + 1* are fetched while chunk *k* is landed: ``submit`` queues
their paths on a few threads that send them through the extraction's own
:class:`~ingest.transport.PacedAdapter` in its ``ahead`` mode (paced by the same
:class:`~ingest.pacer.KeyPool`, answers written to the spool, not marked served, so the purge
after the next commit keeps them). Before running chunk *k + 1* the extraction ``wait``\\ s for
its paths, so the dlt run is answered from disk and no id is ever asked twice; meanwhile the
threads already work on chunk *k + 2*. At most two chunks wait in the spool.

A prefetch that fails (a 5xx that outlasts the retries, an exhausted budget, a refused key) is
not reported here: the dlt run asks the path again and fails the way it always did, with the
extraction's own error and exit code.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait

import requests

from common.errors import ExtractError
from ingest.transport import PacedAdapter


class Prefetcher:
    def __init__(
        self, session: requests.Session, base_url: str, adapter: PacedAdapter, workers: int
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.adapter = adapter
        self.stopped = threading.Event()
        self.failed = 0
        self._executor = ThreadPoolExecutor(max(1, workers), thread_name_prefix="bizmig-ahead")

    def submit(self, paths: Sequence[str]) -> list[Future[None]]:
        """Queue ``paths`` (``/client/12``, relative to the base URL) to be fetched ahead."""
        if self.stopped.is_set():
            return []
        return [self._executor.submit(self._fetch, path) for path in paths]

    def _fetch(self, path: str) -> None:
        if self.stopped.is_set():
            return
        try:
            with self.adapter.ahead():
                self.session.get(self.base_url + path, timeout=60)
        except (ExtractError, requests.RequestException):
            self.failed += 1  # the dlt run asks again and reports it

    @staticmethod
    def wait(futures: Sequence[Future[None]]) -> None:
        wait(futures)

    def close(self) -> None:
        """Stop: queued paths are dropped, requests in flight finish."""
        self.stopped.set()
        self._executor.shutdown(wait=True, cancel_futures=True)
