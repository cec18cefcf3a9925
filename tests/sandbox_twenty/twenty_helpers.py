"""Helpers shared by the Twenty stand-in tests."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from sandbox.servers import RunningServer

KEY = "twenty-test-key"
MEMBERS = ["owner@example.com:Olivia Owner", "sales@example.com:Sam Seller"]
_counter = itertools.count()


def unique(prefix: str = "p") -> str:
    """A value no other test uses (emails, domains, names)."""
    return f"{prefix}{next(_counter)}"


def email() -> str:
    return f"{unique('mail')}@example.com"


def client_for(server: RunningServer, key: str | None = KEY) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=30)


def person(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": {"firstName": "Ada", "lastName": "Lovelace"},
        "emails": {"primaryEmail": email()},
    }
    body.update(extra)
    return body


def created(resp: httpx.Response, key: str) -> Any:
    assert resp.status_code == 201, resp.text
    return resp.json()["data"][key]


def error_message(resp: httpx.Response, status: int = 400) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["statusCode"] == status and isinstance(body["messages"], list), body
    return body["messages"][0]


def unique_name(prefix: str) -> str:
    """A fresh camelCase metadata name made of letters only (digits split lodash words)."""
    n = next(_counter)
    letters = "".join("abcdefghij"[int(d)] for d in str(n))
    return f"{prefix}{letters}"
