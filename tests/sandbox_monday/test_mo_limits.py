"""The monday stand-in's limits (destinations-2.md §4.11 rules 3, 4, 5 and 8): the complexity
model and its minute, the daily call count, create_board's minute and the Idempotency-Key cache,
in process on a stepped clock; then one test over HTTP (conftest's module server) that the app
wires them: the 429's headers, and an answer dropped after a create_item or an ingest_items
committed, settled by resending with the same Idempotency-Key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from graphql import parse

from sandbox.httpbase import Response
from sandbox.monday.complexity import document_cost
from sandbox.monday.idempotency import Idempotency, Ticket
from sandbox.monday.limits import Charge, Limits
from tests.sandbox_monday.conftest import Monday


class StepClock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def _creates(count: int) -> str:
    fields = " ".join(
        f'i{n}: create_item(board_id: 1, item_name: "n{n}") {{ id }}' for n in range(count)
    )
    return f"mutation {{ {fields} }}"


def test_complexity_minute_and_cap() -> None:
    """Rule 3: the decided prices, a document over 5M refused unrun, the sliding minute's 10M
    spent by 20 documents of 50 creates, the 21st refused with 429 and its wait, the minute
    after admitted; ``complexity`` answers before/after/query."""
    page = parse(
        "query($n: Int!) { boards(ids: [1]) { items_page(limit: $n) { items { id "
        "updates { id } } } } complexity { before after query reset_in_x_seconds } }"
    )
    assert document_cost(page, {"n": 500}).total == 100 + 500 * 20 + 10
    clock = StepClock(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    limits = Limits(clock)
    too_big = limits.charge("acme", "tok", document_cost(parse(_creates(501))))
    assert isinstance(too_big, Response) and too_big.status == 200
    assert too_big.body["errors"][0]["extensions"]["code"] == "maxComplexityExceeded"
    fifty = document_cost(parse(_creates(50)))
    charges = []
    for _ in range(20):
        charges.append(limits.charge("acme", "tok", fifty))
        clock.advance(1)
    assert all(isinstance(c, Charge) for c in charges)
    assert charges[0] == Charge(10_000_000, 9_500_000, 500_000, 60)
    refused = limits.charge("acme", "tok", fifty)
    assert isinstance(refused, Response) and refused.status == 429
    extensions = refused.body["errors"][0]["extensions"]
    assert extensions["code"] == "COMPLEXITY_BUDGET_EXHAUSTED"
    assert extensions["retry_in_seconds"] == 40 == int(refused.headers["Retry-After"])
    assert isinstance(limits.charge("acme", "tok2", fifty), Charge)  # per token
    clock.advance(40)
    admitted = limits.charge("acme", "tok", fifty)
    assert isinstance(admitted, Charge) and admitted.before == 500_000


def test_daily_calls_by_plan_reset_at_midnight() -> None:
    """Rule 4: Free's 200 calls, the 201st refused with 429 and Retry-After to 00:00 UTC, a new
    day counts from zero; the hook sets the day's count; an override wins over the plan."""
    clock = StepClock(datetime(2026, 12, 4, 23, 0, tzinfo=UTC))
    limits = Limits(clock)
    limits.configure("acme", plan="free")
    assert [limits.count_call("acme") for _ in range(200)] == [None] * 200
    refused = limits.count_call("acme", request_id="r1")
    assert refused is not None and refused.status == 429
    assert refused.body["errors"][0]["extensions"]["code"] == "DAILY_LIMIT_EXCEEDED"
    assert refused.headers["Retry-After"] == "3600"
    assert refused.body["extensions"] == {"request_id": "r1"}
    assert limits.state("acme")["daily_used"] == 201  # the refused call counted too
    clock.advance(3600)
    assert limits.count_call("acme") is None
    limits.set_daily_used("acme", 200)
    assert limits.count_call("acme") is not None
    limits.configure("acme", plan="free", daily=1_000)
    assert limits.count_call("acme") is None


def test_create_board_forty_a_minute() -> None:
    """Rule 5: 40 create_board calls in a minute pass, the 41st gets 429 'Call limit exceeded
    for CreateBoard', the minute after admits it again; other mutations are not limited so."""
    clock = StepClock(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    limits = Limits(clock)
    board = document_cost(
        parse('mutation { create_board(board_name: "B", board_kind: public) { id } }')
    )
    assert board.create_boards == 1
    for _ in range(40):
        assert isinstance(limits.charge("acme", "tok", board), Charge)
    refused = limits.charge("acme", "tok", board)
    assert isinstance(refused, Response) and refused.status == 429
    assert refused.body["errors"][0]["message"] == "Call limit exceeded for CreateBoard"
    assert int(refused.headers["Retry-After"]) == 60
    assert isinstance(limits.charge("acme", "tok", document_cost(parse(_creates(1)))), Charge)
    clock.advance(60)
    assert isinstance(limits.charge("acme", "tok", board), Charge)


def test_idempotency_key_replay_conflict_and_expiry() -> None:
    """Rule 8: a duplicate while the first runs → 409 + Retry-After; after it the first answer
    replayed with Idempotency-Replayed: true; a 429 is not kept; 30 minutes later the key is new."""
    clock = StepClock(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    cache = Idempotency(clock)
    first = cache.begin("acme", "k1")
    assert isinstance(first, Ticket)
    conflict = cache.begin("acme", "k1")
    assert isinstance(conflict, Response) and conflict.status == 409
    assert conflict.body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_CONFLICT"
    assert "Retry-After" in conflict.headers
    assert isinstance(cache.begin("other", "k1"), Ticket)  # keys are per account
    answer = {"data": {"create_item": {"id": "7"}}}
    cache.finish(first, Response(200, answer, headers={"API-Version": "2026-10"}))
    replay = cache.begin("acme", "k1")
    assert isinstance(replay, Response) and replay.body == answer
    assert replay.headers["Idempotency-Replayed"] == "true"
    throttled = cache.begin("acme", "k2")
    assert isinstance(throttled, Ticket)
    cache.finish(throttled, Response(429, {"errors": []}))
    assert isinstance(cache.begin("acme", "k2"), Ticket)
    clock.advance(30 * 60)
    assert isinstance(cache.begin("acme", "k1"), Ticket)


def test_over_http_budget_429_and_dropped_answers_settled_by_key(monday: Monday) -> None:
    """Rules 3 and 8 through the app: two 4.9M documents spend the minute, the third is a 429
    with Retry-After; a create_item and an ingest_items whose answers are dropped after they
    committed are answered, when resent with their key, by the kept answer (one item, one job)."""
    costly = "{ boards(limit: 49000) { id } complexity { before after query } }"
    spent = [monday.post(costly) for _ in range(2)]
    assert [a.body["data"]["complexity"]["query"] for a in spent] == [4_900_010] * 2
    refused = monday.post(costly)
    assert (refused.status, refused.codes) == (429, ["COMPLEXITY_BUDGET_EXHAUSTED"])
    assert int(refused.headers["retry-after"]) >= 1
    monday.hook("/_sandbox/clock", {"advance_s": 61})

    made = 'mutation { create_board(board_name: "Keys", board_kind: public, empty: true) { id } }'
    board = monday.data(made)["create_board"]["id"]
    create = f'mutation {{ create_item(board_id: {board}, item_name: "Once") {{ id }} }}'
    ingest = f'mutation {{ ingest_items(board_id: {board}, group_id: "topics") {{ job_id }} }}'
    monday.hook("/_sandbox/faults", {"p_drop_after_commit": 1.0, "seed": 1})
    try:
        for document, key in ((create, "k-create"), (ingest, "k-ingest")):
            with pytest.raises(OSError):
                monday.post(document, headers={"Idempotency-Key": key})
    finally:
        monday.hook("/_sandbox/faults", {"p_drop_after_commit": 0.0})
    item = monday.post(create, headers={"Idempotency-Key": "k-create"})
    assert item.headers["idempotency-replayed"] == "true"
    job = monday.post(ingest, headers={"Idempotency-Key": "k-ingest"})
    assert job.headers["idempotency-replayed"] == "true"
    poll = "query($j: ID!) { fetch_job_status(job_id: $j) { ... on ItemsJobStatus { status } } }"
    status = monday.data(poll, j=job.body["data"]["ingest_items"]["job_id"])
    assert status["fetch_job_status"]["status"] == "UPLOAD_PENDING"
    page = f"{{ boards(ids: [{board}]) {{ items_page(limit: 10) {{ items {{ id }} }} }} }}"
    items = monday.data(page)["boards"][0]["items_page"]["items"]
    assert [i["id"] for i in items] == [item.body["data"]["create_item"]["id"]]
