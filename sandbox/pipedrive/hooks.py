"""Test hooks of the Pipedrive stand-in under ``/_sandbox/...``: no token, never charged,
not part of Pipedrive's API (httpbase serves the request log beside them).

* ``GET /_sandbox/accounts`` — each account's name, users (id, e-mail, admin, active) and
  custom fields (entity, name, code), so a test can see two accounts' codes differ.
* ``POST /_sandbox/reset[?account=NAME]`` — forget every record, field and user of one
  account (or all) and seed it again; new field codes follow.
* ``GET /_sandbox/clock``; ``POST /_sandbox/clock/advance?days=D&hours=H&seconds=S``;
  ``POST /_sandbox/clock/set?now=<RFC 3339>`` — the stand-in clock (token day, 30-day purge).
* ``POST /_sandbox/budget/used?account=NAME&tokens=N`` — set how many of today's tokens the
  account has spent (as if the customer's own users had), for 429 and header tests.
* ``GET /_sandbox/snapshot?account=NAME`` — every stored document, deleted ones included.

Choice: the clock moving (advance or set) makes the next request of every account run the
30-day purge again, whatever day it was.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.httpbase import Request, Response
from sandbox.pipedrive import fields, values
from sandbox.pipedrive.accounts import Account, Accounts, Clock
from sandbox.pipedrive.plugs import Budget


class Hooks:
    def __init__(self, accounts: Accounts, clock: Clock, budget: Budget | None) -> None:
        self.accounts, self.clock, self.budget = accounts, clock, budget

    def handle(self, request: Request) -> Response:
        route = (request.method, request.path.rstrip("/"))
        try:
            if route == ("GET", "/_sandbox/accounts"):
                return Response(200, {"accounts": [self._account(a) for a in self._all()]})
            if route == ("POST", "/_sandbox/reset"):
                for account in self._chosen(request):
                    with account.lock:
                        account.reset()
                return Response(200, {"status": "ok"})
            if route[1].startswith("/_sandbox/clock"):
                return self._clock(request, route)
            if route == ("POST", "/_sandbox/budget/used"):
                return self._used(request)
            if route == ("GET", "/_sandbox/snapshot"):
                return Response(200, {a.name: self._docs(a) for a in self._chosen(request)})
        except ValueError as exc:
            return Response(400, {"error": str(exc)})
        return Response(404, {"error": f"no sandbox route {request.method} {request.path}"})

    def _all(self) -> list[Account]:
        return list(self.accounts.by_name.values())

    def _chosen(self, request: Request) -> list[Account]:
        name = request.param("account")
        if name is None:
            return self._all()
        if name not in self.accounts.by_name:
            raise ValueError(f"no account {name!r}")
        return [self.accounts.by_name[name]]

    @staticmethod
    def _docs(account: Account) -> dict[str, Any]:
        with account.lock:  # a copy: the answer is encoded after the lock is released
            return copy.deepcopy(account.store.docs)

    @staticmethod
    def _account(account: Account) -> dict[str, Any]:
        with account.lock:
            return {
                "name": account.name,
                "users": [
                    {
                        "id": u["id"],
                        "email": u["email"],
                        "admin": u["is_admin"],
                        "active": u["active_flag"],
                    }
                    for u in account.users()
                ],
                "fields": [
                    {"entity": e, "field_name": f["field_name"], "field_code": f["field_code"]}
                    for e in fields.ENTITIES
                    for f in fields.custom_fields(account, e)
                ],
            }

    def _clock(self, request: Request, route: tuple[str, str]) -> Response:
        clock = self.clock
        if route == ("GET", "/_sandbox/clock"):
            return Response(200, {"now": clock.now().isoformat()})
        if route == ("POST", "/_sandbox/clock/advance"):
            seconds = (
                float(request.param("days") or 0) * 86400
                + float(request.param("hours") or 0) * 3600
                + float(request.param("seconds") or 0)
            )
            moment = clock.advance(seconds)
        elif route == ("POST", "/_sandbox/clock/set"):
            parsed = values.parse_rfc3339(request.param("now") or "")
            if parsed is None:
                raise ValueError("now must be an RFC 3339 date-time")
            moment = clock.set(parsed)
        else:
            return Response(404, {"error": f"no sandbox route {request.method} {request.path}"})
        for account in self._all():
            account.last_purge = None
        return Response(200, {"now": moment.isoformat()})

    def _used(self, request: Request) -> Response:
        budget = self.budget
        if budget is None:
            return Response(409, {"error": "the token budget is off"})
        tokens = int(request.param("tokens") or "")
        for account in self._chosen(request):
            budget.set_used(account.name, tokens)
        return Response(200, {"status": "ok"})
