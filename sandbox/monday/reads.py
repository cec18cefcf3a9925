"""What the monday stand-in answers when a document reads boards, items and their values: the
shapes of destinations.md §4.2 built from the store, and the paging rules of destinations-2.md
§4.11 rule 11. Split from sandbox/monday/resolvers.py (which keeps one method per root field)
because the shaping is shared by every root field that returns a board or an item.

Reads: ``items_page`` ``limit`` 1-500 (past 500 is refused with ``InvalidArgumentException``,
not cut, so a loader asking for 1 000 learns it here); the cursor is opaque to the caller
(stand-in choice: URL-safe base64 of the page's query and the last id served, so a cursor
outlives a restart — monday's expire after 60 minutes, which no test needs) and is continued by
``next_items_page``; pages list only active items, in id order; archived and deleted items are
read by id (``items(ids)``, at most 100 ids) with their ``state``. A board_relation's ``value``
reads null and its ids are ``linked_item_ids`` (rule 7, API 2025-04+); its ``text`` is the
linked items' names. Nested fields take their arguments lazily (a function in the returned
dict) so nothing is read that the document did not ask for.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from sandbox.monday.service import Service
from sandbox.monday.values import TYPENAMES, Column, dumps, linked_ids

PAGE_MAX, IDS_MAX = 500, 100


def app_error(code: str, message: str) -> GraphQLError:
    """An application error as monday answers it: HTTP 200, ``errors[].extensions.code``."""
    return GraphQLError(message, extensions={"code": code})


class Shapes:
    """Boards, pages and items of one store in the dict shapes graphql-core resolves."""

    def __init__(self, service: Service) -> None:
        self.s = service

    def board(self, account: str, board: dict[str, Any]) -> dict[str, Any]:
        board_id = board["id"]

        def columns(info: GraphQLResolveInfo, ids: list[str] | None = None, **_: Any) -> Any:
            return [column(c) for c in self.s.store.columns(board_id) if not ids or c.id in ids]

        def groups(info: GraphQLResolveInfo, ids: list[str] | None = None) -> Any:
            return [
                {**g, "items_page": self._group_page(account, board_id, g["id"])}
                for g in self.s.store.groups(board_id)
                if not ids or g["id"] in ids
            ]

        def items_page(
            info: GraphQLResolveInfo,
            limit: int,
            cursor: str | None = None,
            query_params: dict[str, Any] | None = None,
            **_: Any,
        ) -> Any:
            if cursor:
                return self.page(account, decode(cursor), limit)
            return self.page(account, page_query(board_id, query_params), limit)

        return {
            **board,
            "items_count": self.s.live_count(account, board_id),
            "columns": columns,
            "groups": groups,
            "items_page": items_page,
        }

    def _group_page(self, account: str, board_id: str, group_id: str) -> Callable[..., Any]:
        def items_page(
            info: GraphQLResolveInfo,
            limit: int,
            cursor: str | None = None,
            query_params: dict[str, Any] | None = None,
            **_: Any,
        ) -> Any:
            query = (
                decode(cursor)
                if cursor
                else {**page_query(board_id, query_params), "g": [group_id]}
            )
            return self.page(account, query, limit)

        return items_page

    def page(self, account: str, query: dict[str, Any], limit: int) -> dict[str, Any]:
        """One page of a board's active items after the cursor's last id (rule 11)."""
        if not 1 <= limit <= PAGE_MAX:
            raise app_error("InvalidArgumentException", f"limit must be 1 to {PAGE_MAX}")
        board_id, after = query["b"], int(query.get("a", 0))
        found = self.s.store.items_where(
            "account = ? and board_id = ? and state = 'active' and cast(id as integer) > ?",
            (account, board_id, after),
        )
        if query.get("g"):
            found = [i for i in found if i["group_id"] in query["g"]]
        if query.get("i"):
            found = [i for i in found if i["id"] in query["i"]]
        for rule in query.get("r", []):
            wanted = {str(v) for v in rule["compare_value"]}
            cells = self.s.store.cells([i["id"] for i in found])
            found = [
                i for i in found if cells[i["id"]].get(rule["column_id"], (None, ""))[1] in wanted
            ]
        page = found[:limit]
        more = len(found) > limit
        cursor = encode({**query, "a": page[-1]["id"]}) if more else None
        return {"cursor": cursor, "items": self.items(page)}

    def items(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        cells = self.s.store.cells([i["id"] for i in items])
        columns: dict[str, list[Column]] = {}
        shaped = []
        for item in items:
            board_columns = columns.setdefault(
                item["board_id"], self.s.store.columns(item["board_id"])
            )
            shaped.append(self._item(item, board_columns, cells[item["id"]]))
        return shaped

    def _item(
        self, item: dict[str, Any], columns: list[Column], cells: dict[str, tuple[Any, str]]
    ) -> dict[str, Any]:
        def column_values(
            info: GraphQLResolveInfo,
            ids: list[str] | None = None,
            types: list[str] | None = None,
            **_: Any,
        ) -> Any:
            return [
                value(c, cells.get(c.id))
                for c in columns
                if (not ids or c.id in ids) and (not types or c.type in types)
            ]

        def updates(
            info: GraphQLResolveInfo, limit: int = 25, page: int = 1, ids: list[str] | None = None
        ) -> Any:
            found = [u for u in self.s.store.updates(item["id"]) if not ids or u["id"] in ids]
            start = (max(page, 1) - 1) * limit
            return found[start : start + limit]

        groups = {g["id"]: g for g in self.s.store.groups(item["board_id"])}
        return {
            **item,
            "group": groups.get(item["group_id"]),
            "board": {"id": item["board_id"]},
            "column_values": column_values,
            "updates": updates,
        }


def user(found: dict[str, Any]) -> dict[str, Any]:
    """A user as the 2026-10 SDL's ``User`` has it (``status``, ``is_deleted``; no ``enabled``)."""
    status = "ACTIVE" if found.get("active", True) else "INACTIVE"
    return {**found, "status": status, "is_deleted": False, "title": "", "kind": "member"}


def column(found: Column) -> dict[str, Any]:
    return {
        "id": found.id,
        "title": found.title,
        "type": found.type,
        "settings_str": dumps(found.settings) or "{}",
        "settings": found.settings,
    }


def value(of: Column, cell: tuple[Any, str] | None) -> dict[str, Any]:
    stored, text = cell if cell else (None, "")
    shaped = {
        "__typename": TYPENAMES.get(of.type, "UnsupportedValue"),
        "id": of.id,
        "type": of.type,
        "text": text,
        "value": dumps(stored),
        "column": column(of),
    }
    if of.type == "board_relation":
        shaped.update(value=None, linked_item_ids=linked_ids(stored), display_value=text)
    return shaped


def page_query(board_id: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """``query_params`` as the cursor keeps it: ``ids`` and ``rules`` with ``any_of``, joined by
    ``and``. The SDL's ``groups`` are nested rule groups (not group ids), ``operator: or`` and
    ``order_by`` change which items or in which order: answered ``UnsupportedByStandIn`` rather
    than a page that silently ignores them (a group's items are read through ``groups``)."""
    params = params or {}
    for unserved in ("groups", "order_by"):
        if params.get(unserved):
            raise app_error("UnsupportedByStandIn", f"query_params.{unserved} is not served")
    if params.get("operator", "and") != "and":
        raise app_error("UnsupportedByStandIn", "query_params.operator or is not served")
    rules = []
    for rule in params.get("rules") or []:
        operator = rule.get("operator", "any_of")
        if operator != "any_of":
            raise app_error("UnsupportedByStandIn", f"rule operator {operator} is not served")
        values = rule["compare_value"]
        rules.append(
            {
                "column_id": rule["column_id"],
                "compare_value": values if isinstance(values, list) else [values],
            }
        )
    query: dict[str, Any] = {"b": str(board_id), "r": rules}
    if params.get("ids"):
        query["i"] = [str(i) for i in params["ids"]]
    return query


def encode(query: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(query).encode()).decode()


def decode(cursor: str) -> dict[str, Any]:
    try:
        query = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        query = None
    if not isinstance(query, dict) or "b" not in query:
        raise app_error("InvalidArgumentException", "invalid or expired cursor")
    return query
