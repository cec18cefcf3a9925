"""Rules 7, 8 and 10 through the stand-in's own request pipeline (in process): the hour counts
every call of a known key, 4xx included, answers 429 past it until ``/_sandbox/clock`` moves;
the bulk jobs write through the same record rules as the single calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox_freshsales.fs_helpers import InProcess


@pytest.fixture(scope="module")
def fs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    app = InProcess(Path(tmp_path_factory.mktemp("freshsales-pipeline")))
    app.admin_field("contacts", "cf_bizstim_id", unique=True)
    yield app
    app.close()


def test_rule8_the_hour_counts_refused_calls_and_frees_when_the_clock_moves(
    fs: InProcess,
) -> None:
    fs.app.limits.configure("acme", hourly=3)
    fs.call("POST", "/_sandbox/hour/used?account=acme&used=0", key=None)
    first = fs.api("GET", "/selector/owners")
    assert first.status == 200
    assert (first.headers["X-RateLimit-Total"], first.headers["X-RateLimit-Remaining"]) == (
        "3",
        "2",
    )
    assert fs.api("GET", "/contacts/999999").status == 404  # counted: it reached the API
    assert fs.call("GET", "/crm/sales/api/selector/owners", key="wrong").status == 401  # not
    assert fs.api("GET", "/selector/owners").headers["X-RateLimit-Remaining"] == "0"
    refused = fs.api("GET", "/selector/owners")
    assert refused.status == 429 and refused.body["errors"]["code"] == 429
    assert 3000 < int(refused.headers["Retry-After"]) <= 3600
    assert fs.call("POST", "/_sandbox/clock/advance?hours=1", key=None).status == 200
    assert fs.api("GET", "/selector/owners").status == 200
    fs.app.limits.configure("acme", hourly=1_000_000)


def test_rule7_and_10_bulk_jobs_write_and_destroy_through_the_record_rules(fs: InProcess) -> None:
    items = [
        {"unique_identifier": {"cf_bizstim_id": "c:1"}, "data": {"last_name": "One"}},
        {"unique_identifier": {"cf_bizstim_id": "c:2"}, "data": {}},  # no name: refused
    ]
    assert fs.api("POST", "/contacts/bulk_upsert", {"contacts": items}).status == 404  # flag off
    fs.app.bulk.upsert_enabled = True
    try:
        job = fs.api("POST", "/contacts/bulk_upsert", {"contacts": items})
    finally:
        fs.app.bulk.upsert_enabled = False
    assert job.status == 202
    status_path = f"/job_statuses/{job.body['job_id']}"
    assert fs.api("GET", status_path).body["job_status"]["status"] == "IN_PROGRESS"
    done = fs.api("GET", status_path).body["job_status"]
    assert [r["status"] for r in done["rows"]] == ["created", "failed"]
    assert "last_name" in done["rows"][1]["errors"]
    contact_id = done["rows"][0]["id"]
    assert fs.api("GET", f"/contacts/{contact_id}").status == 200
    destroy = fs.api("POST", "/contacts/bulk_destroy", {"selected_ids": [contact_id]})
    assert destroy.status == 202
    for _ in range(2):
        rows = fs.api("GET", f"/job_statuses/{destroy.body['job_id']}").body["job_status"]["rows"]
    assert rows == [{"index": 0, "id": contact_id, "status": "deleted"}]
    assert fs.api("GET", f"/contacts/{contact_id}").status == 404  # in the recycle bin


def test_faults_set_by_the_hook_drop_a_committed_write_and_answer_counted_500s(
    fs: InProcess,
) -> None:
    hook = "/_sandbox/faults"
    assert fs.call("POST", hook, {"p_drop_after_commit": 1, "seed": 3}, key=None).status == 200
    try:
        dropped = fs.api("POST", "/contacts", {"contact": {"last_name": "Dropped"}})
        assert dropped.drop_connection  # the client never hears of it
        assert fs.api("GET", "/contacts/filters").drop_connection is False  # reads are answered
        fs.call("POST", hook, {"p_drop_after_commit": 0, "p500": 1}, key=None)
        before = int(fs.api("GET", "/selector/owners").headers["X-RateLimit-Remaining"])
        assert fs.api("GET", "/selector/owners").status == 500
        after = int(fs.api("GET", "/selector/owners").headers["X-RateLimit-Remaining"])
        assert after == before - 2  # the 500 and this call were both counted
    finally:
        fs.call("POST", hook, {"p_drop_after_commit": 0, "p500": 0}, key=None)
    held = fs.call("GET", "/_sandbox/snapshot?account=acme", key=None).body["acme"]["contacts"]
    assert [c["last_name"] for c in held if c["last_name"] == "Dropped"] == ["Dropped"]
