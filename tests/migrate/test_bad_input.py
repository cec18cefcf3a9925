"""A newcomer's mistakes (issue 19 items 3-4): every bad option and every wrong address ends in
one line on stderr and its exit code, before any request the mistake would waste; "wrong
address" (exit 2) is told from "down" (exit 10) by what answers. Run without ``COLUMNS``, as
when piped: the line is not cut at 80 columns either."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from common.exits import ExitCode
from sandbox.servers import RunningServer, start_server
from tests.load.conftest import TWENTY_KEY, Twenty, start_twenty

BIZSTIM_KEY = "bad-input-bizstim-key-00000000000000000001"


@dataclass(frozen=True)
class Servers:
    bizstim: RunningServer
    twenty: Twenty
    html: str  # a web server that is neither: 404 text/html for every API path
    dead: str  # a port nothing listens on


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    tmp = tmp_path_factory.mktemp("bad-input")
    bizstim = start_server(
        "bizstim",
        ["--clients", "3", "--db", str(tmp / "bizstim.sqlite"), "--api-key", BIZSTIM_KEY],
    )
    twenty = start_twenty(tmp, "--rate-limit", "0")
    (tmp / "www").mkdir()
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp / "www"))
    html = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=html.serve_forever, daemon=True).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    yield Servers(
        bizstim, twenty, f"http://127.0.0.1:{html.server_address[1]}", f"http://127.0.0.1:{dead}"
    )
    html.shutdown()
    twenty.server.stop()
    bizstim.stop()


@dataclass
class Run:
    returncode: int
    line: str


def api_calls(bizstim: RunningServer) -> int:
    """Requests that spend Bizstim budget (the Twenty preflight may knock on this server too,
    when TWENTY_API_URL points at it by mistake)."""
    return sum(1 for r in bizstim.requests() if r["path"].startswith("/api/"))


def run(servers: Servers, tmp: Path, args: list[str], **env: str) -> Run:
    """`bizmig <args>` against the stand-ins (override settings with ``env``); its one line."""
    base = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    base.update(
        BIZSTIM_BASE_URL=f"{servers.bizstim.url}/api",
        BIZSTIM_API_KEYS=BIZSTIM_KEY,
        TWENTY_API_URL=servers.twenty.url,
        TWENTY_API_KEY=TWENTY_KEY,
        BIZMIG_DUCKDB=str(tmp / "staging.duckdb"),
    )
    base.update(env)
    proc = subprocess.run(
        [sys.executable, "-m", "bizmig.cli", *args],
        env=base,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return Run(proc.returncode, lines[0])


OPTIONS = [
    (["migrate", "--sample", "abc"], "--sample takes a percentage above 0 and at most 100"),
    (["migrate", "--sample", "150%"], "got '150%'"),
    (["migrate", "--sample", "0"], "--sample takes a percentage"),
    (["migrate", "--sample-clients", "0"], "--sample-clients takes a number of clients, 1 or"),
    (["migrate", "--sample-clients", "-3"], "got -3 (leave it out for a full migration)"),
    (["migrate", "--sample-clients", "abc"], "Invalid value for '--sample-clients'"),
    (["migrate", "--sample", "10%", "--sample-clients", "3"], "not both"),
    (["migrate", "--twenty-rate-limit", "0"], "--twenty-rate-limit must be a whole number"),
    (["migrate", "--no-such-option"], "No such option: --no-such-option"),
    (["extract", "--workers", "0"], "--workers must be a whole number above 0"),
    (["extract", "--max-wait", "-1"], "--max-wait takes seconds"),
    (["scope", "--rate-window", "0"], "--rate-window must be a number above 0"),
    (["load", "--rate-limit", "-5"], "--rate-limit must be a whole number above 0"),
    (["reconcile", "--sample", "-1"], "--sample takes 0 or more records"),
    (["demo", "--clients", "0"], "--clients must be a whole number above 0"),
]


@pytest.mark.parametrize(("args", "expected"), OPTIONS, ids=[" ".join(a) for a, _ in OPTIONS])
def test_a_bad_option_is_one_line_and_exit_2_before_any_request(servers, tmp_path, args, expected):
    before = len(servers.bizstim.requests()), len(servers.twenty.server.requests())
    result = run(servers, tmp_path, args)
    assert result.returncode == ExitCode.CONFIG
    assert expected in result.line
    assert (len(servers.bizstim.requests()), len(servers.twenty.server.requests())) == before


def test_a_bad_rate_limit_setting_is_one_line(servers, tmp_path):
    result = run(servers, tmp_path, ["scope"], BIZSTIM_RATE_LIMIT="abc")
    assert result.returncode == ExitCode.CONFIG
    assert "BIZSTIM_RATE_LIMIT must be a whole number above 0; got 'abc'" in result.line


BIZSTIM_URLS = [
    ("no scheme", lambda s: "www.bizstim.com/api", ExitCode.CONFIG, "has no scheme"),
    ("wrong scheme", lambda s: "htp://www.bizstim.com/api", ExitCode.CONFIG, "scheme 'htp'"),
    ("without /api", lambda s: s.bizstim.url, ExitCode.CONFIG, "ends in /api"),
    (
        "another API",
        lambda s: f"{s.twenty.url}/api",
        ExitCode.CONFIG,
        "does not point at the Bizstim API: GET",
    ),
    (
        "a web page",
        lambda s: f"{s.html}/api",
        ExitCode.CONFIG,
        "answered 404 text/html",
    ),
    (
        "unknown host",
        lambda s: "http://no-such-host.invalid/api",
        ExitCode.CONFIG,
        "does not resolve",
    ),
    ("nothing listening", lambda s: f"{s.dead}/api", ExitCode.UNREACHABLE, "nothing answers at"),
]


@pytest.mark.parametrize(
    ("case", "url", "code", "expected"), BIZSTIM_URLS, ids=[c[0] for c in BIZSTIM_URLS]
)
def test_a_wrong_bizstim_url_is_one_line_with_its_code(
    servers, tmp_path, case, url, code, expected
):
    result = run(servers, tmp_path, ["scope"], BIZSTIM_BASE_URL=url(servers))
    assert result.returncode == code, result.line
    assert expected in result.line, case


TWENTY_URLS = [
    ("no scheme", lambda s: "localhost:3000", ExitCode.CONFIG, "has no scheme"),
    ("ends in /rest", lambda s: f"{s.twenty.url}/rest", ExitCode.CONFIG, "without /rest"),
    (
        "another API",
        lambda s: s.bizstim.url,
        ExitCode.CONFIG,
        "does not point at a Twenty workspace: GET /rest/metadata/objects answered 401",
    ),
    ("a web page", lambda s: s.html, ExitCode.CONFIG, "answered 404 text/html"),
    ("nothing listening", lambda s: s.dead, ExitCode.UNREACHABLE, "nothing answers at"),
]


@pytest.mark.parametrize(
    ("case", "url", "code", "expected"), TWENTY_URLS, ids=[c[0] for c in TWENTY_URLS]
)
def test_a_wrong_twenty_url_stops_migrate_before_any_bizstim_request(
    servers, tmp_path, case, url, code, expected
):
    before = api_calls(servers.bizstim)
    result = run(servers, tmp_path, ["migrate"], TWENTY_API_URL=url(servers))
    assert result.returncode == code, result.line
    assert expected in result.line, case
    assert api_calls(servers.bizstim) == before  # no Bizstim budget spent


def test_a_rejected_twenty_key_stops_migrate_before_any_bizstim_request(servers, tmp_path):
    before = api_calls(servers.bizstim)
    result = run(servers, tmp_path, ["migrate"], TWENTY_API_KEY="not-the-key")
    assert result.returncode == ExitCode.TWENTY_KEY_REJECTED
    assert "Twenty rejected TWENTY_API_KEY" in result.line
    assert api_calls(servers.bizstim) == before
