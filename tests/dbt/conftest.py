"""Fixtures: raw data landed by the real extraction from a real Bizstim sandbox, then dbt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from bizmig.demo import copy_project
from bizmig.mapping_seed import (
    MappingSeed,
    append_rows,
    decide,
    pending_row,
    read_seed,
    write_seed,
)
from sandbox.servers import RunningServer, start_server
from sandbox.staging import run_dbt
from tests.dbt.shapes import Planted, make_documented_only, plant_values

API_KEY = "dbt-test-key-000000000000000000000000000001"


@dataclass
class Warehouse:
    """A sandbox account, its extraction into DuckDB and the last `dbt build` over it."""

    server: RunningServer
    duckdb_path: Path
    build: subprocess.CompletedProcess[str]

    def extract(self) -> None:
        env = {
            **os.environ,
            "BIZSTIM_BASE_URL": f"{self.server.url}/api",
            "BIZSTIM_API_KEYS": API_KEY,
            # scaled clock: a budget far above what the run needs
            "BIZSTIM_RATE_LIMIT": "100000",
            "BIZSTIM_RATE_WINDOW": "1",
            "BIZMIG_DUCKDB": str(self.duckdb_path),
        }
        subprocess.run(
            [sys.executable, "-m", "bizmig.cli", "extract", "--json"],
            env=env,
            cwd=self.duckdb_path.parent,
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def dbt_build(self) -> subprocess.CompletedProcess[str]:
        self.build = run_dbt(["build"], self.duckdb_path)
        return self.build

    def mutate(self, table: str, op: str, record_id: str, values: dict[str, str]) -> None:
        body = json.dumps({"table": table, "op": op, "id": record_id, "values": values})
        request = urllib.request.Request(
            f"{self.server.url}/_sandbox/mutate",
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request).read()

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(sql).fetchall()


def reconciliation_rows(query: Callable[[str], list[tuple]]) -> list[tuple]:
    """migration__reconciliation, after asserting that every object adds up: source rows =
    mapped + quarantined + excluded, and the records mapped rows became = the mart's rows."""
    rows = query(
        "select object_name, source_table, source_rows, mapped, quarantined, excluded, "
        "object_mapped_records, object_mart_rows from migration.migration__reconciliation"
    )
    for obj, table, source, mapped, quarantined, excluded, records, mart_rows in rows:
        assert source == mapped + quarantined + excluded, (obj, table)
        if mart_rows is not None:
            assert records == mart_rows, (obj, table)
    return rows


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """The default sandbox account (300 clients, seed 42) extracted and built with dbt."""
    tmp = tmp_path_factory.mktemp("dbt")
    args = [
        "--clients",
        "300",
        "--seed",
        "42",
        "--db",
        str(tmp / "bizstim.sqlite"),
        "--api-key",
        API_KEY,
        "--rate-limit",
        "100000",
        "--rate-window",
        "1",
    ]
    server = start_server("bizstim", args)
    try:
        built = Warehouse(server, tmp / "bizmig.duckdb", subprocess.CompletedProcess([], 0))
        built.extract()
        built.dbt_build()
        yield built
    finally:
        server.stop()


@dataclass
class Reshaped:
    """A copy of the warehouse's raw data, reshaped and seeded with hostile values, then built."""

    duckdb_path: Path
    build: subprocess.CompletedProcess[str]
    planted: Planted

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(sql).fetchall()


def _reshaped(
    warehouse: Warehouse,
    tmp: Path,
    reshape: Callable[[Path], object] | None = None,
    seed_edit: Callable[[MappingSeed], None] | None = None,
) -> Reshaped:
    """The warehouse's raw tables in a private file (named bizmig.duckdb like the original: its
    views name the catalog) with the planted values, reshaped by ``reshape``, built by dbt from
    a copy of the project (whose custom_field_map seed ``seed_edit`` may change)."""
    db = tmp / "bizmig.duckdb"
    shutil.copy(warehouse.duckdb_path, db)
    planted = plant_values(db)
    if reshape is not None:
        reshape(db)
    project = copy_project(tmp / "project", confirm_all=False)
    if seed_edit is not None:
        seed = read_seed(project / "seeds" / "custom_field_map.csv")
        seed_edit(seed)
        write_seed(seed)
    return Reshaped(db, run_dbt(["build"], db, project), planted)


@pytest.fixture(scope="session")
def documented_warehouse(
    warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> Reshaped:
    """What an account serving only bizstim-api.md's endpoints and fields lands, built with the
    shipped seeds (tests/dbt/shapes.py), plus the planted values."""
    return _reshaped(warehouse, tmp_path_factory.mktemp("documented"), make_documented_only)


def _school_pending(seed: MappingSeed) -> None:
    row = seed.find("School")
    assert row is not None
    row["confirmed"] = "false"


@pytest.fixture(scope="session")
def planted_warehouse(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Reshaped:
    """The default sandbox shape plus the planted values, built with a seed in which the
    account's `School` field is still pending (the shipped `Allergies` row is, too)."""
    return _reshaped(warehouse, tmp_path_factory.mktemp("planted"), seed_edit=_school_pending)


def _drop_definitions(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("drop table raw_bizstim.custom_fields")


@pytest.fixture(scope="session")
def undefined_custom_fields_warehouse(
    warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> Reshaped:
    """`customfields` not served while client detail still carries custom_<id> columns: the
    seed names those fields custom_<id>, as `bizmig map propose` does then. The account's two
    text fields get rows: the first confirmed (migrate), the second pending."""
    texts = [
        str(r[0])
        for r in warehouse.query(
            "select id from raw_bizstim.custom_fields where type = 'text' order by id::int"
        )
    ]

    def decide_by_id(seed: MappingSeed) -> None:
        rows = [pending_row(f"custom_{i}", f"customField{i}", "TEXT", [], "") for i in texts]
        append_rows(seed, rows)
        decide(seed, migrate=[f"custom_{texts[0]}"])

    return _reshaped(
        warehouse, tmp_path_factory.mktemp("undefined"), _drop_definitions, decide_by_id
    )
