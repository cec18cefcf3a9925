"""The Freshsales stand-in in process: its app over a temporary data dir, called with
``Request`` objects as the HTTP server would (no socket), for the rules about bodies and state.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.freshsales.accounts import Accounts
from sandbox.freshsales.app import FreshsalesApp
from sandbox.freshsales.limits import RequestLimits
from sandbox.freshsales.records import Options
from sandbox.httpbase import Request, Response
from sandbox.pipedrive.accounts import AccountSpec, Clock, UserSpec

KEY = "fs-test-key"
OWNER = UserSpec("owner@example.com", "Olga Owner")
GONE = UserSpec("gone@example.com", "Gone User", active=False)
BASE = "/crm/sales/api"


class InProcess:
    def __init__(self, data_dir: Path, options: Options | None = None) -> None:
        self.data_dir = data_dir
        clock = Clock(data_dir / "clock.json")
        self.accounts = Accounts(
            [AccountSpec("acme", KEY)], data_dir, clock, "admin@example.com", [OWNER, GONE]
        )
        limits = RequestLimits(clock)
        limits.configure("acme", plan="enterprise", hourly=1_000_000)
        self.app = FreshsalesApp(self.accounts, clock, limits, options or Options())

    def call(self, method: str, path: str, body: Any = None, key: str | None = KEY) -> Response:
        headers = {"authorization": f"Token token={key}"} if key else {}
        path, _, query = path.partition("?")
        params: dict[str, list[str]] = {}
        for pair in filter(None, query.split("&")):
            name, _, value = pair.partition("=")
            params.setdefault(name, []).append(value)
        raw = b"" if body is None else json.dumps(body).encode()
        return self.app.handle(Request(method, path, params, headers, raw))

    def api(self, method: str, path: str, body: Any = None) -> Response:
        return self.call(method, BASE + path, body)

    def admin_field(self, module: str, name: str, type_: str = "text", **extra: Any) -> None:
        body = {"module": module, "name": name, "label": name, "type": type_, **extra}
        answer = self.call("POST", "/_sandbox/accounts/acme/fields", body, key=None)
        assert answer.status in (200, 201), answer.body

    def user_id(self, email: str) -> int:
        users = self.api("GET", "/selector/owners").body["users"]
        return next(u["id"] for u in users if u["email"] == email)

    def close(self) -> None:
        self.accounts.close()
