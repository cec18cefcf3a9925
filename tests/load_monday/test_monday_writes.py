"""The monday write path against the stand-in: outcomes by Bizstim id, refusals per row, no twin.

An ingest job's report comes back in another order than the upload (the stand-in shuffles it,
seeded by the job id), so each row's item id is checked against the item's own ``bizstim_id``
column as the board reads it; rows with a bad cell are refused with the report's reason while
the rest land, one job per group. An aliased document whose answer is lost is sent again with
the same ``Idempotency-Key`` and monday's replay settles it: one item, not two; notes whose
answer is lost are found by their ``[bizstim:<id>]`` markers, never sent twice. Every document
the write path sends validates against monday's SDL.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import httpx
import pytest
from graphql import parse, validate

from load.core.transport import DestinationUnavailable
from load.monday import documents
from load.monday.documents import ItemWrite, NoteWrite
from load.monday.ingest import Ingest
from load.monday.mutations import BoardRow, Mutations
from load.monday.updates import Note, Updates, marker_of
from load.monday.values import cell, mutation_value, neutral_of
from sandbox.monday import sdl
from sandbox.servers import RunningServer, start_server

ACCOUNT, TOKEN = "writes", "writes-token"
TYPES = {"stage": "status", "mail": "email", "joined": "date"}


def test_every_write_document_validates_against_the_sdl():
    schema = sdl.schema()  # monday's own SDL, as the stand-in reads it
    items, _ = documents.aliased_items([ItemWrite("{}", "a", "g"), ItemWrite("{}", item_id="7")])
    notes, _ = documents.aliased_updates([NoteWrite("7", "body [bizstim:n1]", "2024-01-31")])
    sent = [
        documents.INGEST_ITEMS,
        documents.FETCH_JOB_STATUS,
        documents.ITEMS_BY_COLUMN,
        documents.ITEM_UPDATES,
        items,
        notes,
    ]
    for document in sent:
        assert validate(schema, parse(document)) == [], document
    # the check can fail: a field monday does not have is refused
    assert validate(schema, parse(items.replace("{ id }", "{ id bizstim }", 1)))


class StandInClient:
    """HTTP to the stand-in's /v2: the whole answer, a dropped write answer raised as lost."""

    def __init__(self, url: str) -> None:
        headers = {"Authorization": TOKEN, "API-Version": "2026-10"}
        self.http = httpx.Client(base_url=url, headers=headers, timeout=30)
        self.keys: list[str | None] = []

    def graphql(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        retry_writes: bool = True,
    ) -> dict[str, Any]:
        self.keys.append(idempotency_key)
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        body = {"query": document, "variables": dict(variables or {})}
        try:
            answer = self.http.post("/v2", json=body, headers=headers)
        except httpx.TransportError as exc:
            raise DestinationUnavailable(f"POST /v2: {exc!r}") from exc
        assert answer.status_code == 200, answer.text
        return answer.json()


def hook(server: RunningServer, path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"{server.url}{path}", data=json.dumps(body).encode(), method="POST"
    )
    request.add_header("Content-Type", "application/json")
    urllib.request.urlopen(request).read()


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # its own data directory: two stand-ins sharing .bizmig/sandbox/monday lock one SQLite file
    data = tmp_path_factory.mktemp("monday-standin")
    server = start_server("monday", ["--data-dir", str(data)])
    user = {"id": "1", "name": "Wanda", "email": "wanda@example.com", "is_admin": True}
    account = {"account": ACCOUNT, "token": TOKEN, "plan": "pro", "users": [user]}
    hook(server, "/_sandbox/accounts", account)
    yield server
    server.stop()


def call(client: StandInClient, document: str, **variables: Any) -> dict[str, Any]:
    answer = client.graphql(document, variables)
    assert not answer.get("errors"), answer
    return answer["data"]


def new_board(client: StandInClient, name: str) -> tuple[str, list[str]]:
    """A board with the match column, a status, an e-mail and a date column, and two groups."""
    board = call(
        client,
        "mutation($n: String!) { create_board(board_name: $n, board_kind: public, empty: true)"
        " { id } }",
        n=name,
    )["create_board"]["id"]
    columns = [("bizstim_id", "text", None), ("stage", "status", {"labels": {"0": "Active"}})]
    columns += [("mail", "email", None), ("joined", "date", None)]
    for column_id, column_type, defaults in columns:
        call(
            client,
            "mutation($b: ID!, $i: String!, $t: ColumnType!, $d: JSON) { create_column("
            "board_id: $b, id: $i, title: $i, column_type: $t, defaults: $d) { id } }",
            b=board,
            i=column_id,
            t=column_type,
            d=json.dumps(defaults) if defaults else None,
        )
    groups = [
        call(
            client,
            "mutation($b: ID!, $g: String!) { create_group(board_id: $b, group_name: $g) { id } }",
            b=board,
            g=title,
        )["create_group"]["id"]
        for title in ("Clients", "Leads")
    ]
    return board, groups


def bizstim_ids_on(client: StandInClient, board: str) -> dict[str, list[str]]:
    """Bizstim id → the ids of the live items whose ``bizstim_id`` column holds it."""
    data = call(
        client,
        "query($b: [ID!]) { boards(ids: $b) { items_page(limit: 500) { cursor items { id"
        " column_values { id text } } } } }",
        b=[board],
    )
    held: dict[str, list[str]] = {}
    for item in data["boards"][0]["items_page"]["items"]:
        text = {c["id"]: c["text"] for c in item["column_values"]}.get("bizstim_id")
        held.setdefault(str(text), []).append(str(item["id"]))
    return held


def test_an_ingest_job_matches_outcomes_by_bizstim_id_and_refuses_bad_rows(
    stand_in: RunningServer,
):
    client = StandInClient(stand_in.url)
    board, groups = new_board(client, "Contacts")
    rows = [
        BoardRow(
            f"c{n}",
            f"Client {n}",
            groups[n % 2],
            {
                "stage": "Active",
                "mail": f"c{n}@example.com",
                "joined": "2024-03-0" + str(n % 9 + 1),
            },
        )
        for n in range(40)
    ]
    rows[5] = BoardRow("c5", "Client 5", groups[1], {"stage": "Gone"})  # no such label
    rows[12] = BoardRow("c12", "Client 12", groups[0], {"mail": "not an address"})
    ingest = Ingest(client, sleep=lambda _s: None)

    outcome = ingest.upsert(board, TYPES, rows)

    assert len(ingest.jobs) == 2  # one job per group
    assert set(outcome.refused) == {"c5", "c12"}
    assert all(reason.startswith("invalid") for reason in outcome.refused.values())
    held = bizstim_ids_on(client, board)
    landed = {row.bizstim_id for row in rows} - {"c5", "c12"}
    assert set(outcome.item_ids) == landed == set(held)
    for bizstim_id, item_id in outcome.item_ids.items():
        assert held[bizstim_id] == [item_id]  # the item that holds THIS row's id, and one
    assert outcome.created == landed and outcome.unanswered == []


class DropFirstAnswer(StandInClient):
    """The stand-in commits the first document and drops its answer (its faults hook)."""

    def __init__(self, server: RunningServer) -> None:
        super().__init__(server.url)
        self.server = server
        self.dropped = False

    def graphql(self, document: str, variables: Any = None, **options: Any) -> dict[str, Any]:
        if self.dropped:
            return super().graphql(document, variables, **options)
        self.dropped = True
        hook(self.server, "/_sandbox/faults", {"p_drop_after_commit": 1.0})
        try:
            return super().graphql(document, variables, **options)
        finally:
            hook(self.server, "/_sandbox/faults", {"p_drop_after_commit": 0.0})


def test_aliased_creates_keep_the_good_rows_and_a_lost_answer_makes_no_twin(
    stand_in: RunningServer,
):
    setup = StandInClient(stand_in.url)
    board, groups = new_board(setup, "Sessions")
    client = DropFirstAnswer(stand_in)
    rows = [
        BoardRow("s1", "Session 1", groups[0], {"stage": "Active"}),
        BoardRow("s2", "", groups[0], {}),  # an item needs a name
        BoardRow("s3", "Session 3", groups[0], {"stage": "Gone"}),
    ]

    outcome = Mutations(client, run_id="run-1").write(board, TYPES, rows)

    assert client.dropped and len(client.keys) == 2  # one lost, one replayed
    assert client.keys[0] == client.keys[1] is not None  # the same document replayed
    assert "InvalidItemNameException" in outcome.refused["s2"]
    assert "ColumnValueException" in outcome.refused["s3"]
    held = bizstim_ids_on(setup, board)
    assert held == {"s1": [outcome.item_ids["s1"]]}  # one item, the one the replay named


def test_one_value_is_written_the_same_by_csv_and_mutation_and_reads_back_equal():
    e164 = {"phone": "+14155550100", "countryShortName": "US"}
    hour_read = {"value": '{"hour": 9, "minute": 5}', "text": "09:05 AM"}
    cases = [  # type, mart value, CSV cell, mutation JSON, the column as read, read back
        ("numbers", Decimal("42.500"), "42.5", "42.5", {"text": "42.5"}, Decimal("42.5")),
        (
            "phone",
            "+14155550100",
            "+14155550100",
            e164,
            {"value": json.dumps(e164)},
            "+14155550100",
        ),
        ("dropdown", "A, B", "A, B", {"labels": ["A", "B"]}, {"text": "A, B"}, "A, B"),
        ("board_relation", ["11"], "11", {"item_ids": [11]}, {"linked_item_ids": [11]}, ["11"]),
        ("hour", "9:05", "09:05", {"hour": 9, "minute": 5}, hour_read, "09:05"),
        ("checkbox", False, "false", None, {"value": None, "text": ""}, False),
    ]
    for kind, value, csv_cell, mutation, read, neutral in cases:
        assert cell(kind, value) == csv_cell, kind
        assert mutation_value(kind, value) == mutation, kind
        assert neutral_of(kind, read) == neutral, kind
    assert cell("status", None) == "" and mutation_value("email", "") is None


def test_a_lost_answer_to_notes_is_settled_by_their_markers_before_any_resend(
    stand_in: RunningServer,
):
    setup = StandInClient(stand_in.url)
    board, groups = new_board(setup, "Notes")
    item = Mutations(setup, "run-2").write(board, TYPES, [BoardRow("k1", "K1", groups[0], {})])
    item_id = item.item_ids["k1"]
    client = DropFirstAnswer(stand_in)
    notes = [
        Note("n1", item_id, "first [bizstim:n1]", "2023-05-01T10:00:00Z"),
        Note("n2", item_id, "second [bizstim:n2]"),
    ]

    outcome = Updates(client).write(notes)

    assert client.dropped and len(client.keys) == 2  # the lost document, then the read
    stored = call(setup, documents.ITEM_UPDATES, ids=[item_id], page=1)["items"][0]["updates"]
    assert sorted(u["body"] for u in stored) == ["first [bizstim:n1]", "second [bizstim:n2]"]
    by_marker = {marker_of(u["body"]): u["id"] for u in stored}
    assert outcome.item_ids == by_marker and outcome.unanswered == []
