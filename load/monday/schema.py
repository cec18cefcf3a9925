"""monday's boards, groups and columns for the migration: read, reused, created (destinations-2.md
§4.2, §4.5; destinations.md §4.5).

Unlike Freshsales, monday lets an API build the whole structure, so setup is idempotent code, not
a checklist: each board of ``seeds/monday_boards.csv`` is reused by name (the first active board
of that name) or created with ``empty: true`` (no template items); each group an item needs (the
distinct ``group_title`` of the board's mart) is created before any item, since an item names
its group at creation and ``ingest_items`` takes one group per job; each column of
``seeds/monday_columns.csv`` is created with its seed id (deterministic ids, so marts and
loader name columns the same on every account), its status or dropdown labels in ``defaults``,
and, for a board_relation, the board it connects to (``{"boardIds": [...]}``; writes to an
unconnected board are refused). A second run finds everything and creates nothing.

A column the seed names that exists with another type is a :class:`SchemaConflict` (the load
refuses: writing labels into a text column would lose them). A status label the seed lists but
the board lacks (someone edited the board) is not added: the items carrying it are refused by
monday and quarantined with its message, and labels are never created silently
(``create_labels_if_missing`` is never sent; the labels are the customer's vocabulary).
Everything created is recorded in the ledger's schema table; ``bizmig rollback --schema``
deletes the boards this tool created (groups and columns it added to reused boards are left).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from load.core.destination import SchemaConflict, SetupReport
from load.core.ledger import Ledger
from load.monday.client import MondayClient, MondayError

BOARDS = """
query Boards($page: Int!) {
  boards(limit: 100, page: $page, state: active) {
    id name columns { id title type settings_str } groups { id title }
  }
}
"""
CREATE_BOARD = """
mutation CreateBoard($name: String!, $workspace: ID) {
  create_board(board_name: $name, board_kind: public, empty: true, workspace_id: $workspace) {
    id
  }
}
"""
CREATE_GROUP = """
mutation CreateGroup($board: ID!, $title: String!) {
  create_group(board_id: $board, group_name: $title) { id title }
}
"""
CREATE_COLUMN = """
mutation CreateColumn($board: ID!, $id: String!, $title: String!, $type: ColumnType!,
                      $defaults: JSON) {
  create_column(board_id: $board, id: $id, title: $title, column_type: $type,
                defaults: $defaults) { id type }
}
"""
DELETE_BOARD = """
mutation DeleteBoard($board: ID!) { delete_board(board_id: $board) { id } }
"""


@dataclass(frozen=True)
class WantedColumn:
    board: str
    id: str
    title: str
    type: str
    labels: tuple[str, ...] = ()
    relation_board: str | None = None


@dataclass
class Board:
    key: str
    name: str
    id: str = ""
    groups: dict[str, str] = field(default_factory=dict)  # title → id
    columns: dict[str, str] = field(default_factory=dict)  # column id → type

    def types(self, wanted: list[WantedColumn]) -> dict[str, str]:
        """The columns a mart row writes (not the match column, which the writer adds)."""
        return {c.id: c.type for c in wanted if c.board == self.key and c.id != "bizstim_id"}


def wanted_columns(ledger: Ledger) -> list[WantedColumn]:
    rows = ledger.query(
        "select board, column_id, title, column_type, labels, relation_board "
        "from seeds.monday_columns order by board, column_id"
    )
    return [
        WantedColumn(
            r["board"],
            r["column_id"],
            r["title"],
            r["column_type"],
            tuple((r["labels"] or "").split("|")) if r["labels"] else (),
            r["relation_board"],
        )
        for r in rows
    ]


def wanted_boards(ledger: Ledger) -> list[Board]:
    rows = ledger.query("select board, board_name from seeds.monday_boards order by load_order")
    return [Board(r["board"], r["board_name"]) for r in rows]


def group_titles(ledger: Ledger, key: str) -> list[str]:
    rows = ledger.query(f"select distinct group_title from marts.monday__{key} order by 1")
    return [str(r["group_title"]) for r in rows if r["group_title"]]


def defaults_of(column: WantedColumn, boards: dict[str, Board]) -> str | None:
    if column.type == "status":
        return json.dumps({"labels": {str(i): label for i, label in enumerate(column.labels)}})
    if column.type == "dropdown":
        options = [{"id": i + 1, "name": label} for i, label in enumerate(column.labels)]
        return json.dumps({"settings": {"labels": options}})
    if column.type == "board_relation" and column.relation_board:
        return json.dumps({"boardIds": [int(boards[column.relation_board].id)]})
    return None


def once(run_id: str, document: str, variables: dict[str, Any]) -> str:
    """The Idempotency-Key of one schema write: a lost answer is retried and replayed, never
    sent twice (a second ``create_board`` would make a second board)."""
    text = json.dumps([run_id, document, variables], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def read_boards(client: MondayClient) -> list[dict[str, Any]]:
    found, page = [], 1
    while True:
        batch = client.query(BOARDS, {"page": page}).get("boards") or []
        found += batch
        if len(batch) < 100:
            return found
        page += 1


def held_boards(client: MondayClient) -> dict[str, dict[str, Any]]:
    """The account's active boards by name (the first of a name is the one reused)."""
    held: dict[str, dict[str, Any]] = {}
    for raw in read_boards(client):
        held.setdefault(str(raw["name"]), raw)
    return held


def _attach(board: Board, raw: dict[str, Any]) -> Board:
    board.id = str(raw["id"])
    board.groups = {str(g["title"]): str(g["id"]) for g in raw.get("groups") or []}
    board.columns = {str(c["id"]): str(c["type"]) for c in raw.get("columns") or []}
    return board


def existing(client: MondayClient, ledger: Ledger) -> dict[str, Board]:
    """The mapping's boards as the account holds them, nothing created: reconcile and rollback
    read, only a load sets the schema up. A board the account lacks is left out."""
    held = held_boards(client)
    return {
        board.key: _attach(board, held[board.name])
        for board in wanted_boards(ledger)
        if board.name in held
    }


def setup(
    client: MondayClient, ledger: Ledger, run_id: str, workspace: str | None = None
) -> tuple[dict[str, Board], SetupReport]:
    """Every board, group and column the marts need, reused or created (see the module)."""
    report = SetupReport()
    calls = client.stats.total
    held = held_boards(client)
    columns = wanted_columns(ledger)
    boards: dict[str, Board] = {}
    for board in wanted_boards(ledger):
        raw = held.get(board.name)
        if raw is None:
            variables = {"name": board.name, "workspace": workspace}
            created = client.query(CREATE_BOARD, variables, once(run_id, CREATE_BOARD, variables))
            board_id = str(created["create_board"]["id"])
            ledger.record_schema(run_id, "board", board.key, board.name, board_id)
            report.created_objects.append(board.name)
            raw = client.query(BOARDS_BY_ID, {"ids": [board_id]})["boards"][0]
        else:
            report.reused += 1
        boards[board.key] = _attach(board, raw)
        _groups(client, ledger, run_id, board, report)
        _columns(client, ledger, run_id, board, columns, boards, report)
    report.requests = client.stats.total - calls
    return boards, report


BOARDS_BY_ID = """
query BoardsById($ids: [ID!]) {
  boards(ids: $ids) { id name columns { id title type settings_str } groups { id title } }
}
"""


def _groups(
    client: MondayClient, ledger: Ledger, run_id: str, board: Board, report: SetupReport
) -> None:
    if board.key == "updates":
        return
    for title in group_titles(ledger, board.key):
        if title in board.groups:
            continue
        variables = {"board": board.id, "title": title}
        key = once(run_id, CREATE_GROUP, variables)
        group = client.query(CREATE_GROUP, variables, key)["create_group"]
        board.groups[title] = str(group["id"])
        report.created_fields.append(f"{board.name} group {title}")


def _columns(
    client: MondayClient,
    ledger: Ledger,
    run_id: str,
    board: Board,
    wanted: list[WantedColumn],
    boards: dict[str, Board],
    report: SetupReport,
) -> None:
    for column in (c for c in wanted if c.board == board.key):
        held = board.columns.get(column.id)
        if held is not None:
            if held != column.type:
                raise SchemaConflict(
                    f"monday board {board.name!r} has a column {column.id!r} of type {held}; "
                    f"the mapping (seeds/monday_columns.csv) needs {column.type}: rename or "
                    "remove that column, or change the seed's column_id"
                )
            continue
        variables = {
            "board": board.id,
            "id": column.id,
            "title": column.title,
            "type": column.type,
            "defaults": defaults_of(column, boards),
        }
        try:
            client.query(CREATE_COLUMN, variables, once(run_id, CREATE_COLUMN, variables))
        except MondayError as exc:
            raise SchemaConflict(
                f"monday refused column {column.id!r} on board {board.name!r}: {exc}"
            ) from exc
        board.columns[column.id] = column.type
        ledger.record_schema(run_id, "column", board.key, column.id, f"{board.id}:{column.id}")
        report.created_fields.append(f"{board.name}.{column.id}")


def remove(client: MondayClient, ledger: Ledger) -> list[str]:
    """Delete the boards this tool created (their items go with them)."""
    removed = []
    for item in reversed([c for c in ledger.schema_created() if c["kind"] == "board"]):
        try:
            client.query(DELETE_BOARD, {"board": item["metadata_id"]})
        except MondayError as exc:
            if "ResourceNotFoundException" not in exc.codes:
                raise
        ledger.forget_schema([item["metadata_id"]])
        removed.append(f"board {item['name']}")
    return removed
