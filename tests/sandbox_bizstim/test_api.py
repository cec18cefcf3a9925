"""Wire behaviour of the Bizstim sandbox over real HTTP: envelopes, paging, records, auth."""

from __future__ import annotations

import pytest

from sandbox.bizstim.store import LISTS, iter_records
from sandbox.httpbase import key_fingerprint
from tests.sandbox_bizstim.conftest import KEY1, call, ok

LIMITS = {"clients": (1000, 1000), "sessions": (100, 1000)}
SINGLE = {"service": "services", "payment": "payments", "location": "locations",
          "discount": "discounts"}


def limits(method: str) -> tuple[int, int]:
    return LIMITS.get(method, (20, 100))


@pytest.mark.parametrize("method", sorted(LISTS))
def test_list_envelope_fields_and_strings(bizstim, method):
    reply = call(bizstim, f"/api/{method}")
    assert reply.status == 200
    body = reply.json()
    assert list(body) == ["status", "total", "response"]
    assert body["status"] == "success"
    assert type(body["total"]) is int and body["total"] > 0
    assert body["response"], method
    for record in body["response"]:
        assert list(record) == LISTS[method].fields
        assert all(type(v) is str for v in record.values()), record
    ids = [int(r["id"]) for r in body["response"]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


@pytest.mark.parametrize("method", sorted(LISTS))
def test_default_limit_and_clamp_to_maximum(bizstim, method):
    default, maximum = limits(method)
    total = ok(bizstim, f"/api/{method}")["total"]
    assert len(ok(bizstim, f"/api/{method}")["response"]) == min(default, total)
    assert len(ok(bizstim, f"/api/{method}/0")["response"]) == min(default, total)
    assert len(ok(bizstim, f"/api/{method}/0/{maximum + 500}")["response"]) == min(maximum, total)
    assert len(ok(bizstim, f"/api/{method}/1/3")["response"]) == min(3, total - 1)


def test_clamping_bites_where_total_exceeds_maximum(bizstim):
    body = ok(bizstim, "/api/sessions/0/5000")
    assert body["total"] > 1000 and len(body["response"]) == 1000
    body = ok(bizstim, "/api/payments/0/1000")
    assert body["total"] > 100 and len(body["response"]) == 100


def test_pages_are_contiguous_and_match_store(bizstim, bizstim_db):
    got = []
    total = ok(bizstim, "/api/sessions/0/1")["total"]
    for start in range(0, total, 700):
        got += ok(bizstim, f"/api/sessions/{start}/700")["response"]
    assert got == list(iter_records(bizstim_db, "sessions"))


def test_start_at_or_beyond_total(bizstim):
    total = ok(bizstim, "/api/payments")["total"]
    for start in (total, total + 1, 10**9):
        body = ok(bizstim, f"/api/payments/{start}/10")
        assert body == {"status": "success", "total": total, "response": []}


@pytest.mark.parametrize("path", ["/api/clients/0/0", "/api/clients/-1", "/api/clients/abc",
                                  "/api/clients/0/x", "/api/clients/0/-5", "/api/clients/1.5",
                                  "/api/clients/0/10/3", "/api/clients//10",
                                  "/api/clients?format=xml", "/api/client"])
def test_bad_parameters_are_400_failure(bizstim, path):
    reply = call(bizstim, path)
    assert reply.status == 400
    body = reply.json()
    assert body["status"] == "failure" and isinstance(body["response"], str)


def test_format_json_is_accepted(bizstim):
    assert ok(bizstim, "/api/discounts?format=json")["status"] == "success"


def test_single_records_match_lists(bizstim):
    for single, listed in SINGLE.items():
        for record in ok(bizstim, f"/api/{listed}/0/5")["response"]:
            body = ok(bizstim, f"/api/{single}/{record['id']}")
            assert body == {"status": "success", "response": record}


def test_client_detail_has_list_fields_and_extras(bizstim):
    custom = [f"custom_{c['id']}" for c in ok(bizstim, "/api/customfields")["response"]]
    assert 4 <= len(custom) <= 8
    for client in ok(bizstim, "/api/clients/0/10")["response"]:
        body = ok(bizstim, f"/api/client/{client['id']}")
        assert list(body) == ["status", "response"]
        detail = body["response"]
        assert {k: detail[k] for k in client} == client
        assert list(detail)[len(client):] == [
            "status", "notes", "start_date", "timezone", "meeting_url", "service_id",
            *custom, "minTime", "maxTime", "slotDuration", "sessionLimit"]
        assert detail["status"] in {"active", "inactive", "prospect"}
        assert all(type(v) is str for v in detail.values())


def test_availability_and_timezone(bizstim):
    pract = ok(bizstim, "/api/practitioners")["response"][0]
    default = pract["avail_id"].split(",")[0]
    body = ok(bizstim, f"/api/availability/{default}")
    assert list(body) == ["status", "response"]
    assert body["response"]["id"] == default and body["response"]["label"] == "Default"
    tz = ok(bizstim, "/api/timezone")
    assert tz == {"status": "success", "response": {"TimeZone": "America/Toronto",
                                                    "label": tz["response"]["label"]}}


@pytest.mark.parametrize("path", ["/api/client/1", "/api/client/abc", "/api/availability/7",
                                  "/api/service/999999", "/api/payment/0",
                                  "/api/location/99999", "/api/discount/424242"])
def test_unknown_id_is_404(bizstim, path):
    reply = call(bizstim, path)
    assert reply.status == 404
    assert reply.json() == {"status": "failure", "response": "Record not found"}


@pytest.mark.parametrize("path", ["/api/nope", "/api/practitioner/81", "/api", "/other"])
def test_unknown_method_is_404(bizstim, path):
    reply = call(bizstim, path)
    assert reply.status == 404 and reply.json()["status"] == "failure"


@pytest.mark.parametrize("key", [None, "", "wrong-key", KEY1.upper()])
def test_missing_or_unknown_key_is_401(bizstim, key):
    reply = call(bizstim, "/api/clients", key=key)
    assert reply.status == 401
    assert reply.json() == {"status": "failure", "response": "Invalid API key"}


def test_writes_are_405(bizstim):
    reply = call(bizstim, "/api/client/23", method="PUT", body={"first_name": "x"})
    assert reply.status == 405 and reply.json()["status"] == "failure"


def test_request_log_has_key_fingerprint_and_record_count(bizstim):
    before = len(bizstim.requests())
    ok(bizstim, "/api/payments/0/7")
    call(bizstim, "/api/payments", key="bad")
    log = bizstim.requests(before)
    assert [(e["status"], e["key"], e["records"]) for e in log] == [
        (200, key_fingerprint(KEY1), 7), (401, "-", 0)]
