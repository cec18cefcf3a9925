"""monday schema setup against the stand-in: idempotent, and refusing a column of another type.

monday lets the API build every board, group and column (destinations-2.md §4.5), so a second
setup must find everything the first made and create nothing (the rerun's calls are the day's),
and a column the mapping needs that exists with another type must stop the load before any item
is written, naming board and column (labels written into a text column would be lost).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from load.core.destination import SchemaConflict
from load.core.ledger import Ledger
from load.core.marts import MartRow
from load.core.plan import Planned
from load.monday import schema
from load.monday.adapter import BoardFull, MondayDestination
from load.monday.budget import Allowance
from load.monday.client import MondayClient
from load.monday.specs import LOAD_ORDER
from sandbox.servers import RunningServer, start_server

TOKEN = "schema-token"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
GROUPS = {"contacts": ["Clients"], "services": ["Maths", "Languages"]}


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data = tmp_path_factory.mktemp("monday-schema")
    server = start_server("monday", ["--token", TOKEN, "--data-dir", str(data)])
    yield server
    server.stop()


def staging(tmp: Path) -> Ledger:
    """A staging file with the mapping's seeds and the marts' group titles."""
    path = tmp / "staging.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema seeds; create schema marts")
        for seed in ("monday_boards", "monday_columns"):
            con.execute(
                f"create table seeds.{seed} as select * from read_csv(?, all_varchar = true)",
                [str(SEEDS / f"{seed}.csv")],
            )
        for board in (
            "practitioners",
            "services",
            "contacts",
            "payments",
            "sessions",
            "availability",
        ):
            titles = GROUPS.get(board, ["Migrated"])
            con.execute(f"create table marts.monday__{board} (group_title varchar)")
            con.executemany(f"insert into marts.monday__{board} values (?)", [[t] for t in titles])
        con.execute("alter table seeds.monday_boards alter load_order type integer")
    return Ledger(path, destination="monday")


def client(server: RunningServer) -> MondayClient:
    return MondayClient(f"{server.url}/v2", TOKEN, limits=Allowance(25_000))


def test_a_second_setup_finds_every_board_group_and_column_and_creates_nothing(
    stand_in: RunningServer, tmp_path: Path
):
    ledger = staging(tmp_path)
    with client(stand_in) as first_client:
        boards, first = schema.setup(first_client, ledger, "run-1")
    columns = sum(1 for _ in (SEEDS / "monday_columns.csv").open()) - 1
    assert len(first.created_objects) == 6
    assert len([f for f in first.created_fields if " group " not in f]) == columns
    assert set(boards["services"].groups) >= {"Maths", "Languages"}
    with client(stand_in) as second_client:
        again, second = schema.setup(second_client, ledger, "run-2")
        calls = second_client.stats.total
    assert (second.created_objects, second.created_fields, second.reused) == ([], [], 6)
    assert calls == 1  # one read of the boards: nothing else is sent
    assert {k: b.id for k, b in again.items()} == {k: b.id for k, b in boards.items()}
    assert len([c for c in ledger.schema_created() if c["kind"] == "board"]) == 6


def test_a_column_of_another_type_stops_the_setup_naming_board_and_column(
    stand_in: RunningServer, tmp_path: Path
):
    reset = urllib.request.Request(f"{stand_in.url}/_sandbox/reset", method="POST")
    urllib.request.urlopen(reset).read()  # no boards: the customer's Payments board is the one
    ledger = staging(tmp_path)
    with client(stand_in) as admin:
        board = admin.query(schema.CREATE_BOARD, {"name": "Payments", "workspace": None})
        board_id = board["create_board"]["id"]
        admin.query(
            schema.CREATE_COLUMN,
            {
                "board": board_id,
                "id": "amount",
                "title": "Amount",
                "type": "text",
                "defaults": None,
            },
        )
    with client(stand_in) as loader, pytest.raises(SchemaConflict) as conflict:
        schema.setup(loader, ledger, "run-3")
    assert "'Payments'" in str(conflict.value) and "'amount'" in str(conflict.value)
    assert "numbers" in str(conflict.value)


def test_a_board_that_would_pass_its_capacity_is_refused_before_anything_is_sent():
    """9 999 items live (the ledger's count) on a 10 000-item board: one more create goes,
    two are refused whole, naming the board and the counts; updates add no item."""
    adapter = MondayDestination.__new__(MondayDestination)
    adapter.capacity = 10_000
    adapter.ledger = SimpleNamespace(query=lambda sql, params: [{"n": 9_999}])
    sessions = next(s for s in LOAD_ORDER if s.singular == "session")
    board = schema.Board("sessions", "Sessions", "1")

    def planned(n: int, action: str = "created") -> list[Planned]:
        return [Planned(MartRow(f"session:{i}", "h", {}, {}), {}, action) for i in range(n)]

    adapter._check_capacity(sessions, board, planned(1))
    adapter._check_capacity(sessions, board, planned(5, "updated"))
    with pytest.raises(BoardFull) as full:
        adapter._check_capacity(sessions, board, planned(2))
    assert "'Sessions'" in str(full.value) and "10,001" in str(full.value)
