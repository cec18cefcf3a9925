"""Fetch-ahead (ingest/prefetch.py): list pages before details, each path once, and details
that start while the lists still land.

Units with a recording session, then one real extraction in-process: when its details phase
begins, client details beyond the probed sample have already been asked (the keys fetched them
between the list runs) and still no path was asked twice.
"""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import nullcontext
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from common.settings import BizstimSettings
from ingest.detail_probe import DEFAULT_SAMPLE
from ingest.pipeline import ExtractOptions, Progress, run_extract
from ingest.prefetch import DetailsAhead, Prefetcher
from ingest.transport import REFUSED, PacedAdapter, Spool, TransportStats
from sandbox.bizstim.store import counts
from tests.ingest.conftest import KEY_A, start_sandbox


class RecordingSession:
    """Records the order of GETs; the first one blocks until released."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.release = threading.Event()
        self.lock = threading.Lock()

    def get(self, url: str, timeout: float) -> None:
        path = url.removeprefix("http://bizstim/api")
        if not self.paths:
            self.paths.append(path)
            self.release.wait(5)
            return
        with self.lock:
            self.paths.append(path)


def prefetcher(session: RecordingSession) -> Prefetcher:
    adapter = SimpleNamespace(ahead=nullcontext)
    return Prefetcher(session, "http://bizstim/api", adapter, workers=1)  # type: ignore[arg-type]


def test_list_pages_go_before_details_queued_earlier():
    session = RecordingSession()
    fetcher = prefetcher(session)
    try:
        first = fetcher.submit(["/clients/0/1000"])
        while not session.paths:  # the one thread is busy with it
            threading.Event().wait(0.01)
        backlog = fetcher.submit(["/client/1", "/client/2"], backlog=True)
        pages = fetcher.submit(["/payments/0/100", "/payments/100/100"])
        session.release.set()
        fetcher.wait([*first, *backlog, *pages])
    finally:
        fetcher.close()
    assert session.paths == [
        "/clients/0/1000", "/payments/0/100", "/payments/100/100", "/client/1", "/client/2",
    ]  # fmt: skip


def test_chunks_queued_again_are_not_fetched_again_and_close_drops_the_queue():
    session = RecordingSession()
    session.release.set()
    fetcher = prefetcher(session)
    details = DetailsAhead(fetcher)
    chunks = [[f"/client/{n}" for n in range(k, k + 3)] for k in range(0, 30, 3)]
    try:
        details.keep_ahead(chunks, 0, 2)  # chunks 0-2, as during the lists
        details.keep_ahead(chunks, 1, 1)  # chunks 1-2 again, as in the details phase
        details.landed(chunks[0])
        details.landed(chunks[1])
        assert not set(chunks[0]) & set(details.queued)  # landed ones are dlt's now
    finally:
        fetcher.close()
    assert max(Counter(session.paths).values()) == 1
    assert (
        set(chunks[0]) | set(chunks[1]) <= set(session.paths) <= {p for c in chunks[:3] for p in c}
    )


def test_the_backlog_is_topped_up_to_the_paths_still_waiting_whole_chunks_at_a_time():
    session = RecordingSession()  # its first GET blocks: nothing queued gets fetched
    fetcher = prefetcher(session)
    details = DetailsAhead(fetcher)
    chunks = [[f"/client/{n}" for n in range(k, k + 3)] for k in range(0, 30, 3)]
    try:
        details.top_up(chunks, 5)
        assert sorted(details.queued) == sorted(chunks[0] + chunks[1])  # 3 < 5, then 6
        details.top_up(chunks, 5)  # none fetched yet: nothing more
        assert len(details.queued) == 6
        session.release.set()
        details.landed(chunks[0] + chunks[1])
        details.top_up(chunks, 5)
        assert sorted(details.queued) == sorted(chunks[2] + chunks[3])
        details.landed(chunks[2] + chunks[3])
    finally:
        fetcher.close()
    assert sorted(session.paths) == sorted(p for c in chunks[:4] for p in c)


class Recorder(Progress):
    def __init__(self, server: Any) -> None:
        self.server = server
        self.at_details: list[dict] | None = None

    def phase(self, name: str) -> None:
        if name == "details":
            self.at_details = self.server.requests()


def test_details_are_fetched_while_the_lists_still_land(tmp_path, monkeypatch):
    for name in ("EXTRACT__WORKERS", "RUNTIME__LOG_LEVEL", "DATA_WRITER__DISABLE_COMPRESSION"):
        monkeypatch.delenv(name, raising=False)  # run_extract sets them; restored after
    box = start_sandbox(tmp_path, 40, 23, (KEY_A,), 100_000, 3600)
    recorder = Recorder(box.server)
    try:
        settings = BizstimSettings(f"{box.server.url}/api", (KEY_A,), 100_000, 3600)
        # one page per endpoint per dlt run: payments need runs after clients are complete
        options = ExtractOptions(tmp_path / "raw.duckdb", checkpoint_every=7)
        result = run_extract(settings, options, recorder)
        everything = [r["path"] for r in box.server.requests() if r["method"] == "GET"]
    finally:
        box.server.stop()
    assert recorder.at_details is not None
    early = [r for r in recorder.at_details if r["path"].startswith("/api/client/")]
    assert len(early) > DEFAULT_SAMPLE  # more than the probes: the details filled the keys
    assert max(Counter(everything).values()) == 1
    assert result.network_requests["client"] == counts(box.db)["clients"]


@pytest.fixture(autouse=True)
def _no_stray_threads() -> Any:
    before = {t.name for t in threading.enumerate()}
    yield
    stray = {t.name for t in threading.enumerate()} - before
    assert not {n for n in stray if n.startswith("bizmig-ahead")}, stray


def test_a_refusal_fetched_ahead_stays_dlts_when_asked_ahead_again(tmp_path):
    # a probed client answered 404 and was spooled as such; the detail backlog asks it ahead
    # again during the lists: that must not mark it served, or the purge after the next list
    # run deletes it and the details phase asks Bizstim a second time
    spool = Spool(tmp_path / "spool")
    spool.put("/api/client/7" + REFUSED, b"404\n{}")
    stats = TransportStats()
    adapter = PacedAdapter(None, "/api", spool=spool, stats=stats)  # type: ignore[arg-type]
    request = requests.Request("GET", "http://bizstim/api/client/7").prepare()
    with adapter.ahead():
        assert adapter.send(request).status_code == 404
    assert stats.take_served() == []
    assert adapter.send(request).status_code == 404  # dlt's own read
    assert stats.take_served() == ["/api/client/7"]
