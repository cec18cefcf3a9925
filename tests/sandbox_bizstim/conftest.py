"""Fixtures: the Bizstim sandbox as a real subprocess (`python -m bizmig.cli sandbox bizstim`)."""

from __future__ import annotations

import http.client
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox.servers import RunningServer, start_server  # noqa: E402

KEY1 = "k1-" + "a" * 37  # 40 characters, like a real Bizstim key
KEY2 = "k2-" + "b" * 37


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.raw)


def call(server: RunningServer, path: str, key: str | None = KEY1, method: str = "GET",
         body: Any = None) -> Reply:
    """One real HTTP request; a cut-off body is returned as far as it arrived."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"x-api-key": key} if key is not None else {}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=payload, headers=headers)
        resp = conn.getresponse()
        try:
            raw = resp.read()
        except http.client.IncompleteRead as exc:
            raw = exc.partial
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw)
    finally:
        conn.close()


def ok(server: RunningServer, path: str, key: str = KEY1) -> Any:
    reply = call(server, path, key)
    assert reply.status == 200, (path, reply.status, reply.raw[:200])
    return reply.json()


def run(tmp: Path, *args: str, clients: int = 300, seed: int = 42,
        rate_limit: int = 1_000_000) -> Iterator[RunningServer]:
    db = tmp / f"bizstim-s{seed}-c{clients}.sqlite"
    server = start_server("bizstim", [
        "--api-key", KEY1, "--api-key", KEY2, "--clients", str(clients), "--seed", str(seed),
        "--rate-limit", str(rate_limit), "--db", str(db), *args], cwd=ROOT)
    server.db = db  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def bizstim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The default account (300 clients, seed 42), effectively unlimited budget."""
    yield from run(tmp_path_factory.mktemp("bizstim_default"))


@pytest.fixture(scope="session")
def bizstim_db(bizstim: RunningServer) -> Path:
    return bizstim.db  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def account(bizstim: RunningServer) -> dict[str, list[dict[str, str]]]:
    """The whole default account fetched over HTTP (lists, client details, availability)."""
    data: dict[str, list[dict[str, str]]] = {}
    for method, page in [("clients", 1000), ("practitioners", 100), ("staffs", 100),
                         ("meetourstaff", 100), ("services", 100), ("payments", 100),
                         ("locations", 100), ("sessions", 1000), ("discounts", 100),
                         ("users", 100), ("customfields", 100)]:
        rows: list[dict[str, str]] = []
        while True:
            body = ok(bizstim, f"/api/{method}/{len(rows)}/{page}")
            rows += body["response"]
            if len(rows) >= body["total"]:
                break
        data[method] = rows
    data["client_details"] = [ok(bizstim, f"/api/client/{c['id']}")["response"]
                              for c in data["clients"]]
    avail = sorted({int(a) for r in data["clients"] + data["practitioners"]
                    for a in r["avail_id"].split(",") if a})
    data["availability"] = [ok(bizstim, f"/api/availability/{a}")["response"] for a in avail]
    return data
