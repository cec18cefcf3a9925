"""The /_sandbox/mutate hook and injected faults."""

from __future__ import annotations

import json

import pytest

from sandbox.bizstim.store import counts, iter_records
from tests.sandbox_bizstim.conftest import call, ok, run


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    yield from run(tmp_path_factory.mktemp("bizstim_mutate"), clients=60, seed=5)


def mutate(server, **body):
    reply = call(server, "/_sandbox/mutate", key=None, method="POST", body=body)
    assert reply.status == 200, reply.raw
    return reply.json()["record"]


def paged_ids(server, step=7):
    total = ok(server, "/api/clients/0/1")["total"]
    rows = []
    for start in range(0, total, step):
        rows += ok(server, f"/api/clients/{start}/{step}")["response"]
    assert len(rows) == total
    return [int(r["id"]) for r in rows]


def test_update_delete_insert_keep_positions_and_totals(small):
    before = paged_ids(small)
    n = len(before)
    first, victim = before[0], before[n // 2]

    rec = mutate(small, table="clients", op="update", id=str(first),
                 values={"first_name": "Renamed", "status": "inactive"})
    assert rec["first_name"] == "Renamed"
    assert ok(small, "/api/clients/0/1")["response"][0]["first_name"] == "Renamed"
    assert ok(small, f"/api/client/{first}")["response"]["status"] == "inactive"

    assert mutate(small, table="clients", op="delete", id=str(victim)) is None
    assert call(small, f"/api/client/{victim}").status == 404
    after_delete = paged_ids(small)
    assert after_delete == [i for i in before if i != victim]

    new = mutate(small, table="clients", op="insert", values={"first_name": "Newbie",
                                                              "email": "new@x.com"})
    assert int(new["id"]) > max(before)
    assert new["first_name"] == "Newbie" and new["status"] == "" and "custom_" in "".join(new)
    ids = paged_ids(small)
    assert ids == [*after_delete, int(new["id"])]
    assert ok(small, "/api/clients")["total"] == n

    mutate(small, table="clients", op="insert", id=str(victim), values={"last_name": "Back"})
    assert paged_ids(small, step=5) == sorted([*after_delete, int(new["id"]), victim])
    assert all("/_sandbox/" not in e["path"] for e in small.requests())

    db = small.db
    assert counts(db)["clients"] == n + 1
    assert [int(r["id"]) for r in iter_records(db, "clients")] == paged_ids(small)
    detail = {r["id"]: r for r in iter_records(db, "client_details")}
    assert detail[str(first)]["first_name"] == "Renamed"


@pytest.mark.parametrize("body,status", [
    ({"table": "nope", "op": "update", "id": "1", "values": {}}, 400),
    ({"table": "clients", "op": "update", "id": "1", "values": {}}, 404),
    ({"table": "clients", "op": "update", "id": "FIRST", "values": {"bogus": "x"}}, 400),
    ({"table": "clients", "op": "frobnicate", "id": "FIRST", "values": {}}, 400),
    ({"table": "clients", "op": "update", "id": "FIRST", "values": {"city": 5}}, 400),
])
def test_mutate_rejects_bad_requests(small, body, status):
    if body["id"] == "FIRST":
        body = {**body, "id": ok(small, "/api/clients/0/1")["response"][0]["id"]}
    assert call(small, "/_sandbox/mutate", key=None, method="POST", body=body).status == status


def test_truncated_body_is_invalid_json(tmp_path_factory):
    gen = run(tmp_path_factory.mktemp("bizstim_trunc"), "--p-truncate", "1.0",
              clients=20, rate_limit=2)
    server = next(gen)
    try:
        for _ in range(3):  # faulted requests spend no budget (limit is 2)
            reply = call(server, "/api/payments")
            assert reply.status == 200
            assert int(reply.headers["content-length"]) > len(reply.raw)
            with pytest.raises(json.JSONDecodeError):
                json.loads(reply.raw)
        assert call(server, "/api/payments", key="bad").status == 401  # auth comes first
    finally:
        gen.close()


def test_injected_500_and_429(tmp_path_factory):
    gen = run(tmp_path_factory.mktemp("bizstim_faults"), "--p500", "0.5", "--p429", "0.3",
              "--fault-seed", "3", clients=20)
    server = next(gen)
    try:
        replies = [call(server, "/api/discounts") for _ in range(40)]
        statuses = {r.status for r in replies}
        assert statuses == {200, 429, 500}
        assert all(r.headers["retry-after"] == "1" for r in replies if r.status == 429)
        assert all(r.json()["status"] == "failure" for r in replies if r.status != 200)
    finally:
        gen.close()
