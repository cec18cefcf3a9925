"""Test hooks of the Freshsales stand-in under ``/_sandbox/...``: no key, never counted against
the hour, not part of Freshsales' API (httpbase serves the request log beside them, and S2's
``knobs.py`` the hour and fault hooks, asked first).

* ``GET /_sandbox/accounts`` — each account's name, users and custom fields.
* ``POST /_sandbox/accounts`` ``{"name", "key", "user_key"?, "users": ["email:Full Name"],
  "plan"?, "hourly"?, "per_minute"?}`` — one more account while the stand-in runs (201; a name
  or key already in use is a 400); a plan left out is ``growth``.
* ``POST /_sandbox/reset[?account=NAME]`` — forget one account's (or every account's) records,
  fields and users and seed it again; ids start over.
* ``POST /_sandbox/accounts/{acct}/fields`` ``{"module", "name", "label", "type", "choices":
  [labels], "unique"}`` — an admin creating a custom field in Freshsales' UI (the only way the
  reference knows for standard modules, §3.5): 201 ``{"field"}``, or 200 when the field exists
  (its missing choices added). The loader's checklist is what the admin follows.
* ``GET /_sandbox/snapshot[?account=NAME]`` — per account, the live records of every module as
  lists under the module's name (``contacts``, ``sales_accounts``, ``products``, ``deals``,
  ``appointments``, ``notes``; products with their prices), ``fields`` (module → custom
  fields), ``users``, and ``recycle_bin`` (module → ids in the bin), for the acceptance kit.
* ``GET /_sandbox/clock``; ``POST /_sandbox/clock/advance?days=&hours=&seconds=``;
  ``POST /_sandbox/clock/set?now=<ISO 8601>`` — the stand-in clock the hour is kept on.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sandbox.freshsales import fields
from sandbox.freshsales.accounts import Account, Accounts
from sandbox.freshsales.errors import FsError
from sandbox.freshsales.knobs import Knobs
from sandbox.freshsales.records import RESOURCE, render
from sandbox.httpbase import Request, Response
from sandbox.pipedrive.accounts import Clock, parse_account, parse_user


class Hooks:
    def __init__(self, accounts: Accounts, clock: Clock, knobs: Knobs) -> None:
        self.accounts, self.clock, self.knobs = accounts, clock, knobs

    def handle(self, request: Request) -> Response:
        answer = self.knobs.handle(request)
        if answer is not None:
            return answer
        method, path = request.method, request.path.rstrip("/")
        parts = path.split("/")[2:]  # after /_sandbox
        try:
            if (method, path) == ("GET", "/_sandbox/accounts"):
                return Response(200, {"accounts": [_summary(a) for a in self._all()]})
            if (method, path) == ("POST", "/_sandbox/accounts"):
                return self._new_account(request)
            if (method, path) == ("POST", "/_sandbox/reset"):
                for account in self._chosen(request):
                    with account.lock:
                        account.reset()
                return Response(200, {"status": "ok"})
            if method == "POST" and len(parts) == 3 and parts[::2] == ["accounts", "fields"]:
                return self._field(parts[1], request)
            if (method, path) == ("GET", "/_sandbox/snapshot"):
                return Response(200, {a.name: _snapshot(a) for a in self._chosen(request)})
            if path.startswith("/_sandbox/clock"):
                return self._clock(method, path, request)
        except ValueError as exc:
            return Response(400, {"error": str(exc)})
        except FsError as exc:
            return Response(exc.status, exc.body())
        return Response(404, {"error": f"no sandbox route {method} {request.path}"})

    def _all(self) -> list[Account]:
        return list(self.accounts.by_name.values())

    def _chosen(self, request: Request) -> list[Account]:
        name = request.param("account")
        if name is None:
            return self._all()
        if name not in self.accounts.by_name:
            raise ValueError(f"no account {name!r}")
        return [self.accounts.by_name[name]]

    def _new_account(self, request: Request) -> Response:
        spec = request.json()
        if not isinstance(spec, dict) or not spec.get("name") or not spec.get("key"):
            raise ValueError("an account needs a name and a key")
        text = f"{spec['name']}:{spec['key']}" + (
            f":{spec['user_key']}" if spec.get("user_key") else ""
        )
        users = [parse_user(u) for u in spec.get("users") or []]
        account = self.accounts.add(parse_account(text), users)
        hourly = spec.get("hourly")
        self.knobs.limits.configure(
            account.name,
            plan=str(spec.get("plan") or "growth"),
            hourly=None if hourly is None else int(hourly),
            per_minute=None if spec.get("per_minute") is None else int(spec["per_minute"]),
        )
        return Response(201, _summary(account))

    def _field(self, name: str, request: Request) -> Response:
        account = self.accounts.by_name.get(name)
        if account is None:
            raise ValueError(f"no account {name!r}")
        spec = request.json()
        if not isinstance(spec, dict) or spec.get("module") not in fields.STANDARD:
            raise ValueError(f"module must be one of {', '.join(fields.STANDARD)}")
        with account.lock:
            status, doc = fields.create(account.store, spec["module"], spec)
            return Response(status, {"field": copy.deepcopy(doc)})

    def _clock(self, method: str, path: str, request: Request) -> Response:
        if (method, path) == ("GET", "/_sandbox/clock"):
            return Response(200, {"now": self.clock.now().isoformat()})
        if (method, path) == ("POST", "/_sandbox/clock/advance"):
            seconds = sum(
                float(request.param(unit) or 0) * size
                for unit, size in (("days", 86400), ("hours", 3600), ("seconds", 1))
            )
            return Response(200, {"now": self.clock.advance(seconds).isoformat()})
        if (method, path) == ("POST", "/_sandbox/clock/set"):
            moment = datetime.fromisoformat((request.param("now") or "").replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError("now needs an offset")
            return Response(200, {"now": self.clock.set(moment).isoformat()})
        return Response(404, {"error": f"no sandbox route {method} {request.path}"})


def _summary(account: Account) -> dict[str, Any]:
    with account.lock:
        return {
            "name": account.name,
            "users": copy.deepcopy(account.users()),
            "fields": {m: sorted(fields.custom(account.store, m)) for m in fields.CUSTOM_MODULES},
        }


def _snapshot(account: Account) -> dict[str, Any]:
    with account.lock:  # copies: the answer is encoded after the lock is released
        store = account.store
        out: dict[str, Any] = {}
        binned: dict[str, list[int]] = {}
        for module in RESOURCE:
            held = sorted(store.kind(module).values(), key=lambda r: r["id"])
            out[module] = [render(module, r) for r in held if not r.get("deleted")]
            binned[module] = [r["id"] for r in held if r.get("deleted")]
        out["fields"] = {
            m: copy.deepcopy(list(fields.custom(store, m).values())) for m in fields.CUSTOM_MODULES
        }
        out["users"] = copy.deepcopy(account.users())
        out["recycle_bin"] = binned
        return out
