"""Test hooks of the monday stand-in under ``/_sandbox/...``: no token, never counted against the
day or the minute, not part of monday's API (httpbase serves the request log beside them).

* ``POST /_sandbox/accounts`` ``{"account", "token", "plan"?, "daily"?, "users": [{"id",
  "name", "email", "is_admin"?}]}``: one more account (or its token, plan and users changed).
  The first user is the token's owner (the caller of every request with that token).
* ``POST /_sandbox/reset``: forget every board, item and update, and every kept idempotent
  answer; accounts and users stay, and ids go on counting (an id never names two items).
* ``GET /_sandbox/clock``; ``POST /_sandbox/clock`` ``{"advance_s": N}`` or ``{"now": ISO}``:
  the stand-in clock the day, the minute, the ingest hour and the upload URLs run on.
* ``GET /_sandbox/daily?account=``; ``POST /_sandbox/daily`` ``{"account", "used"}``: today's
  calls used (a test reaches the daily limit without 1 000 requests).
* ``POST /_sandbox/faults`` ``{"p500", "p_drop_after_commit", "p_truncate", "p_slow",
  "seed"}``: the injected faults while it runs.
* ``GET /_sandbox/snapshot?account=``: every board (state, columns with settings, groups) with
  its active items (name, group, every value as ``{"value", "text"}``, relations as
  ``linked_item_ids``) and their updates, for the acceptance kit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.httpbase import FaultPlan, Request, Response
from sandbox.monday.idempotency import Idempotency
from sandbox.monday.limits import Limits
from sandbox.monday.service import Service
from sandbox.monday.values import linked_ids
from sandbox.pipedrive.accounts import Clock


class Hooks:
    def __init__(
        self,
        service: Service,
        limits: Limits,
        idempotency: Idempotency,
        clock: Clock,
        faults: FaultPlan,
    ) -> None:
        self.service, self.limits, self.idempotency = service, limits, idempotency
        self.clock, self.faults = clock, faults

    def handle(self, request: Request) -> Response:
        route = (request.method, request.path.rstrip("/"))
        try:
            body = request.json() if request.body else {}
            if route == ("POST", "/_sandbox/accounts"):
                return self._account(body)
            if route == ("POST", "/_sandbox/reset"):
                self.service.store.reset()
                self.idempotency.clear()
                return Response(200, {"status": "ok"})
            if route == ("GET", "/_sandbox/clock"):
                return Response(200, {"now": self.clock.now().isoformat()})
            if route == ("POST", "/_sandbox/clock"):
                if "now" in body:
                    moment = self.clock.set(datetime.fromisoformat(body["now"]))
                else:
                    moment = self.clock.advance(float(body.get("advance_s", 0)))
                return Response(200, {"now": moment.isoformat()})
            if route == ("GET", "/_sandbox/daily"):
                return Response(200, self.limits.state(request.param("account") or "default"))
            if route == ("POST", "/_sandbox/daily"):
                self.limits.set_daily_used(str(body["account"]), int(body["used"]))
                return Response(200, self.limits.state(str(body["account"])))
            if route == ("POST", "/_sandbox/faults"):
                self.faults.update(body)
                return Response(200, self.faults.settings())
            if route == ("GET", "/_sandbox/snapshot"):
                return Response(200, self._snapshot(request.param("account") or "default"))
        except (KeyError, TypeError, ValueError) as exc:
            return Response(400, {"error": f"bad hook request: {exc}"})
        return Response(404, {"error": f"no hook {request.method} {request.path}"})

    def _account(self, body: dict[str, Any]) -> Response:
        account, token = str(body["account"]), str(body["token"])
        plan = str(body.get("plan", "standard"))
        users = body.get("users") or [
            {"id": "1", "name": "Account Admin", "email": "admin@example.com", "is_admin": True}
        ]
        store = self.service.store
        store.add_account(account, token, plan)
        for user in users:
            store.add_user(
                account,
                str(user["id"]),
                str(user["name"]),
                str(user["email"]),
                bool(user.get("is_admin", False)),
            )
        self.limits.configure(account, plan=plan, daily=body.get("daily"))
        return Response(201, {"account": account, "users": store.users(account)})

    def _snapshot(self, account: str) -> dict[str, Any]:
        store, boards = self.service.store, []
        for board in store.boards(account):
            columns = store.columns(board["id"])
            items = store.items_where(
                "account = ? and board_id = ? and state = 'active'", (account, board["id"])
            )
            cells = store.cells([i["id"] for i in items])
            shaped_items = []
            for item in items:
                values = {}
                for column in columns:
                    value, text = cells[item["id"]].get(column.id, (None, ""))
                    values[column.id] = (
                        {"linked_item_ids": linked_ids(value), "text": text}
                        if column.type == "board_relation"
                        else {"value": value, "text": text}
                    )
                shaped_items.append(
                    {**item, "values": values, "updates": store.updates(item["id"])}
                )
            boards.append(
                {
                    **board,
                    "columns": [vars(c) for c in columns],
                    "groups": store.groups(board["id"]),
                    "items": shaped_items,
                }
            )
        return {"account": account, "boards": boards, "users": store.users(account)}
