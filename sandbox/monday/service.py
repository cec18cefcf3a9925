"""The monday stand-in's operations on boards and items, below GraphQL and above SQLite.

Every rule an item write must pass lives here once, for the three doors that write items
(``create_item`` / ``change_multiple_column_values``, ``ingest_items`` / ``backfill_items`` jobs,
bulk delete/archive) — destinations-2.md §4.11:

* rule 6: ``item_name`` 1-255 characters (``InvalidItemNameException`` when empty,
  ``ItemNameTooLongException`` past 255); ``column_values`` is a JSON *string* keyed by column
  ids the board has (``InvalidColumnIdException``); values per sandbox/monday/values.py.
* rule 7: relations only to items on the boards a column is connected to.
* rule 10: a board holds at most ``board_capacity`` live items (``ItemsLimitationException``).
* rule 12: delete and archive change an item's ``state``; nothing is erased.
* rule 13: an update keeps the ``original_creation_date`` it was given.

It also serves the jobs' store protocols (``ItemStore`` in jobs.py, ``StateStore`` in
bulk_jobs.py), so a job's rows are checked by the same code as a mutation's.

Choices where the reference is silent: a new board gets one group (``topics``, "Group Title"),
as monday's UI does, even with ``empty: true`` (which only leaves out template items); column
ids are ``^[a-z][a-z0-9_]{0,19}$`` and unique per board (``InvalidColumnIdException``); a
``name`` key inside ``column_values`` renames the item (monday documents it); ``column_values``
given as a JSON object instead of the string rule 6 names is refused (``InvalidArgumentException``:
a loader that sends objects learns it here, not in production); a status/dropdown
column's labels come from ``defaults`` as ``{"labels": {"1": "Done"}}`` (status) and
``{"settings": {"labels": [{"id": 1, "name": "A"}]}}`` or ``{"labels": ["A", ...]}``
(dropdown); a board_relation column needs ``{"boardIds": [...]}`` naming the account's boards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from sandbox.monday.jobs import CellRefused
from sandbox.monday.store import Store
from sandbox.monday.values import Column, Context, Stored, ValueRefused, from_cell, from_json

MAX_NAME = 255
COLUMN_ID = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
DEFAULT_GROUP = ("topics", "Group Title")


class MondayError(Exception):
    """An application error: HTTP 200, ``errors[].extensions.code`` = ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class Service:
    def __init__(self, store: Store, now: Callable[[], datetime], board_capacity: int) -> None:
        self.store, self._now, self.board_capacity = store, now, board_capacity

    def stamp(self) -> str:
        return self._now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def context(self, account: str) -> Context:
        def item_board(item_id: str) -> str | None:
            item = self.store.item(account, item_id)
            return item["board_id"] if item and item["state"] == "active" else None

        def item_name(item_id: str) -> str:
            item = self.store.item(account, item_id)
            return item["name"] if item else ""

        return Context(item_board, lambda u: self.store.user_name(account, u), item_name)

    # -- boards ------------------------------------------------------------------------------
    def board(self, account: str, board_id: str) -> dict[str, Any]:
        board = self.store.board(account, str(board_id))
        if board is None or board["state"] == "deleted":
            raise MondayError("ResourceNotFoundException", f"Board {board_id} not found")
        return board

    def create_board(
        self, account: str, name: str, kind: str, workspace: str | None, description: str | None
    ) -> str:
        if not name.strip():
            raise MondayError("InvalidArgumentException", "board_name must not be empty")
        board_id = self.store.create_board(
            account, name, kind, workspace, description, self.stamp()
        )
        self.store.add_group(board_id, *DEFAULT_GROUP)
        return board_id

    def create_group(self, account: str, board_id: str, title: str) -> str:
        self.board(account, board_id)
        group_id = f"group_{self.store.next_id('group')}"
        self.store.add_group(str(board_id), group_id, title)
        return group_id

    def create_column(
        self,
        account: str,
        board_id: str,
        column_id: str | None,
        title: str,
        column_type: str,
        defaults: Any,
    ) -> Column:
        self.board(account, board_id)
        taken = {c.id for c in self.store.columns(str(board_id))}
        if column_id is None:
            column_id = f"{column_type[:12]}_{self.store.next_id('column')}"
        if not COLUMN_ID.match(column_id) or column_id in taken or column_id == "name":
            raise MondayError(
                "InvalidColumnIdException",
                f"column id {column_id!r} is taken or not ^[a-z][a-z0-9_]{{0,19}}$",
            )
        settings = self._settings(account, column_type, defaults)
        column = Column(column_id, title, column_type, settings)
        self.store.add_column(str(board_id), column)
        return column

    def _settings(self, account: str, column_type: str, defaults: Any) -> dict[str, Any]:
        raw = json.loads(defaults) if isinstance(defaults, str) else (defaults or {})
        if column_type == "status":
            labels = raw.get("labels", {})
            if isinstance(labels, list):
                labels = dict(enumerate(labels))
            return {"labels": {str(k): str(v) for k, v in labels.items()}}
        if column_type == "dropdown":
            options = raw.get("settings", raw).get("labels", [])
            return {
                "labels": [
                    o if isinstance(o, dict) else {"id": i + 1, "name": str(o)}
                    for i, o in enumerate(options)
                ]
            }
        if column_type == "board_relation":
            ids = [str(b) for b in raw.get("boardIds", [])]
            known = {b["id"] for b in self.store.boards(account)}
            if not ids or not set(ids) <= known:
                raise MondayError(
                    "ColumnValueException",
                    'a board_relation column needs defaults {"boardIds": [...]} of this '
                    "account's boards",
                )
            return {
                "boardIds": [int(b) for b in ids],
                **{k: v for k, v in raw.items() if k != "boardIds"},
            }
        return raw if isinstance(raw, dict) else {}

    # -- items -------------------------------------------------------------------------------
    def item(self, account: str, item_id: str) -> dict[str, Any]:
        item = self.store.item(account, str(item_id))
        if item is None:
            raise MondayError("ResourceNotFoundException", f"Item {item_id} not found")
        return item

    def create_item(
        self,
        account: str,
        board_id: str,
        group_id: str | None,
        name: str,
        column_values: Any,
        create_labels: bool,
    ) -> str:
        self.board(account, board_id)
        groups = [g["id"] for g in self.store.groups(str(board_id))]
        group = group_id or (groups[0] if groups else None)
        if group not in groups:
            raise MondayError("ResourceNotFoundException", f"Group {group_id} not found")
        _check_name(name)
        values = self._parse(account, str(board_id), _decoded(column_values), create_labels)
        if self.live_count(account, str(board_id)) >= self.board_capacity:
            raise MondayError(
                "ItemsLimitationException",
                f"board {board_id} holds its limit of {self.board_capacity} items",
            )
        return self.create(account, str(board_id), str(group), name, values)

    def change_values(
        self, account: str, board_id: str, item_id: str, column_values: Any, create_labels: bool
    ) -> str:
        item = self.item(account, item_id)
        if item["board_id"] != str(board_id) or item["state"] == "deleted":
            raise MondayError("ResourceNotFoundException", f"Item {item_id} not on {board_id}")
        raw = _decoded(column_values)
        name = raw.pop("name", None)
        if name is not None:
            _check_name(str(name))
        values = self._parse(account, str(board_id), raw, create_labels)
        self.update(account, str(item_id), str(name) if name is not None else "", values)
        return str(item_id)

    def _parse(
        self, account: str, board_id: str, raw: dict[str, Any], create_labels: bool
    ) -> dict[str, Stored | None]:
        columns = {c.id: c for c in self.store.columns(board_id)}
        context, parsed = self.context(account), {}
        for column_id, value in raw.items():
            column = columns.get(column_id)
            if column is None:
                raise MondayError("InvalidColumnIdException", f"Column {column_id} not found")
            try:
                parsed[column_id] = from_json(column, value, context, create_labels)
            except ValueRefused as exc:
                raise MondayError(exc.code, exc.message) from None
            if create_labels and column.type in ("status", "dropdown"):
                self.store.save_settings(board_id, column)
        return parsed

    def set_state(self, account: str, item_id: str, state: str) -> None:
        self.item(account, item_id)
        self.store.set_item_state(str(item_id), state)

    def create_update(
        self, account: str, user_id: str, item_id: str, body: str, original: str | None
    ) -> str:
        item = self.item(account, item_id)
        if item["state"] == "deleted":
            raise MondayError("ResourceNotFoundException", f"Item {item_id} not found")
        if not body.strip():
            raise MondayError("InvalidArgumentException", "an update needs a body")
        created = self.stamp()
        if original:
            try:
                moment = datetime.fromisoformat(original.replace("Z", "+00:00"))
            except ValueError:
                raise MondayError(
                    "InvalidArgumentException", f"original_creation_date {original!r}"
                ) from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            created = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.store.add_update(str(item_id), body, created, user_id)

    # -- the jobs' store protocols (jobs.ItemStore, bulk_jobs.StateStore) --------------------
    def board_columns(self, account: str, board_id: str) -> dict[str, str] | None:
        board = self.store.board(account, str(board_id))
        if board is None or board["state"] == "deleted":
            return None
        return {c.id: c.type for c in self.store.columns(str(board_id))}

    def has_group(self, account: str, board_id: str, group_id: str) -> bool:
        return any(g["id"] == group_id for g in self.store.groups(str(board_id)))

    def has_board(self, account: str, board_id: str) -> bool:
        return self.board_columns(account, board_id) is not None

    def live_count(self, account: str, board_id: str) -> int:
        return self.store.count_live(str(board_id))

    def match_index(self, account: str, board_id: str, column_id: str) -> dict[str, list[str]]:
        live = [
            i["id"]
            for i in self.store.items_where("board_id = ? and state = 'active'", (board_id,))
        ]
        index: dict[str, list[str]] = {}
        for item_id, cells in self.store.cells(live).items():
            text = cells.get(column_id, (None, ""))[1]
            if text:
                index.setdefault(text, []).append(item_id)
        return index

    def read_cell(self, account: str, board_id: str, column_id: str, text: str) -> Any:
        column = next(c for c in self.store.columns(str(board_id)) if c.id == column_id)
        try:
            return from_cell(column, text, self.context(account)) if text.strip() else None
        except ValueRefused as exc:
            raise CellRefused(f"{column_id}: {exc.message}") from None

    def create(
        self, account: str, board_id: str, group_id: str, name: str, values: dict[str, Any]
    ) -> str:
        item_id = self.store.add_item(account, board_id, group_id, name, self.stamp())
        for column_id, stored in values.items():
            if stored is not None:
                self.store.set_cell(item_id, column_id, stored)
        return item_id

    def update(self, account: str, item_id: str, name: str, values: dict[str, Any]) -> None:
        if name:
            self.store.rename(item_id, name, self.stamp())
        for column_id, stored in values.items():
            self.store.set_cell(item_id, column_id, stored)

    def is_admin(self, account: str, user_id: str) -> bool:
        return self.store.is_admin(account, user_id)

    def batch(self) -> AbstractContextManager[Any]:
        """One transaction for a job's writes: all of them or none."""
        return self.store.tx()

    def item_state(self, account: str, board_id: str, item_id: str) -> str | None:
        item = self.store.item(account, str(item_id))
        return item["state"] if item and item["board_id"] == str(board_id) else None

    def set_item_state(self, account: str, item_id: str, state: str) -> None:
        self.store.set_item_state(str(item_id), state)


def _check_name(name: str) -> None:
    if not name.strip():
        raise MondayError("InvalidItemNameException", "The item name must not be empty")
    if len(name) > MAX_NAME:
        raise MondayError(
            "ItemNameTooLongException", f"The item name has {len(name)} characters (max 255)"
        )


def _decoded(column_values: Any) -> dict[str, Any]:
    """``column_values`` as monday takes it: a JSON *string* of an object (rule 6)."""
    if column_values is None:
        return {}
    if not isinstance(column_values, str):
        raise MondayError("InvalidArgumentException", "column_values must be a JSON string")
    try:
        raw = json.loads(column_values) if column_values.strip() else {}
    except json.JSONDecodeError:
        raise MondayError("InvalidArgumentException", "column_values is not JSON") from None
    if not isinstance(raw, dict):
        raise MondayError("InvalidArgumentException", "column_values must be a JSON object")
    return dict(raw)
