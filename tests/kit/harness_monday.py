"""The acceptance kit's monday harness: its stand-in, what it holds, how it misbehaves.

What the account holds is read from the stand-in's ``/_sandbox/snapshot`` hook (no token, never
counted against the day): active items of active boards, each keyed by its ``bizstim_id``
column, updates by the ``[bizstim:<id>]`` marker ending their body; a relation is compared as
the external ids of the items it links, so two accounts given the same data compare equal
whatever ids they drew. Item and update ids and creation times are the account's own.

monday counts calls, not records: a record write is a request that wrote items (an aliased
mutation document, whatever its number of aliases) or an ingest job's upload, the stand-in's
request log counting each (``records`` > 0). So the fewest record writes is, per board, one
upload per group and 10 000 rows when the board's rows reach ``MONDAY_INGEST_THRESHOLD``, else
one document per 500 rows, and one document per 500 notes. The throttle fault is a day of 60
calls: monday answers ``DAILY_LIMIT_EXCEEDED`` (the loader is told a large day, so it is
monday's 429 that stops it, exit 14), a day passes on the stand-in's clock, the rerun resumes.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import duckdb
import httpx

from common.exits import ExitCode
from load.monday import documents
from load.monday.schema import (
    CREATE_BOARD,
    CREATE_COLUMN,
    CREATE_GROUP,
    WantedColumn,
    defaults_of,
)
from load.monday.specs import KEY, LOAD_ORDER, SINGULAR_OF
from load.monday.updates import marker_of
from sandbox.servers import start_server
from tests.kit.fault import Fault, spoil_one
from tests.kit.stand_in import HookedStandIn

TOKEN = "kit-monday-token"
ACCOUNT = "default"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
THRESHOLD, JOB_ROWS, ALIASES = 50, 10_000, 500


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


BOARD_KEYS = {r["board_name"]: r["board"] for r in _seed("monday_boards.csv")}


class MondayStandIn(HookedStandIn):
    def boards(self) -> list[dict[str, Any]]:
        snapshot = self.hook(f"snapshot?account={ACCOUNT}")
        return [b for b in snapshot["boards"] if b["state"] == "active"]

    def graphql(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.url}/v2",
            json={"query": document, "variables": variables},
            headers={"Authorization": TOKEN},
            timeout=60,
        ).json()
        assert not answer.get("errors"), answer
        return answer["data"]


def _keys(boards: list[dict[str, Any]]) -> dict[str, str]:
    """item id → external id, over every board."""
    return {
        str(item["id"]): str(item["values"].get(KEY, {}).get("text") or "")
        for board in boards
        for item in board["items"]
    }


def _item_content(item: dict[str, Any], keys: dict[str, str], groups: dict[str, str]) -> dict:
    values = {}
    for column_id, read in item["values"].items():
        if column_id == KEY:
            continue
        if "linked_item_ids" in read:
            linked = sorted(keys.get(str(i), str(i)) for i in read["linked_item_ids"])
            if linked:
                values[column_id] = linked
        elif read.get("value") is not None:
            values[column_id] = read["value"]
    return {"name": item["name"], "group": groups.get(item["group_id"]), "values": values}


class MondayHarness:
    name = "monday"
    faults = {
        "throttle": Fault(
            ("--daily-calls", "60"), "stopped", stops_with=ExitCode.DESTINATION_BUDGET_EXHAUSTED
        ),
        "5xx": Fault(("--p500", "0.1", "--fault-seed", "5"), "5xx"),
        "dropped": Fault(("--p-drop-after-commit", "0.2", "--fault-seed", "7"), "dropped"),
    }
    slow = ("--p-slow", "1", "--slow-seconds", "0.05")  # the killer polls every 3 ms

    def start(self, tmp: Path, *options: str) -> MondayStandIn:
        data = tmp / f"monday-{len(list(tmp.glob('monday-*')))}"
        args = ["--token", TOKEN, "--data-dir", str(data), "--plan", "enterprise"]
        return MondayStandIn(start_server("monday", [*args, *options]))

    def env(self, stand_in: Any) -> dict[str, str]:
        return {
            "MONDAY_API_URL": f"{stand_in.url}/v2",
            "MONDAY_API_TOKEN": TOKEN,
            "MONDAY_DAILY_CALLS": "1000000",  # only monday's own 429 stops a kit load
            "MONDAY_MAX_WAIT_S": "30",
        }

    def expected(self, staging: Path) -> dict[str, int]:
        with duckdb.connect(str(staging), read_only=True) as con:
            return {
                s.singular: con.execute(f"select count(*) from {s.relation}").fetchone()[0]
                for s in LOAD_ORDER
            }

    def holdings(self, stand_in: Any) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        boards = stand_in.boards()
        keys = _keys(boards)
        held: dict[str, list[tuple[str, dict[str, Any]]]] = {s.singular: [] for s in LOAD_ORDER}
        for board in boards:
            singular = SINGULAR_OF.get(BOARD_KEYS.get(board["name"], ""))
            groups = {g["id"]: g["title"] for g in board["groups"]}
            for item in board["items"]:
                key = keys[str(item["id"])]
                if singular is not None and key:
                    held[singular].append((key, _item_content(item, keys, groups)))
                for update in item["updates"]:
                    marker = marker_of(update["body"])
                    if marker:
                        held["update"].append((marker, {"body": update["body"], "item": key}))
        return held

    def snapshot(self, stand_in: Any) -> Any:
        """Active boards: their columns, groups and active items (with their updates)."""
        out = []
        for board in stand_in.boards():
            groups = {g["id"]: g["title"] for g in board["groups"]}
            items = sorted(
                (
                    {
                        **_item_content(i, {}, groups),
                        "updates": sorted(u["body"] for u in i["updates"]),
                    }
                    for i in board["items"]
                ),
                key=lambda i: json.dumps(i, sort_keys=True, default=str),
            )
            columns = sorted((c["id"], c["type"]) for c in board["columns"])
            out.append(
                {
                    "name": board["name"],
                    "columns": columns,
                    "groups": sorted(groups.values()),
                    "items": items,
                }
            )
        return sorted(out, key=lambda b: b["name"])

    def populate(self, stand_in: Any, staging: Path) -> None:
        """What an account already holds that the migration touches: a Contacts board with the
        mapping's columns and an item carrying a mart row's id (the load updates it, rollback
        writes it back; the board is the customer's and stays)."""
        with duckdb.connect(str(staging), read_only=True) as con:
            (external_id,) = con.execute(
                "select external_id from marts.monday__contacts order by external_id "
                "limit 1 offset 2"
            ).fetchone()
            group = con.execute(
                "select distinct group_title from marts.monday__contacts"
            ).fetchone()
        board = stand_in.graphql(CREATE_BOARD, {"name": "Contacts", "workspace": None})
        board_id = board["create_board"]["id"]
        for row in (r for r in _seed("monday_columns.csv") if r["board"] == "contacts"):
            labels = tuple(row["labels"].split("|")) if row["labels"] else ()
            column = WantedColumn(
                "contacts", row["column_id"], row["title"], row["column_type"], labels
            )
            stand_in.graphql(
                CREATE_COLUMN,
                {
                    "board": board_id,
                    "id": column.id,
                    "title": column.title,
                    "type": column.type,
                    "defaults": defaults_of(column, {}),
                },
            )
        made = stand_in.graphql(CREATE_GROUP, {"board": board_id, "title": group[0]})
        write, variables = documents.aliased_items(
            [
                documents.ItemWrite(
                    json.dumps({KEY: external_id}), "Before Migration", made["create_group"]["id"]
                )
            ]
        )
        stand_in.graphql(write, {**variables, "board": board_id})

    def is_record_write(self, request: dict[str, Any]) -> bool:
        path = request["path"]
        return request.get("records", 0) > 0 and (
            path.rstrip("/") == "/v2" or path.startswith("/_upload")
        )

    def is_write(self, request: dict[str, Any]) -> bool:
        return self.is_record_write(request)

    def minimum_record_writes(self, staging: Path) -> int:
        writes = 0
        with duckdb.connect(str(staging), read_only=True) as con:
            for spec in LOAD_ORDER:
                if spec.singular == "update":
                    (rows,) = con.execute(f"select count(*) from {spec.relation}").fetchone()
                    writes += math.ceil(rows / ALIASES)
                    continue
                groups = [
                    n
                    for (n,) in con.execute(
                        f"select count(*) from {spec.relation} group by group_title"
                    ).fetchall()
                ]
                if sum(groups) >= THRESHOLD:
                    writes += sum(math.ceil(n / JOB_ROWS) for n in groups)
                else:
                    writes += math.ceil(sum(groups) / ALIASES)
        return writes

    def refuse_one(self, staging: Path) -> tuple[str, str]:
        """A client whose status label the Contacts board lacks: monday refuses the item
        (ColumnValueException) and the loader never creates labels."""
        return "contact", spoil_one(staging, "monday__contacts", "status = 'Retired'")

    def recover(self, stand_in: Any) -> None:
        """A day passes on the stand-in's clock: the account's calls count from zero."""
        stand_in.hook("clock", method="POST", body={"advance_s": 86_400})

    def fault_seen(self, log: list[dict[str, Any]]) -> set[str]:
        seen = {"5xx" for r in log if r["status"] >= 500}
        seen |= {"dropped" for r in log if r.get("dropped")}
        return seen | {"stopped" for r in log if r["status"] == 429}
