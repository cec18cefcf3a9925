"""Fixtures: both stand-ins and a migration config pointing at them (in-process `execute`)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bizmig.demo import copy_project
from bizmig.migrate import MigrationConfig
from common.settings import BizstimSettings, TwentySettings
from sandbox.servers import RunningServer, start_server
from tests.load.conftest import TWENTY_KEY, Twenty, start_twenty

BIZSTIM_KEY = "migrate-test-bizstim-key-0000000000000001"


@dataclass
class Stage:
    bizstim: RunningServer
    twenty: Twenty
    config: MigrationConfig

    def mutate(self, table: str, op: str, record_id: str | None, values: dict[str, str]) -> None:
        body = json.dumps({"table": table, "op": op, "id": record_id, "values": values})
        request = urllib.request.Request(
            f"{self.bizstim.url}/_sandbox/mutate",
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request).read()

    def marts(self) -> dict[tuple[str, str], str]:
        """(mart, external id) → row hash, as the last dbt build left them."""
        from load.twenty.specs import LOAD_ORDER

        out = {}
        with duckdb.connect(str(self.config.duckdb), read_only=True) as con:
            for spec in LOAD_ORDER:
                for ext, row_hash in con.execute(
                    f"select external_id, row_hash from {spec.relation}"
                ).fetchall():
                    out[(spec.singular, ext)] = row_hash
        return out

    def phase_detail(self, phase: str) -> dict[str, Any]:
        with duckdb.connect(str(self.config.duckdb), read_only=True) as con:
            row = con.execute(
                "select detail from migration.phase_log where phase = ? and status = 'done' "
                "order by started_at desc limit 1",
                [phase],
            ).fetchone()
        return json.loads(row[0])


def stand_in_config(
    tmp: Path, bizstim: RunningServer, bizstim_key: str, twenty: Twenty, staging: str = "staging"
) -> MigrationConfig:
    """A migration of the Bizstim stand-in into the Twenty stand-in, pacing out of the way,
    the custom-field map confirmed in a copy of the project under ``tmp``."""
    return MigrationConfig(
        bizstim=BizstimSettings(f"{bizstim.url}/api", (bizstim_key,), 100000, 1),
        target=TwentySettings(twenty.url, TWENTY_KEY),
        duckdb=tmp / f"{staging}.duckdb",
        report_dir=tmp / "report",
        project_dir=copy_project(tmp / "project"),
        target_rate=(100000, 1),
        allow_unmatched_owners=True,
    )


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[Stage]:
    args = [
        "--clients",
        "40",
        "--seed",
        "42",
        "--db",
        str(tmp_path / "bizstim.sqlite"),
        "--api-key",
        BIZSTIM_KEY,
        "--rate-limit",
        "100000",
        "--rate-window",
        "1",
    ]
    bizstim = start_server("bizstim", args)
    twenty = start_twenty(tmp_path, "--rate-limit", "0")
    config = stand_in_config(tmp_path, bizstim, BIZSTIM_KEY, twenty)
    yield Stage(bizstim, twenty, config)
    twenty.server.stop()
    bizstim.stop()
