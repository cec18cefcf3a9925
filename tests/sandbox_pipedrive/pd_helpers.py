"""Helpers for the Pipedrive stand-in tests: the stand-in in process (most rules are not
about HTTP, and a call costs microseconds instead of a request), and the server's arguments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.httpbase import Request
from sandbox.pipedrive.accounts import Accounts, Clock, parse_account, parse_user
from sandbox.pipedrive.app import PipedriveApp
from sandbox.pipedrive.contract import load_contract
from sandbox.pipedrive.tokens import TokenBudget

ADMIN, USER, OTHER = "pd-admin-token", "pd-user-token", "pd-other-token"
ACCOUNTS = [f"acme:{ADMIN}:{USER}", f"beta:{OTHER}"]
USERS = ["ann@example.com:Ann Lee", "bob@example.com:Bob Stone"]
INACTIVE = ["gone@example.com:Gina Gone"]


def server_args(data_dir: Path, *extra: str) -> list[str]:
    # a burst window no rule test here comes near (rule 11 is tested on its own)
    args = ["--data-dir", str(data_dir), "--strict", "--burst", "1000"]
    for account in ACCOUNTS:
        args += ["--account", account]
    for user in USERS:
        args += ["--user", user]
    for user in INACTIVE:
        args += ["--inactive-user", user]
    return [*args, *extra]


@dataclass
class Answer:
    status: int
    body: Any

    @property
    def data(self) -> Any:
        assert self.status in (200, 201), (self.status, self.body)
        return self.body["data"]


class InProcess:
    """The app without sockets: ``call("POST", "/api/v2/persons", {...})`` -> Answer.

    Wired as ``bizmig sandbox pipedrive --strict`` wires it (contract on requests and answers,
    a token budget), with a day and a burst window no rule test comes near."""

    def __init__(self, data_dir: Path) -> None:
        self.clock = Clock(data_dir / "clock.json")
        accounts = Accounts(
            [parse_account(a) for a in ACCOUNTS],
            data_dir,
            self.clock,
            "admin@example.com",
            [parse_user(u) for u in USERS] + [parse_user(u, active=False) for u in INACTIVE],
        )
        budget = TokenBudget(10**9, 10**6, clock=self.clock)
        self.app = PipedriveApp(accounts, self.clock, load_contract(), budget, strict=True)

    def call(self, method: str, url: str, body: Any = None, token: str | None = ADMIN) -> Answer:
        parts = urlsplit(url)
        headers = {"x-api-token": token} if token else {}
        raw = json.dumps(body).encode() if body is not None else b""
        request = Request(
            method, parts.path, parse_qs(parts.query, keep_blank_values=True), headers, raw
        )
        response = self.app.handle(request)
        return Answer(response.status, response.body)

    def field(self, entity: str, name: str, ftype: str, *labels: str) -> dict[str, Any]:
        body: dict[str, Any] = {"field_name": name, "field_type": ftype}
        if labels:
            body["options"] = [{"label": label} for label in labels]
        return self.call("POST", f"/api/v2/{entity}Fields", body).data

    def close(self) -> None:
        self.app.accounts.close()
