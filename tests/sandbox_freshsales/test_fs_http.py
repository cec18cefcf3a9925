"""§3.11 rule 1 over real HTTP (`bizmig sandbox freshsales` as a subprocess): the
``Authorization: Token token=<key>`` header on both base paths (bundle ``/crm/sales/api`` and
Classic ``/api``), 401 ``{"errors": {"code": 401}}`` without it or with another key."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.servers import RunningServer, start_server

KEY = "fs-http-key"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data = tmp_path_factory.mktemp("freshsales-http")
    running = start_server("freshsales", ["--data-dir", str(data), "--account", f"acme:{KEY}"])
    yield running
    running.stop()


def _get(server: RunningServer, path: str, header: str | None) -> tuple[int, Any]:
    headers = {"Authorization": header} if header else {}
    request = urllib.request.Request(server.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_rule1_the_token_header_opens_both_base_paths_and_nothing_else_does(
    server: RunningServer,
) -> None:
    for path in ("/crm/sales/api/selector/owners", "/api/selector/owners"):
        status, body = _get(server, path, f"Token token={KEY}")
        assert status == 200 and body["users"][0]["email"] == "admin@example.com"
    for header in (None, "Token token=another-key", f"Bearer {KEY}"):
        status, body = _get(server, "/crm/sales/api/selector/owners", header)
        assert (status, body["errors"]["code"]) == (401, 401)
    assert _get(server, "/crm/sales/api/contacts/filters", None)[0] == 401
    body = {"name": "other", "key": "other-key", "users": ["sam@example.com:Sam"], "plan": "pro"}
    hook = urllib.request.Request(
        server.url + "/_sandbox/accounts", data=json.dumps(body).encode(), method="POST"
    )
    with urllib.request.urlopen(hook) as made:
        assert made.status == 201
    status, owners = _get(server, "/api/selector/owners", "Token token=other-key")
    assert status == 200 and "sam@example.com" in {u["email"] for u in owners["users"]}
    logged = server.requests()
    assert [r["status"] for r in logged].count(401) == 4
    assert all(KEY not in json.dumps(r) for r in logged)  # the key never reaches the log
