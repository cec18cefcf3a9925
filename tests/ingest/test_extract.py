"""`bizmig extract` against a real sandbox: exact rows, exact values, the minimum requests."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest
from dlt.common.normalizers.naming.snake_case import NamingConvention

from ingest.endpoints import AVAILABILITY, CLIENT_DETAIL, LIST_ENDPOINTS, pages_needed
from sandbox.bizstim.store import counts, iter_records
from tests.ingest.conftest import Sandbox, bizmig

NAMING = NamingConvention()


def landed(db: Path, table: str) -> list[dict[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(f"select * from raw_bizstim.{table}")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    return [{k: v for k, v in r.items() if not k.startswith("_dlt")} for r in rows]


def as_landed(record: dict[str, str]) -> dict[str, str]:
    return {NAMING.normalize_identifier(k): v for k, v in record.items()}


def referenced_avail_ids(source_db: Path) -> set[str]:
    ids: set[str] = set()
    for method in ("clients", "practitioners"):
        for record in iter_records(source_db, method):
            ids |= {a.strip() for a in record["avail_id"].split(",") if a.strip()}
    return ids


@pytest.fixture(scope="module")
def extracted(fast_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict:
    fast_sandbox.server.reset_log()
    db = tmp_path_factory.mktemp("extract") / "staging.duckdb"
    run = bizmig(["extract", "--json"], fast_sandbox, db)
    assert run.returncode == 0, run.stderr
    return {"db": db, "result": run.json(), "log": fast_sandbox.server.requests()}


def test_every_list_endpoint_lands_exactly_the_sandbox_rows(extracted, fast_sandbox):
    expected = counts(fast_sandbox.db)
    for endpoint in LIST_ENDPOINTS:
        source = [as_landed(r) for r in iter_records(fast_sandbox.db, endpoint.method)]
        rows = landed(extracted["db"], endpoint.table)
        assert len(rows) == expected[endpoint.method], endpoint.method
        by_id = {r["id"]: r for r in rows}
        assert len(by_id) == len(rows), f"duplicate ids in {endpoint.table}"
        for record in source:
            assert by_id[record["id"]] == record, (endpoint.method, record["id"])


def test_client_details_and_availability_land_byte_identical(extracted, fast_sandbox):
    details = {r["id"]: r for r in landed(extracted["db"], CLIENT_DETAIL.table)}
    source = [as_landed(r) for r in iter_records(fast_sandbox.db, "client_details")]
    assert len(details) == len(source) == counts(fast_sandbox.db)["clients"]
    for record in source:
        assert details[record["id"]] == record
    wanted = referenced_avail_ids(fast_sandbox.db)
    avail = {r["id"]: r for r in landed(extracted["db"], AVAILABILITY.table)}
    assert set(avail) == wanted
    for record in iter_records(fast_sandbox.db, "availability"):
        if record["id"] in wanted:
            assert avail[record["id"]] == as_landed(record)


def test_values_stay_strings_with_dlt_load_ids(extracted):
    with duckdb.connect(str(extracted["db"]), read_only=True) as con:
        types = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_bizstim' and table_name not like '\\_%' escape '\\'"
        ).fetchall()
        loads = con.execute("select count(*) from raw_bizstim._dlt_loads").fetchone()[0]
    assert types and all(t == "VARCHAR" for _, _, t in types), types
    assert {c for _, c, _ in types} >= {"_dlt_load_id", "_dlt_id"}
    assert loads >= 1


def test_requests_made_are_exactly_the_minimum(extracted, fast_sandbox):
    expected = counts(fast_sandbox.db)
    minimum = sum(pages_needed(expected[e.method], e.max_limit) for e in LIST_ENDPOINTS)
    minimum += 1  # the account time zone
    minimum += expected["clients"] + len(referenced_avail_ids(fast_sandbox.db))
    gets = [r for r in extracted["log"] if r["method"] == "GET"]
    assert len(gets) == minimum
    assert Counter(r["status"] for r in gets) == {200: minimum}
    paths = Counter(r["path"] for r in gets)
    assert max(paths.values()) == 1, "a page or id was fetched twice"
    # list pages are always asked at the endpoint's maximum page size
    for endpoint in LIST_ENDPOINTS:
        pages = [p for p in paths if p.startswith(f"/api/{endpoint.method}/")]
        assert all(p.endswith(f"/{endpoint.max_limit}") for p in pages), pages
    assert sum(extracted["result"]["network_requests"].values()) == minimum


def test_rerun_after_completion_starts_a_new_snapshot_without_duplicates(fast_sandbox, tmp_path):
    db = tmp_path / "twice.duckdb"
    assert bizmig(["extract", "--json"], fast_sandbox, db).returncode == 0
    second = bizmig(["extract", "--json"], fast_sandbox, db)
    assert second.returncode == 0, second.stderr
    assert second.json()["cycle"] == 2
    with duckdb.connect(str(db), read_only=True) as con:
        n, distinct = con.execute(
            "select count(*), count(distinct id) from raw_bizstim.clients"
        ).fetchone()
    assert n == distinct == counts(fast_sandbox.db)["clients"]


def test_a_deleted_staging_file_is_extracted_afresh(fast_sandbox, tmp_path):
    """Deleting the DuckDB file is how a user starts over; dlt's local state beside it still
    said the raw tables existed, and the next extract died on a missing table."""
    db = tmp_path / "again.duckdb"
    assert bizmig(["extract", "--json"], fast_sandbox, db).returncode == 0
    db.unlink()
    again = bizmig(["extract", "--json"], fast_sandbox, db)
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.json()["cycle"] == 1
    expected = counts(fast_sandbox.db)
    for endpoint in LIST_ENDPOINTS:
        assert len(landed(db, endpoint.table)) == expected[endpoint.method], endpoint.method


def test_api_keys_never_reach_the_staging_file_or_dlt_state(extracted, fast_sandbox):
    db: Path = extracted["db"]
    haystack = [db, *db.parent.rglob("*")]
    for path in haystack:
        if path.is_file():
            data = path.read_bytes()
            for key in fast_sandbox.keys:
                assert key.encode() not in data, f"key leaked into {path}"
