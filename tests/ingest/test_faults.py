"""Injected 429s, 500s, slow and truncated responses: retried, and the result is still exact."""

from __future__ import annotations

from collections import Counter

import duckdb

from ingest.endpoints import LIST_ENDPOINTS
from sandbox.bizstim.store import counts
from sandbox.servers import start_server
from tests.ingest.conftest import KEY_A, KEY_B, bizmig
from tests.ingest.test_extract import referenced_avail_ids


def test_faults_are_retried_and_the_landing_is_still_exact(tmp_path):
    db_src = tmp_path / "faulty.sqlite"
    args = ["--clients", "60", "--seed", "9", "--db", str(db_src), "--api-key", KEY_A]
    args += ["--api-key", KEY_B, "--rate-limit", "100000", "--rate-window", "3600"]
    args += ["--p429", "0.05", "--p500", "0.05", "--p-truncate", "0.05", "--fault-seed", "3"]
    args += ["--p-slow", "0.02", "--slow-seconds", "0.3"]
    server = start_server("bizstim", args)
    try:
        from tests.ingest.conftest import Sandbox

        box = Sandbox(server, db_src, (KEY_A, KEY_B), 100_000, 3600)
        run = bizmig(["extract", "--json"], box, tmp_path / "faulty.duckdb")
        assert run.returncode == 0, run.stderr
        statuses = Counter(r["status"] for r in server.requests())
        assert statuses[429] > 0 and statuses[500] > 0  # the faults really happened
        result = run.json()
        assert result["statuses"].get("429", 0) == statuses[429]
        expected = counts(db_src)
        with duckdb.connect(str(tmp_path / "faulty.duckdb"), read_only=True) as con:
            for endpoint in LIST_ENDPOINTS:
                n, distinct = con.execute(
                    f"select count(*), count(distinct id) from raw_bizstim.{endpoint.table}"
                ).fetchone()
                assert n == distinct == expected[endpoint.method], endpoint.table
            details = con.execute("select count(*) from raw_bizstim.client_details").fetchone()
            avail = con.execute("select count(*) from raw_bizstim.availability").fetchone()
        assert details[0] == expected["clients"]
        assert avail[0] == len(referenced_avail_ids(db_src))
    finally:
        server.stop()
