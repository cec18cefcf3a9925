"""The monday stand-in's GraphQL resolvers: the SDL's root fields a migration uses, answered
from the store in monday's shapes (destinations.md §4.2, destinations-2.md §4.6, §4.11).

graphql-core executes every validated document against :class:`Root`: each root field is a
method, each nested field with arguments (``items_page``, ``column_values``, ``updates`` …) a
function inside the returned dict, so nothing is read that the document did not ask for.
Mutations of one document run one after another (GraphQL's rule for mutations), which is also
monday's advice for writes to one board. An application error is a ``GraphQLError`` with
``extensions.code`` and the alias as its ``path``: monday answers HTTP 200 with ``errors[]``
beside the data of the aliases that worked, and a loader must keep those.

What a read answers (pages, cursors, values, rule 11 and rule 7's ``linked_item_ids``) is
sandbox/monday/reads.py's, shared by every root field that returns a board or an item.

Root fields of the SDL this stand-in does not serve answer ``UnsupportedByStandIn`` (a loader
that starts using one learns it here, not in production); nested fields it does not keep
read null. The job fields (``ingest_items`` … ``undo_action``) are sandbox/monday/job_fields.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLResolveInfo

from sandbox.monday.job_fields import Caller as JobCaller
from sandbox.monday.jobs import JobError
from sandbox.monday.reads import IDS_MAX, Shapes, app_error, column, decode, user
from sandbox.monday.service import MondayError, Service


@dataclass(frozen=True)
class Caller:
    account: str
    user_id: str
    base_url: str
    complexity: dict[str, int]  # the charge, for the ``complexity`` field


class Root:
    """Query and Mutation root fields; ``info.context`` is the :class:`Caller`."""

    def __init__(
        self,
        service: Service,
        job_resolvers: dict[str, Callable[..., Any]],
        daily_state: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        self.s, self._jobs, self._daily = service, job_resolvers, daily_state
        self.shapes = Shapes(service)

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
        return next(user(u) for u in self.s.store.users(c.account) if u["id"] == c.user_id)

    def users(
        self,
        info: GraphQLResolveInfo,
        emails: list[str] | None = None,
        ids: list[str] | None = None,
        **_: Any,
    ) -> list[dict[str, Any]]:
        found = self.s.store.users(info.context.account, emails)
        return [user(u) for u in found if ids is None or u["id"] in {str(i) for i in ids}]

    def complexity(self, info: GraphQLResolveInfo) -> dict[str, int]:
        return info.context.complexity

    def platform_api(self, info: GraphQLResolveInfo) -> dict[str, Any]:
        """The account's day: its limit and today's calls (this one included)."""
        if self._daily is None:
            raise app_error("UnsupportedByStandIn", "platform_api is not served")
        state = self._daily(info.context.account)
        today = self.s.stamp()[:10]
        return {
            "daily_limit": {"base": state["daily_limit"], "total": state["daily_limit"]},
            "daily_analytics": {
                "last_updated": self.s.stamp(),
                "by_day": [{"day": today, "usage": state["daily_used"]}],
            },
        }

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
        return [self.shapes.board(info.context.account, b) for b in found[start : start + limit]]

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
        return self.shapes.items(live)

    def next_items_page(self, info: GraphQLResolveInfo, cursor: str, limit: int) -> Any:
        query = decode(cursor)
        return self.shapes.page(info.context.account, query, limit)

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
            return self.shapes.page(info.context.account, decode(cursor), limit)
        self._run(lambda: self.s.board(info.context.account, board_id))
        rules = [
            {"column_id": c["column_id"], "compare_value": c["column_values"]}
            for c in columns or []
        ]
        return self.shapes.page(info.context.account, {"b": str(board_id), "r": rules}, limit)

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
        return self.shapes.board(account, self.s.board(account, board_id))

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
        made = self._run(
            lambda: self.s.create_column(
                info.context.account, board_id, id, title, column_type, defaults
            )
        )
        return column(made)

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
        return self.shapes.items([self.s.item(account, item_id)])[0]

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
        return self.shapes.items([self.s.item(account, str(item_id))])[0]

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

    def edit_update(self, info: GraphQLResolveInfo, id: str, body: str) -> Any:
        if self.s.store.edit_update(str(id), body) is None:
            raise app_error("ResourceNotFoundException", f"Update {id} not found")
        return {"id": str(id), "body": body}

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
        return self.shapes.board(account, {**board, "state": state})

    def _item_state(self, info: GraphQLResolveInfo, item_id: str | None, state: str) -> Any:
        account = info.context.account
        self._run(lambda: self.s.set_state(account, str(item_id), state))
        return self.shapes.items([self.s.item(account, str(item_id))])[0]
