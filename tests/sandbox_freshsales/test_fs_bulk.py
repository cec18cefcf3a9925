"""§3.11 rule 7 (bulk upsert: behind a flag, at most 100 items, a job polled until it ran) and
rule 10's ``bulk_destroy`` (an asynchronous job sending records to the recycle bin); in-process,
the jobs writing through a small record writer that refuses what a single call would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.freshsales.bulk import BulkJobs


class Refused(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("refused")
        self.status, self.errors = 400, errors

    def body(self) -> dict[str, Any]:
        return {"errors": self.errors}


@dataclass
class Account:
    name: str
    live: dict[str, dict[str, Any]] = field(default_factory=dict)  # key value -> record
    bin: list[int] = field(default_factory=list)


class Writer:
    def upsert(
        self, account: Account, user_id: int, module: str, key: dict[str, Any], data: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if not data.get("last_name"):
            raise Refused({"last_name": ["can't be blank"]})
        (value,) = key.values()
        if value in account.live:
            account.live[value].update(data)
            return 200, account.live[value]
        record = {"id": 100 + len(account.live), **data}
        account.live[value] = record
        return 201, record

    def destroy(self, account: Account, module: str, record_id: int) -> None:
        found = [k for k, r in account.live.items() if r["id"] == record_id]
        if not found:
            raise Refused({"id": ["not found"]})
        account.bin.append(account.live.pop(found[0])["id"])


def _items(count: int) -> list[dict[str, Any]]:
    return [
        {"unique_identifier": {"cf_bizstim_id": f"c:{i}"}, "data": {"last_name": f"L{i}"}}
        for i in range(count)
    ]


def test_bulk_upsert_is_off_by_default_and_takes_at_most_a_hundred_items() -> None:
    acme = Account("acme")
    off = BulkJobs(Writer(), Refused)
    refused = off.route(acme, 1, "POST", ["contacts", "bulk_upsert"], {"contacts": _items(1)})
    assert refused is not None and refused.status == 404
    jobs = BulkJobs(Writer(), Refused, upsert_enabled=True)
    too_many = jobs.route(acme, 1, "POST", ["contacts", "bulk_upsert"], {"contacts": _items(101)})
    assert too_many is not None and too_many.status == 400
    accepted = jobs.route(acme, 1, "POST", ["contacts", "bulk_upsert"], {"contacts": _items(100)})
    assert accepted is not None and accepted.status == 202
    assert acme.live == {}  # nothing written before the job runs


def test_a_bulk_upsert_job_runs_at_its_second_poll_with_one_outcome_per_row() -> None:
    acme, other = Account("acme"), Account("other")
    acme.live["c:0"] = {"id": 7, "last_name": "Old"}
    jobs = BulkJobs(Writer(), Refused, upsert_enabled=True)
    items = [*_items(2), {"unique_identifier": {"cf_bizstim_id": "c:9"}, "data": {}}]
    accepted = jobs.route(acme, 1, "POST", ["contacts", "bulk_upsert"], {"contacts": items})
    path = ["job_statuses", str(accepted.body["job_id"])]
    assert jobs.route(other, 2, "GET", path, None).status == 404  # another account's job
    first = jobs.route(acme, 1, "GET", path, None).body["job_status"]
    assert first["status"] == "IN_PROGRESS" and first["rows"] == []
    assert acme.live["c:0"]["last_name"] == "Old"
    done = jobs.route(acme, 1, "GET", path, None).body["job_status"]
    assert done["status"] == "COMPLETED"
    assert [r["status"] for r in done["rows"]] == ["updated", "created", "failed"]
    assert done["rows"][0]["id"] == 7
    assert done["rows"][2]["errors"] == {"last_name": ["can't be blank"]}
    assert (done["succeeded"], done["failed"]) == (2, 1)
    assert set(acme.live) == {"c:0", "c:1"}


def test_bulk_destroy_is_a_job_that_sends_the_selected_records_to_the_recycle_bin() -> None:
    acme = Account("acme", live={"a": {"id": 1}, "b": {"id": 2}, "c": {"id": 3}})
    jobs = BulkJobs(Writer(), Refused, polls_before_done=0)
    too_many = jobs.route(
        acme, 1, "POST", ["contacts", "bulk_destroy"], {"selected_ids": list(range(101))}
    )
    assert too_many is not None and too_many.status == 400
    answer = jobs.route(
        acme, 1, "POST", ["contacts", "bulk_destroy"], {"selected_ids": [1, "3", 9]}
    )
    assert answer is not None and answer.status == 202
    status = jobs.route(acme, 1, "GET", ["job_statuses", str(answer.body["job_id"])], None)
    rows = status.body["job_status"]["rows"]
    assert [(r["id"], r["status"]) for r in rows] == [(1, "deleted"), (3, "deleted"), (9, "failed")]
    assert acme.bin == [1, 3] and list(acme.live) == ["b"]
