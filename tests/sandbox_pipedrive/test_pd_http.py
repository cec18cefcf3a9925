"""§2.11 rules 1-3 over real HTTP (the subprocess `bizmig sandbox pipedrive`), and what two
accounts on one server must not share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.servers import RunningServer, start_server
from tests.sandbox_pipedrive.pd_helpers import ADMIN, OTHER, server_args


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server("pipedrive", server_args(Path(tmp_path_factory.mktemp("pd_http"))))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_rule1_token_header_or_bearer_else_401_with_error_code(http: httpx.Client) -> None:
    for headers in ({}, {"x-api-token": "not-a-token"}, {"Authorization": "Basic abc"}):
        resp = http.get("/api/v2/persons", headers=headers)
        assert resp.status_code == 401, headers
        body = resp.json()
        assert body["success"] is False and body["errorCode"] == 401 and body["error"]
    assert http.get("/api/v2/persons", headers={"x-api-token": ADMIN}).status_code == 200
    bearer = {"Authorization": f"Bearer {ADMIN}"}
    assert http.get("/api/v2/persons", headers=bearer).status_code == 200
    assert http.get(f"/api/v2/persons?api_token={ADMIN}").status_code == 401


def test_rule2_only_the_two_prefixes_and_v1_persons_activities_are_gone(
    http: httpx.Client,
) -> None:
    auth = {"x-api-token": ADMIN}
    assert http.get("/persons", headers=auth).status_code == 404
    assert http.get("/api/v1/persons", headers=auth).status_code == 404
    for path in ("/v1/persons", "/v1/persons/1", "/v1/activities", "/v1/activities/7"):
        resp = http.get(path, headers=auth)
        assert resp.status_code == 410, path
        assert resp.json()["success"] is False and resp.json()["data"] is None
    assert http.post("/v1/activities", headers=auth, json={"subject": "x"}).status_code == 410
    assert http.get("/v1/notes", headers=auth).status_code == 200


def test_rule3_v2_envelope_and_create_answers_200(http: httpx.Client) -> None:
    auth = {"x-api-token": ADMIN}
    created = http.post("/api/v2/organizations", headers=auth, json={"name": "Envelope Ltd"})
    assert created.status_code == 200
    body = created.json()
    assert body["success"] is True and body["data"]["name"] == "Envelope Ltd"
    assert isinstance(body["data"]["id"], int)
    listed = http.get("/api/v2/organizations", headers=auth).json()
    assert listed["success"] is True and "next_cursor" in listed["additional_data"]
    assert body["data"]["id"] in [o["id"] for o in listed["data"]]
    # the one create the v2 spec documents as 201
    product = http.post("/api/v2/products", headers=auth, json={"name": "Session"})
    assert product.status_code == 201 and product.json()["data"]["name"] == "Session"


def test_accounts_have_their_own_field_codes_and_records(
    http: httpx.Client, server: RunningServer
) -> None:
    codes = []
    for token in (ADMIN, OTHER):
        resp = http.post(
            "/api/v2/personFields",
            headers={"x-api-token": token},
            json={"field_name": "Bizstim ID", "field_type": "varchar"},
        )
        code = resp.json()["data"]["field_code"]
        assert len(code) == 40 and int(code, 16) >= 0
        codes.append(code)
    assert codes[0] != codes[1]
    made = http.post("/api/v2/persons", headers={"x-api-token": ADMIN}, json={"name": "Solo"})
    person_id = made.json()["data"]["id"]
    other = http.get(f"/api/v2/persons/{person_id}", headers={"x-api-token": OTHER})
    assert other.status_code == 404
    listed = httpx.get(f"{server.url}/_sandbox/accounts").json()["accounts"]
    assert {a["name"] for a in listed} == {"acme", "beta"}


def test_hooks_reset_one_account_move_the_clock_and_spend_its_day(
    http: httpx.Client, server: RunningServer
) -> None:
    def hook(method: str, path: str) -> dict:
        resp = httpx.request(method, f"{server.url}/_sandbox/{path}")
        assert resp.status_code == 200, resp.text
        return resp.json()

    auth, other = {"x-api-token": ADMIN}, {"x-api-token": OTHER}
    field = {"field_name": "Reset me", "field_type": "varchar"}
    before = http.post("/api/v2/organizationFields", headers=auth, json=field).json()["data"]
    http.post("/api/v2/organizations", headers=other, json={"name": "Beta keeps me"})
    hook("POST", "reset?account=acme")
    assert http.get("/api/v2/organizations", headers=auth).json()["data"] == []
    kept = http.get("/api/v2/organizations", headers=other).json()["data"]
    assert "Beta keeps me" in [o["name"] for o in kept]
    gone = http.get(f"/api/v2/organizationFields/{before['field_code']}", headers=auth)
    assert gone.status_code == 404  # the reset account's fields went with its records
    then = hook("GET", "clock")["now"]
    moved = hook("POST", "clock/advance?days=2")["now"]
    assert moved[:10] > then[:10]
    hook("POST", "budget/used?account=acme&tokens=10000000")
    spent = http.get("/api/v2/organizations", headers=auth)
    assert spent.status_code == 429 and spent.json()["success"] is False
    assert http.get("/api/v2/organizations", headers=other).status_code == 200
    hook("POST", "clock/advance?days=1")  # a new day: the budget is whole again
    assert http.get("/api/v2/organizations", headers=auth).status_code == 200
