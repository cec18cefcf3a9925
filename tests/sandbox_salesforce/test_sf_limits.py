"""Rules 18-19 (daily allocation, Sforce-Limit-Info, limits/), rule 16 without the audit-field
permission, session expiry on the org clock, and a restart that keeps everything — on this
module's own small org (40 requests a day, no "Set Audit Fields")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sandbox.servers import RunningServer, start_server
from tests.sandbox_salesforce.sf_helpers import V, create, errors, login, server_args

DAILY = 40


@dataclass
class Org:
    db: Path
    server: RunningServer

    def restart(self) -> None:
        self.server.stop()
        self.server = start_server("salesforce", server_args(
            str(self.db), "--daily-api-limit", str(DAILY)))

    def advance(self, hours: float) -> None:
        resp = httpx.post(f"{self.server.url}/_sandbox/clock/advance", params={"hours": hours})
        assert resp.status_code == 200


@pytest.fixture(scope="module")
def small_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    db = tmp_path_factory.mktemp("salesforce-small") / "org.sqlite"
    org = Org(db, start_server("salesforce", server_args(str(db), "--daily-api-limit",
                                                          str(DAILY))))
    yield org
    org.server.stop()


def usage(resp: httpx.Response) -> tuple[int, int]:
    used, limit = resp.headers["Sforce-Limit-Info"].removeprefix("api-usage=").split("/")
    return int(used), int(limit)


def test_rule18_allocation_header_and_refusal(small_org: Org) -> None:
    with login(small_org.server) as api:
        first = api.get(f"{V}/sobjects/")
        used, limit = usage(first)
        assert limit == DAILY and used >= 1
        failing = api.get(f"{V}/sobjects/Nope/describe")  # a refused request counts too
        assert failing.status_code == 404 and usage(failing)[0] == used + 1
        for expected in range(used + 2, DAILY + 1):
            assert usage(api.get(f"{V}/limits/"))[0] == expected
        refused = api.get(f"{V}/limits/")
        assert errors(refused, 403) == [{"message": "TotalRequests Limit exceeded.",
                                         "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
        assert "retry-after" not in refused.headers
        assert usage(refused) == (DAILY, DAILY)
    small_org.advance(24.5)  # the rolling window has moved past every request
    with login(small_org.server) as api:
        assert usage(api.get(f"{V}/limits/")) == (1, DAILY)


def test_rule19_limits_resource_matches_the_header(small_org: Org) -> None:
    with login(small_org.server) as api:
        resp = api.get(f"{V}/limits/")
        body = resp.json()
        used, limit = usage(resp)
        assert body["DailyApiRequests"] == {"Max": limit, "Remaining": limit - used}
        assert body["DailyBulkApiBatches"] == {"Max": 15000, "Remaining": 15000}


def test_rule16_audit_fields_need_the_org_permission(small_org: Org) -> None:
    with login(small_org.server) as api:
        resp = api.post(f"{V}/sobjects/Contact", json={
            "LastName": "Dated", "CreatedDate": "2020-01-01T00:00:00.000+0000"})
        assert errors(resp)[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
        fields = api.get(f"{V}/sobjects/Contact/describe").json()["fields"]
        assert next(f for f in fields if f["name"] == "CreatedDate")["createable"] is False


def test_session_expires_after_two_idle_hours(small_org: Org) -> None:
    api = login(small_org.server)
    assert api.get(f"{V}/sobjects/").status_code == 200
    small_org.advance(2.5)
    assert errors(api.get(f"{V}/sobjects/"), 401)[0]["errorCode"] == "INVALID_SESSION_ID"
    api.close()
    with login(small_org.server) as fresh:
        assert fresh.get(f"{V}/sobjects/").status_code == 200


def test_restart_keeps_records_tokens_and_usage(small_org: Org) -> None:
    api = login(small_org.server)
    contact = create(api, "Contact", LastName="Durable")
    before = usage(api.get(f"{V}/limits/"))[0]
    small_org.restart()
    api.base_url = httpx.URL(small_org.server.url)
    resp = api.get(f"{V}/sobjects/Contact/{contact}")
    assert resp.status_code == 200 and resp.json()["LastName"] == "Durable"
    assert usage(resp)[0] == before + 1
    api.close()
