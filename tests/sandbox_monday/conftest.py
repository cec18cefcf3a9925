"""The monday stand-in as a real subprocess (`bizmig sandbox monday`), one per test module that
asks for :func:`monday`: its rules about HTTP (the token, the ``API-Version`` header, a refused
document still counted, the upload PUT) can only be seen through a socket, and one server per
module keeps the suite's time (a start is about a second; a request a few milliseconds).

The server runs on a temporary ``--data-dir`` (never the repository's ``.bizmig``), with one
account ``default`` (token :data:`TOKEN`, admin user 1 and user 2 :data:`USER_EMAIL`) on the
enterprise plan, so the day's 25 000 calls are never what a test meets by accident.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.servers import RunningServer, start_server

TOKEN = "core-token"
USER_EMAIL = "pat@example.com"


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code", "") for e in self.body.get("errors", [])]


@dataclass
class Monday:
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.url

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = TOKEN,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """One ``POST /v2`` as the loader sends it; every status is returned, none raised."""
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token is not None:
            sent["Authorization"] = token
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        return self._send(urllib.request.Request(f"{self.url}/v2", body, sent, method="POST"))

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        """The ``data`` of a document that must succeed."""
        answer = self.post(query, variables)
        assert answer.status == 200 and not answer.body.get("errors"), answer.body
        return answer.body["data"]

    def hook(self, path: str, body: Any = None, method: str = "POST") -> dict[str, Any]:
        raw = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", raw, method=method)
        answer = self._send(request)
        assert answer.status in (200, 201), answer.body
        return answer.body

    def calls_used(self) -> int:
        return int(self.hook("/_sandbox/daily?account=default", method="GET")["daily_used"])

    @staticmethod
    def _send(request: urllib.request.Request) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                raw, status, headers = resp.read(), resp.status, dict(resp.headers)
        except urllib.error.HTTPError as exc:
            raw, status, headers = exc.read(), exc.code, dict(exc.headers)
        body = json.loads(raw) if raw else {}
        return Answer(status, body, {k.lower(): v for k, v in headers.items()})


@pytest.fixture(scope="module")
def monday(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Monday]:
    data_dir: Path = tmp_path_factory.mktemp("monday")
    args = ["--data-dir", str(data_dir), "--token", TOKEN, "--plan", "enterprise"]
    server = start_server("monday", [*args, "--user", f"{USER_EMAIL}:Pat Person"])
    try:
        yield Monday(server)
    finally:
        server.stop()
