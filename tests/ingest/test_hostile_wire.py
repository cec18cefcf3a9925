"""The API misbehaving mid-extraction: pages shifting under the listing, HTML instead of JSON."""

from __future__ import annotations

import json
import threading
import urllib.request

import duckdb
import pytest
import requests

from ingest.pacer import KeyPool
from ingest.transport import ExtractError, PacedAdapter, paced_session
from sandbox.bizstim.store import iter_records
from sandbox.httpbase import Request, Response, make_server
from sandbox.servers import start_server
from tests.ingest.conftest import KEY_A, Sandbox, bizmig


def test_a_row_deleted_between_pages_loses_no_other_row(tmp_path):
    """Offset pages over a live table: after a delete the next page starts one row late. The
    total still matches what landed, so only a re-listing finds the row that was skipped."""
    db = tmp_path / "shifting.sqlite"
    args = ["--clients", "40", "--seed", "5", "--db", str(db), "--api-key", KEY_A]
    args += ["--rate-limit", "100000", "--rate-window", "3600"]
    server = start_server("bizstim", [*args, "--hostile", "deleted_mid_extraction"])
    try:
        staging = tmp_path / "shifting.duckdb"
        run = bizmig(["extract", "--json"], Sandbox(server, db, (KEY_A,), 100_000, 3600), staging)
        assert run.returncode == 0, run.stderr
        with urllib.request.urlopen(f"{server.url}/_sandbox/hostile") as answer:
            (event,) = json.loads(answer.read())["events"]
    finally:
        server.stop()
    with duckdb.connect(str(staging), read_only=True) as con:
        (since, passes) = con.execute(
            "select started_at, passes from raw_bizstim._bizmig_list_passes "
            "where table_name = 'payments'"
        ).fetchone()
        current = {r[0] for r in con.execute(
            "select id from raw_bizstim.payments where try_cast(_dlt_load_id as double) >= ?",
            [since],
        ).fetchall()}
        everything = {r[0] for r in con.execute("select id from raw_bizstim.payments").fetchall()}
    assert passes == 2
    assert current == {p["id"] for p in iter_records(db, "payments")}  # exactly the live rows
    assert set(event["shifted"]) <= current  # the row the shifted page skipped is there
    assert everything - current == {event["deleted"]}  # landed once, no longer current


class AlwaysHtml:
    def handle(self, request: Request) -> Response:
        return Response(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                        content_type="text/html")


def test_html_that_persists_stops_with_a_clear_error(tmp_path):
    server, url = make_server(AlwaysHtml())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    adapter = PacedAdapter(KeyPool([KEY_A], 1000, 3600), "/api", max_attempts=3,
                           backoff_base=0.01)
    try:
        with pytest.raises(ExtractError) as failure:
            paced_session(adapter).get(f"{url}/api/payments/0/100")
    finally:
        server.shutdown()
        server.server_close()
    message = str(failure.value)
    assert "/api/payments/0/100" in message and "3 times" in message
    assert "text/html" in message and "502 Bad Gateway" in message
    assert not isinstance(failure.value, requests.RequestException)
