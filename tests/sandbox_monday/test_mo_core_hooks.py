"""The monday stand-in's ``/_sandbox/*`` hooks, in process (the app built as cli.py builds it,
requests handed to it without a socket): the acceptance kit and the demo stand on them — an
account made by the hook must be usable on ``/v2``, the snapshot must show what a loader wrote
(values, relations as ids, notes with their dates, deleted items gone) and a reset must forget
the boards but keep the accounts, else the kit would judge a loader by a wrong picture.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sandbox.httpbase import FaultPlan, Request, Response
from sandbox.monday.app import MondayApp
from sandbox.monday.hooks import Hooks
from sandbox.monday.idempotency import Idempotency
from sandbox.monday.job_fields import JobFields
from sandbox.monday.jobs import JobOptions
from sandbox.monday.limits import Limits
from sandbox.monday.service import Service
from sandbox.monday.store import Store
from sandbox.pipedrive.accounts import Clock

ACCOUNT = {
    "account": "acme",
    "token": "acme-token",
    "plan": "basic",
    "users": [
        {"id": "1", "name": "Ada Admin", "email": "ada@acme.io", "is_admin": True},
        {"id": "7", "name": "Bo Staff", "email": "bo@acme.io"},
    ],
}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[MondayApp]:
    clock = Clock(tmp_path / "clock.json")
    service = Service(Store(tmp_path / "monday.sqlite"), clock.now, 10_000)
    limits, idempotency, faults = Limits(clock), Idempotency(clock), FaultPlan()
    jobs = JobFields(service, clock, JobOptions())
    hooks = Hooks(service, limits, idempotency, clock, faults)
    built = MondayApp(service, limits, idempotency, jobs, faults, hooks)
    yield built
    built.close()


def _call(app: MondayApp, method: str, path: str, body: Any = None, **headers: str) -> Response:
    route, _, query = path.partition("?")
    params = dict(p.split("=", 1) for p in query.split("&") if p)
    raw = b"" if body is None else json.dumps(body).encode()
    lowered = {k.lower().replace("_", "-"): v for k, v in headers.items()}
    request = Request(method, route, {k: [v] for k, v in params.items()}, lowered, raw)
    return app.handle(request)


def _graphql(app: MondayApp, query: str, **variables: Any) -> dict[str, Any]:
    body = {"query": query, "variables": variables}
    answer = _call(app, "POST", "/v2", body, authorization="acme-token")
    assert answer.status == 200 and not answer.body.get("errors"), answer.body
    return answer.body["data"]


def test_account_hook_snapshot_and_reset(app: MondayApp) -> None:
    assert _call(app, "POST", "/_sandbox/accounts", ACCOUNT).status == 201
    found = _graphql(app, '{ users(emails: ["bo@acme.io"]) { id name } }')["users"]
    assert found == [{"id": "7", "name": "Bo Staff"}]
    assert _call(app, "GET", "/_sandbox/daily?account=acme").body["daily_limit"] == 1000

    board = _graphql(
        app, 'mutation { create_board(board_name: "Contacts", board_kind: public) { id } }'
    )["create_board"]["id"]
    column = "mutation($b: ID!, $d: JSON) { create_column(board_id: $b, id: %s, title: %s, "
    column += "column_type: %s, defaults: $d) { id } }"
    _graphql(app, column % ('"stage"', '"Stage"', "status"), b=board, d={"labels": {"1": "Won"}})
    _graphql(app, column % ('"peer"', '"Peer"', "board_relation"), b=board, d={"boardIds": [board]})
    item = "mutation($b: ID!, $n: String!, $v: JSON) { create_item(board_id: $b, item_name: $n, "
    item += "column_values: $v) { id } }"
    ann = _graphql(app, item, b=board, n="Ann", v='{"stage": {"label": "Won"}}')["create_item"]
    bo = _graphql(app, item, b=board, n="Bo", v=json.dumps({"peer": {"item_ids": [ann["id"]]}}))
    gone = _graphql(app, item, b=board, n="Gone")["create_item"]["id"]
    _graphql(app, "mutation($i: ID) { delete_item(item_id: $i) { id } }", i=gone)
    note = 'mutation($i: ID) { create_update(item_id: $i, body: "hi", '
    note += 'original_creation_date: "2018-01-02T03:04:05Z") { id } }'
    _graphql(app, note, i=ann["id"])

    snapshot = _call(app, "GET", "/_sandbox/snapshot?account=acme").body
    (shown,) = snapshot["boards"]
    items = {i["name"]: i for i in shown["items"]}
    assert sorted(items) == ["Ann", "Bo"]
    assert items["Ann"]["values"]["stage"]["text"] == "Won"
    assert items["Bo"]["values"]["peer"]["linked_item_ids"] == [ann["id"]]
    assert [u["created_at"] for u in items["Ann"]["updates"]] == ["2018-01-02T03:04:05Z"]
    assert bo["create_item"]["id"] not in {gone, ann["id"]}

    assert _call(app, "POST", "/_sandbox/reset").status == 200
    assert _call(app, "GET", "/_sandbox/snapshot?account=acme").body["boards"] == []
    assert _graphql(app, "{ me { name } }") == {"me": {"name": "Ada Admin"}}


def test_clock_and_bad_hook_requests(app: MondayApp) -> None:
    before = datetime.fromisoformat(_call(app, "GET", "/_sandbox/clock").body["now"])
    moved = _call(app, "POST", "/_sandbox/clock", {"advance_s": 400 * 86_400}).body["now"]
    assert timedelta(days=400) <= datetime.fromisoformat(moved) - before < timedelta(days=401)
    assert _call(app, "POST", "/_sandbox/daily", {"used": 3}).status == 400
    assert _call(app, "GET", "/_sandbox/nothing").status == 404
