"""Keep the keys busy while dlt normalises and loads: fetch the next chunks into the spool.

The extraction commits every ``checkpoint_every`` requests (one dlt run: extract, normalise,
load), so a killed run loses at most one chunk. At the 2 003 496-record benchmark the requests
ran at 88 % of the three keys' ceiling: during each run's normalise and load nothing was sent,
and with one request every 5 ms those pauses added up to 126 s of the 1 067 s extraction.

So paths are fetched ahead: ``submit`` queues them on a few threads that send them through the
extraction's own :class:`~ingest.transport.PacedAdapter` in its ``ahead`` mode (paced by the
same :class:`~ingest.pacer.KeyPool`, answers written to the spool, not marked served, so the
purge after the next commit keeps them). Before a dlt run the extraction ``wait``\\ s for its
paths, so the run is answered from disk and no path is ever asked twice.

Two priorities, because the lists and the details compete for the same keys. With list pages
fetched ahead (:mod:`ingest.list_ahead`) and details only after the lists, the after-run of
issue 18 still ran at 90.5 %: the lists phase took 90 s for 7 000 requests (35 s of budget),
50 s of it dlt normalising one run's 976 868 session rows while the keys, with nothing queued,
waited. Now the details are queued as soon as the client and practitioner listings that name
them are complete (:class:`DetailsAhead`), as *backlog*: a thread takes a list page first and a
detail only when no page waits, so the details fill the keys' idle time without delaying the
lists by a request. Five chunks queued once took the extraction to 93.7 %: the lists phase,
CPU-bound on dlt normalising 1.7 M list rows, lasted ~120 s, longer than the 50 s of budget
the five chunks held; so the backlog is topped up between list runs instead.

A prefetch that fails (a 5xx that outlasts the retries, an exhausted budget, a refused key) is
not reported here: the dlt run asks the path again and fails the way it always did, with the
extraction's own error and exit code.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future, wait

import requests

from common.errors import ExtractError
from ingest.transport import PacedAdapter

URGENT, BACKLOG = 1, 2  # list pages before details; 0 is the threads' stop signal
_STOP = ""


class Prefetcher:
    def __init__(
        self, session: requests.Session, base_url: str, adapter: PacedAdapter, workers: int
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.adapter = adapter
        self.stopped = threading.Event()
        self.failed = 0
        self._order = itertools.count()  # first in, first out within a priority
        self._queue: queue.PriorityQueue[tuple[int, int, str, Future[None] | None]] = (
            queue.PriorityQueue()
        )
        self._threads = [
            threading.Thread(target=self._work, name=f"bizmig-ahead-{n}", daemon=True)
            for n in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, paths: Sequence[str], backlog: bool = False) -> list[Future[None]]:
        """Queue ``paths`` (``/client/12``, relative to the base URL) to be fetched ahead;
        ``backlog`` ones only when no other path waits."""
        if self.stopped.is_set():
            return []
        futures: list[Future[None]] = []
        for path in paths:
            future: Future[None] = Future()
            self._queue.put((BACKLOG if backlog else URGENT, next(self._order), path, future))
            futures.append(future)
        return futures

    def _work(self) -> None:
        while True:
            _, _, path, future = self._queue.get()
            if future is None:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                self._fetch(path)
            except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for it
                future.set_exception(exc)
            else:
                future.set_result(None)

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
        while True:
            try:
                *_, future = self._queue.get_nowait()
            except queue.Empty:
                break
            if future is not None:
                future.cancel()
        for _ in self._threads:
            self._queue.put((0, next(self._order), _STOP, None))
        for thread in self._threads:
            thread.join()


class DetailsAhead:
    """The detail paths of the chunks to come, queued as backlog, each path once: chunks
    queued while the lists were still landing are not asked again when the details phase
    reaches them."""

    def __init__(self, fetcher: Prefetcher) -> None:
        self.fetcher = fetcher
        self.queued: dict[str, Future[None]] = {}
        self.topped = 0  # chunks queued by top_up so far

    def top_up(self, chunks: Sequence[Sequence[str]], waiting: int) -> None:
        """Queue whole chunks, in order, until ``waiting`` paths are queued and not yet
        fetched: called between the list runs, so the keys always have details in hand."""
        left = sum(1 for future in self.queued.values() if not future.done())
        while self.topped < len(chunks) and left < waiting:
            self._queue(chunks[self.topped])
            left += len(chunks[self.topped])
            self.topped += 1

    def _queue(self, paths: Sequence[str]) -> None:
        new = [p for p in paths if p not in self.queued]
        self.queued.update(zip(new, self.fetcher.submit(new, backlog=True), strict=False))

    def keep_ahead(self, chunks: Sequence[Sequence[str]], current: int, lead: int) -> None:
        """Queue the paths of ``chunks[current]`` and of the ``lead`` chunks after it."""
        for paths in chunks[current : current + lead + 1]:
            self._queue(paths)

    def landed(self, paths: Sequence[str]) -> None:
        """Wait until ``paths`` are in the spool (fetched, or refused and spooled as such);
        then they are dlt's to read and no longer tracked here."""
        self.fetcher.wait([self.queued[p] for p in paths if p in self.queued])
        for path in paths:
            self.queued.pop(path, None)
