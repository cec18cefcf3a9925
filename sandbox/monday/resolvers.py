"""The monday stand-in's GraphQL resolvers: the SDL's root fields a migration uses, answered
from the store in monday's shapes (destinations.md §4.2, destinations-2.md §4.6, §4.11).

graphql-core executes every validated document against :class:`Root`: each root field is a
method, each nested field with arguments (``items_page``, ``column_values``, ``updates`` …) a
function inside the returned dict, so nothing is read that the document did not ask for.
Mutations of one document run one after another (GraphQL's rule for mutations), which is also
monday's advice for writes to one board. An application error is a ``GraphQLError`` with
``extensions.code`` and the alias as its ``path``: monday answers HTTP 200 with ``errors[]``
beside the data of the aliases that worked, and a loader must keep those.

Reads (§4.11 rule 11): ``items_page`` ``limit`` 1-500 (``limit`` past 500 is refused, not cut),
cursor opaque, continued by ``next_items_page``; only active items (archived and deleted ones
are read by id, with their ``state``); ``items(ids)`` at most 100 ids. A board_relation's
``value`` reads null and its ids are ``linked_item_ids`` (rule 7, API 2025-04+).

Root fields of the SDL this stand-in does not serve answer ``UnsupportedByStandIn`` (a loader
that starts using one learns it here, not in production); nested fields it does not keep
read null. The job fields (``ingest_items`` … ``undo_action``) are sandbox/monday/job_fields.py's.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from sandbox.monday.job_fields import Caller as JobCaller
from sandbox.monday.jobs import JobError
from sandbox.monday.service import MondayError, Service
from sandbox.monday.values import TYPENAMES, Column, dumps, linked_ids

PAGE_MAX, IDS_MAX = 500, 100


@dataclass(frozen=True)
class Caller:
    account: str
    user_id: str
    base_url: str
    complexity: dict[str, int]  # the charge, for the ``complexity`` field


def app_error(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


class Root:
    """Query and Mutation root fields; ``info.context`` is the :class:`Caller`."""

    def __init__(self, service: Service, job_resolvers: dict[str, Callable[..., Any]]) -> None:
        self.s, self._jobs = service, job_resolvers

    def __getattr__(self, name: str) -> Any:
        if name in self._jobs:
            return self._job(name)
        if name.startswith("_"):
            raise AttributeError(name)

        def unsupported(info: GraphQLResolveInfo, **_: Any) -> Any:
            raise app_error("UnsupportedByStandIn", f"{name} is not served by the stand-in")

        return unsupported

    def _job(self, name: str) -> Callable[..., Any]:
        def resolve(info: GraphQLResolveInfo, **args: Any) -> Any:
            c: Caller = info.context
            try:
                return self._jobs[name](JobCaller(c.account, c.user_id, c.base_url), args)
            except JobError as exc:
                raise app_error(exc.code, exc.message) from None

        return resolve

    # -- queries -----------------------------------------------------------------------------
    def me(self, info: GraphQLResolveInfo) -> dict[str, Any]:
        c: Caller = info.context
        return next(_user(u) for u in self.s.store.users(c.account) if u["id"] == c.user_id)

    def users(
        self,
        info: GraphQLResolveInfo,
        emails: list[str] | None = None,
        ids: list[str] | None = None,
        **_: Any,
    ) -> list[dict[str, Any]]:
        found = self.s.store.users(info.context.account, emails)
        return [_user(u) for u in found if ids is None or u["id"] in {str(i) for i in ids}]

    def complexity(self, info: GraphQLResolveInfo) -> dict[str, int]:
        return info.context.complexity

    def boards(
        self,
        info: GraphQLResolveInfo,
        ids: list[str] | None = None,
        limit: int = 25,
        page: int = 1,
        state: str = "active",
        **_: Any,
    ) -> list[dict[str, Any]]:
        found = self.s.store.boards(info.context.account, [str(i) for i in ids] if ids else None)
        found = [b for b in found if state == "all" or b["state"] == state]
        start = (max(page, 1) - 1) * limit
        return [self._board(info.context.account, b) for b in found[start : start + limit]]

    def items(
        self,
        info: GraphQLResolveInfo,
        ids: list[str] | None = None,
        exclude_nonactive: bool = False,
        **_: Any,
    ) -> list[dict[str, Any]]:
        if not ids or len(ids) > IDS_MAX:
            raise app_error("InvalidArgumentException", f"items takes 1 to {IDS_MAX} ids")
        found = [self.s.store.item(info.context.account, str(i)) for i in ids]
        live = [i for i in found if i and (not exclude_nonactive or i["state"] == "active")]
        return self._items(live)

    def next_items_page(self, info: GraphQLResolveInfo, cursor: str, limit: int) -> Any:
        query = _decode(cursor)
        return self._page(info.context.account, query, limit)

    def items_page_by_column_values(
        self,
        info: GraphQLResolveInfo,
        board_id: str,
        limit: int,
        columns: list[dict[str, Any]] | None = None,
        cursor: str | None = None,
        **_: Any,
    ) -> Any:
        if cursor:
            return self._page(info.context.account, _decode(cursor), limit)
        self._run(lambda: self.s.board(info.context.account, board_id))
        rules = [
            {"column_id": c["column_id"], "compare_value": c["column_values"]}
            for c in columns or []
        ]
        return self._page(info.context.account, {"b": str(board_id), "r": rules}, limit)

    # -- mutations ---------------------------------------------------------------------------
    def create_board(
        self,
        info: GraphQLResolveInfo,
        board_name: str,
        board_kind: str,
        workspace_id: str | None = None,
        description: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        account = info.context.account
        board_id = self._run(
            lambda: self.s.create_board(account, board_name, board_kind, workspace_id, description)
        )
        return self._board(account, self.s.board(account, board_id))

    def delete_board(self, info: GraphQLResolveInfo, board_id: str) -> dict[str, Any]:
        return self._board_state(info, board_id, "deleted")

    def archive_board(self, info: GraphQLResolveInfo, board_id: str) -> dict[str, Any]:
        return self._board_state(info, board_id, "archived")

    def create_group(
        self, info: GraphQLResolveInfo, board_id: str, group_name: str, **_: Any
    ) -> dict[str, Any]:
        group_id = self._run(
            lambda: self.s.create_group(info.context.account, board_id, group_name)
        )
        return {"id": group_id, "title": group_name}

    def create_column(
        self,
        info: GraphQLResolveInfo,
        board_id: str,
        title: str,
        column_type: str,
        id: str | None = None,
        defaults: Any = None,
        **_: Any,
    ) -> dict[str, Any]:
        column = self._run(
            lambda: self.s.create_column(
                info.context.account, board_id, id, title, column_type, defaults
            )
        )
        return _column(column)

    def create_item(
        self,
        info: GraphQLResolveInfo,
        board_id: str,
        item_name: str,
        group_id: str | None = None,
        column_values: Any = None,
        create_labels_if_missing: bool = False,
        **_: Any,
    ) -> Any:
        account = info.context.account
        item_id = self._run(
            lambda: self.s.create_item(
                account,
                board_id,
                group_id,
                item_name,
                column_values,
                bool(create_labels_if_missing),
            )
        )
        return self._items([self.s.item(account, item_id)])[0]

    def change_multiple_column_values(
        self,
        info: GraphQLResolveInfo,
        column_values: Any,
        board_id: str,
        item_id: str | None = None,
        create_labels_if_missing: bool = False,
    ) -> Any:
        account = info.context.account
        self._run(
            lambda: self.s.change_values(
                account, board_id, str(item_id), column_values, bool(create_labels_if_missing)
            )
        )
        return self._items([self.s.item(account, str(item_id))])[0]

    def delete_item(self, info: GraphQLResolveInfo, item_id: str | None = None) -> Any:
        return self._item_state(info, item_id, "deleted")

    def archive_item(self, info: GraphQLResolveInfo, item_id: str | None = None) -> Any:
        return self._item_state(info, item_id, "archived")

    def create_update(
        self,
        info: GraphQLResolveInfo,
        body: str,
        item_id: str | None = None,
        original_creation_date: str | None = None,
        **_: Any,
    ) -> Any:
        c: Caller = info.context
        update_id = self._run(
            lambda: self.s.create_update(
                c.account, c.user_id, str(item_id), body, original_creation_date
            )
        )
        return next(u for u in self.s.store.updates(str(item_id)) if u["id"] == update_id)

    def delete_update(self, info: GraphQLResolveInfo, id: str) -> Any:
        item_id = self.s.store.delete_update(str(id))
        if item_id is None:
            raise app_error("ResourceNotFoundException", f"Update {id} not found")
        return {"id": str(id)}

    # -- shaping -----------------------------------------------------------------------------
    def _run(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except MondayError as exc:
            raise app_error(exc.code, exc.message) from None

    def _board_state(self, info: GraphQLResolveInfo, board_id: str, state: str) -> Any:
        account = info.context.account
        board = self._run(lambda: self.s.board(account, board_id))
        self.s.store.set_board_state(str(board_id), state)
        return self._board(account, {**board, "state": state})

    def _item_state(self, info: GraphQLResolveInfo, item_id: str | None, state: str) -> Any:
        account = info.context.account
        self._run(lambda: self.s.set_state(account, str(item_id), state))
        return self._items([self.s.item(account, str(item_id))])[0]

    def _board(self, account: str, board: dict[str, Any]) -> dict[str, Any]:
        board_id = board["id"]

        def columns(info: GraphQLResolveInfo, ids: list[str] | None = None, **_: Any) -> Any:
            return [_column(c) for c in self.s.store.columns(board_id) if not ids or c.id in ids]

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
                return self._page(account, _decode(cursor), limit)
            return self._page(account, _query(board_id, query_params), limit)

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
                _decode(cursor) if cursor else {**_query(board_id, query_params), "g": [group_id]}
            )
            return self._page(account, query, limit)

        return items_page

    def _page(self, account: str, query: dict[str, Any], limit: int) -> dict[str, Any]:
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
        cursor = _encode({**query, "a": page[-1]["id"]}) if more else None
        return {"cursor": cursor, "items": self._items(page)}

    def _items(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
                _value(c, cells.get(c.id))
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


def _user(user: dict[str, Any]) -> dict[str, Any]:
    return {**user, "enabled": True, "is_guest": False, "title": ""}


def _column(column: Column) -> dict[str, Any]:
    return {
        "id": column.id,
        "title": column.title,
        "type": column.type,
        "settings_str": dumps(column.settings) or "{}",
        "settings": column.settings,
    }


def _value(column: Column, cell: tuple[Any, str] | None) -> dict[str, Any]:
    value, text = cell if cell else (None, "")
    shaped = {
        "__typename": TYPENAMES.get(column.type, "UnsupportedValue"),
        "id": column.id,
        "type": column.type,
        "text": text,
        "value": dumps(value),
        "column": _column(column),
    }
    if column.type == "board_relation":
        shaped.update(value=None, linked_item_ids=linked_ids(value), display_value=text)
    return shaped


def _query(board_id: str, params: dict[str, Any] | None) -> dict[str, Any]:
    params = params or {}
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
    if params.get("groups"):
        query["g"] = [str(g) for g in params["groups"]]
    return query


def _encode(query: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(query).encode()).decode()


def _decode(cursor: str) -> dict[str, Any]:
    try:
        query = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        assert isinstance(query, dict) and "b" in query
    except (ValueError, AssertionError):
        raise app_error("InvalidArgumentException", "invalid or expired cursor") from None
    return query
