"""Fixtures: the Twenty stand-in as a real subprocess (`python -m bizmig.cli sandbox twenty`)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox.servers import RunningServer, start_server  # noqa: E402
from tests.sandbox_twenty.twenty_helpers import KEY, MEMBERS, client_for  # noqa: E402


@pytest.fixture(scope="session")
def twenty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The shared v2 server, rate limiting off, with two seeded workspace members."""
    db = tmp_path_factory.mktemp("twenty") / "twenty.sqlite"
    args = ["--api-key", KEY, "--rate-limit", "0", "--db", str(db)]
    for member in MEMBERS:
        args += ["--member", member]
    server = start_server("twenty", args)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def api(twenty: RunningServer) -> Iterator[httpx.Client]:
    with client_for(twenty) as client:
        yield client


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., RunningServer]]:
    """Start extra servers (own db under tmp_path unless --db is given); stopped afterwards."""
    started: list[RunningServer] = []

    def _spawn(*args: str) -> RunningServer:
        argv = ["--api-key", KEY, *args]
        if "--db" not in argv:
            argv += ["--db", str(tmp_path / f"db{len(started)}.sqlite")]
        server = start_server("twenty", argv)
        started.append(server)
        return server

    yield _spawn
    for server in started:
        server.stop()
