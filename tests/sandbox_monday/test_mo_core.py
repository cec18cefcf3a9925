"""The monday stand-in's core over HTTP (destinations-2.md §4.11 rules 1, 2, 6, 7, 11, 12, 13 and
one ingest job end to end): what a loader meets on ``POST /v2`` before any limit. Each test
names its rule and was checked to fail with that rule taken out of the stand-in (once).

One server for the module (conftest.py); the boards are made once by :func:`boards`, each test
adds the items it reads, so no test depends on another's items.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox.monday.service import MondayError, Service
from sandbox.monday.store import Store
from tests.sandbox_monday.conftest import Monday

CREATE_BOARD = """mutation($name: String!) {
  create_board(board_name: $name, board_kind: public, empty: true) { id groups { id } } }"""
CREATE_COLUMN = """mutation($board: ID!, $id: String, $title: String!, $type: ColumnType!,
  $defaults: JSON) { create_column(board_id: $board, id: $id, title: $title,
  column_type: $type, defaults: $defaults) { id type } }"""
CREATE_ITEM = """mutation($board: ID!, $name: String!, $values: JSON, $labels: Boolean) {
  create_item(board_id: $board, item_name: $name, column_values: $values,
  create_labels_if_missing: $labels) { id name state } }"""
ITEMS = """query($ids: [ID!]) { items(ids: $ids) { id name state column_values { id text value
  ... on BoardRelationValue { linked_item_ids } } updates { id body created_at } } }"""
PAGE = """query($board: ID!, $limit: Int!) { boards(ids: [$board]) {
  items_page(limit: $limit) { cursor items { id } } } }"""
NEXT_PAGE = """query($cursor: String!, $limit: Int!) {
  next_items_page(cursor: $cursor, limit: $limit) { cursor items { id } } }"""


def _board(monday: Monday, name: str, columns: list[tuple[str, str, Any]]) -> str:
    board_id = str(monday.data(CREATE_BOARD, name=name)["create_board"]["id"])
    for column_id, column_type, defaults in columns:
        monday.data(
            CREATE_COLUMN,
            board=board_id,
            id=column_id,
            title=column_id.title(),
            type=column_type,
            defaults=defaults,
        )
    return board_id


@pytest.fixture(scope="module")
def boards(monday: Monday) -> dict[str, str]:
    contacts = _board(
        monday,
        "Contacts",
        [
            ("bizstim_id", "text", None),
            ("stage", "status", {"labels": {"0": "Active", "1": "Lost"}}),
            ("mail", "email", None),
        ],
    )
    other = _board(monday, "Elsewhere", [("bizstim_id", "text", None)])
    relation = {"boardIds": [int(contacts)]}
    payments = _board(monday, "Payments", [("client", "board_relation", relation)])
    return {"contacts": contacts, "other": other, "payments": payments}


def _create(monday: Monday, board: str, name: str, values: Any = None, **extra: Any) -> Any:
    """create_item with ``column_values`` sent as monday takes it: a JSON *string*."""
    encoded = None if values is None else json.dumps(values)
    return monday.post(CREATE_ITEM, {"board": board, "name": name, "values": encoded, **extra})


def _new_id(monday: Monday, board: str, name: str, values: Any = None) -> str:
    answer = _create(monday, board, name, values)
    assert not answer.body.get("errors"), answer.body
    return str(answer.body["data"]["create_item"]["id"])


def test_rules_1_2_token_version_and_refused_documents_counted(monday: Monday) -> None:
    """Rule 1: ``Authorization: <token>`` without Bearer, an absent or unknown API-Version
    served as 2026-10; rule 2: a document the SDL refuses is HTTP 200 errors[] with
    GRAPHQL_VALIDATION_FAILED and a request_id, and still one of the day's calls; a root field
    the SDL has but the stand-in does not serve is an application error beside the data."""
    assert monday.post("{ me { id } }", token=None).status == 401
    bearer = monday.post("{ me { id } }", token="Bearer core-token")
    assert (bearer.status, bearer.codes) == (401, ["UNAUTHORIZED"])
    plain = monday.post("{ me { id email } }")
    assert plain.status == 200 and plain.body["data"]["me"]["id"] == "1"
    assert plain.headers["api-version"] == "2026-10"
    odd = monday.post("{ me { id } }", headers={"API-Version": "2019-01"})
    assert (odd.status, odd.headers["api-version"]) == (200, "2026-10")

    before = monday.calls_used()
    refused = monday.post("{ me { id shoe_size } }")
    assert refused.status == 200 and "data" not in refused.body
    assert refused.codes == ["GRAPHQL_VALIDATION_FAILED"]
    assert refused.body["errors"][0]["locations"] and refused.body["extensions"]["request_id"]
    assert monday.calls_used() == before + 1

    unserved = monday.post("{ me { id } tags { id } }")
    assert unserved.status == 200 and unserved.codes == ["UnsupportedByStandIn"]
    assert unserved.body["data"] == {"me": {"id": "1"}, "tags": None}
    assert unserved.body["errors"][0]["path"] == ["tags"]


def test_rule_6_item_names_and_column_ids(monday: Monday, boards: dict[str, str]) -> None:
    """Rule 6: item_name 1-255 characters; column_values a JSON string (an object refused) keyed
    by the board's column ids (an unknown id → InvalidColumnIdException, nothing created)."""
    contacts = boards["contacts"]
    assert _create(monday, contacts, "").codes == ["InvalidItemNameException"]
    assert _create(monday, contacts, "x" * 256).codes == ["ItemNameTooLongException"]
    longest = _create(monday, contacts, "y" * 255)
    assert len(longest.body["data"]["create_item"]["name"]) == 255

    as_object = monday.post(CREATE_ITEM, {"board": contacts, "name": "Ann", "values": {}})
    assert as_object.codes == ["InvalidArgumentException"]
    unknown = _create(monday, contacts, "Ann", {"bizstim_id": "c-1", "shoe": "42"})
    assert unknown.codes == ["InvalidColumnIdException"]
    assert unknown.body["data"] == {"create_item": None}
    kept = _new_id(monday, contacts, "Ann", {"bizstim_id": "c-1", "mail": {"email": "a@x.io"}})
    values = {
        v["id"]: v["text"] for v in monday.data(ITEMS, ids=[kept])["items"][0]["column_values"]
    }
    assert values == {"bizstim_id": "c-1", "stage": "", "mail": "a@x.io"}


def test_rule_6_status_labels(monday: Monday, boards: dict[str, str]) -> None:
    """Rule 6: a status label the column lacks → ColumnValueException, unless
    create_labels_if_missing: true adds it (and the next item may use it without the flag)."""
    contacts = boards["contacts"]
    missing = _create(monday, contacts, "Bo", {"stage": {"label": "Paused"}})
    assert missing.codes == ["ColumnValueException"]
    added = _create(monday, contacts, "Bo", {"stage": {"label": "Paused"}}, labels=True)
    assert not added.body.get("errors"), added.body
    again = _new_id(monday, contacts, "Cy", {"stage": {"label": "Paused"}})
    stage = monday.data(ITEMS, ids=[again])["items"][0]["column_values"][1]
    assert (stage["id"], stage["text"]) == ("stage", "Paused")


def test_rule_7_board_relation(monday: Monday, boards: dict[str, str]) -> None:
    """Rule 7: {"item_ids": [...]} only to items on the column's boardIds (else
    ColumnValueException); the read's value is null and the ids are linked_item_ids."""
    client = _new_id(monday, boards["contacts"], "Dee")
    stranger = _new_id(monday, boards["other"], "Eve")
    wrong = _create(monday, boards["payments"], "P1", {"client": {"item_ids": [int(stranger)]}})
    assert wrong.codes == ["ColumnValueException"]
    paid = _new_id(monday, boards["payments"], "P1", {"client": {"item_ids": [int(client)]}})
    (value,) = monday.data(ITEMS, ids=[paid])["items"][0]["column_values"]
    assert value["value"] is None and value["linked_item_ids"] == [client]
    assert value["text"] == "Dee"


def test_rule_11_pages_and_ids(monday: Monday, boards: dict[str, str]) -> None:
    """Rule 11: items_page limit ≤ 500 (501 refused, not cut), an opaque cursor continued by
    next_items_page until it is null; items(ids) at most 100 ids."""
    board = _board(monday, "Paged", [])
    aliases = " ".join(
        f'i{n}: create_item(board_id: {board}, item_name: "n{n}") {{ id }}' for n in range(7)
    )
    made = sorted(monday.data(f"mutation {{ {aliases} }}").values(), key=lambda i: int(i["id"]))
    assert monday.post(PAGE, {"board": board, "limit": 501}).codes == ["InvalidArgumentException"]
    page = monday.data(PAGE, board=board, limit=3)["boards"][0]["items_page"]
    seen = [i["id"] for i in page["items"]]
    while page["cursor"]:
        page = monday.data(NEXT_PAGE, cursor=page["cursor"], limit=3)["next_items_page"]
        seen += [i["id"] for i in page["items"]]
    assert seen == [i["id"] for i in made]
    assert monday.post(ITEMS, {"ids": [str(n) for n in range(1, 102)]}).codes == [
        "InvalidArgumentException"
    ]
    assert len(monday.data(ITEMS, ids=seen * 14)["items"]) == 98
    nested = "query($b: ID!) { boards(ids: [$b]) { items_page(limit: 5, query_params: "
    nested += "{groups: [{rules: []}]}) { cursor } } }"  # rule groups the stand-in does not serve
    assert monday.post(nested, {"b": board}).codes == ["UnsupportedByStandIn"]


def test_rule_12_delete_and_archive_change_state(monday: Monday) -> None:
    """Rule 12: delete_item and archive_item change the item's state; items_page stops listing
    it, items(ids) still reads it with its state (unless exclude_nonactive)."""
    board = _board(monday, "States", [])
    kept, deleted, archived = (_new_id(monday, board, n) for n in ("keep", "del", "arch"))
    monday.data("mutation($i: ID) { delete_item(item_id: $i) { id } }", i=deleted)
    monday.data("mutation($i: ID) { archive_item(item_id: $i) { id } }", i=archived)
    page = monday.data(PAGE, board=board, limit=500)["boards"][0]["items_page"]
    assert [i["id"] for i in page["items"]] == [kept]
    read = monday.data(ITEMS, ids=[kept, deleted, archived])["items"]
    assert {i["id"]: i["state"] for i in read} == {
        kept: "active",
        deleted: "deleted",
        archived: "archived",
    }
    active_only = "query($ids: [ID!]) { items(ids: $ids, exclude_nonactive: true) { id } }"
    assert monday.data(active_only, ids=[kept, deleted, archived])["items"] == [{"id": kept}]


def test_rule_13_update_keeps_original_creation_date(
    monday: Monday, boards: dict[str, str]
) -> None:
    """Rule 13: create_update stores the original_creation_date it was given."""
    item = _new_id(monday, boards["contacts"], "Flo")
    note = "mutation($i: ID, $b: String!, $d: String) { create_update(item_id: $i, body: $b, "
    note += "original_creation_date: $d) { id created_at } }"
    made = monday.data(note, i=item, b="hello [bizstim:n-1]", d="2019-03-04T05:06:07Z")
    assert made["create_update"]["created_at"] == "2019-03-04T05:06:07Z"
    (read,) = monday.data(ITEMS, ids=[item])["items"][0]["updates"]
    assert (read["body"], read["created_at"]) == ("hello [bizstim:n-1]", "2019-03-04T05:06:07Z")


def test_ingest_over_http(monday: Monday, boards: dict[str, str]) -> None:
    """Rule 9 end to end over HTTP: ingest_items, the CSV PUT to the upload URL (not a /v2 call),
    fetch_job_status until COMPLETED, the report naming every row (a bad label row invalid)."""
    board, group = boards["contacts"], "topics"
    start = """mutation($b: ID!, $g: ID!) { ingest_items(board_id: $b, group_id: $g,
      on_match: {match_column_id: "bizstim_id", behaviour: UPSERT}) { job_id upload_url } }"""
    job = monday.data(start, b=board, g=group)["ingest_items"]
    rows = "name,bizstim_id,stage\r\nGil,i-1,Active\r\nHal,i-2,Nope\r\nIda,i-3,Lost\r\n"
    put = urllib.request.Request(
        job["upload_url"], rows.encode(), {"Content-Type": "text/csv"}, method="PUT"
    )
    before = monday.calls_used()
    with urllib.request.urlopen(put, timeout=30) as resp:
        assert resp.status == 200
    assert monday.calls_used() == before
    poll = """query($j: ID!) { fetch_job_status(job_id: $j) { ... on ItemsJobStatus { status
      counts { submitted invalid created updated } report_url } } }"""
    states = []
    for _ in range(5):
        status = monday.data(poll, j=job["job_id"])["fetch_job_status"]
        states.append(status["status"])
        if status["status"] == "COMPLETED":
            break
    assert states[0] == "PROCESSING" and states[-1] == "COMPLETED"
    counts = status["counts"]
    assert (counts["submitted"], counts["invalid"], counts["created"]) == (3, 1, 2)
    with urllib.request.urlopen(status["report_url"], timeout=30) as resp:
        report = list(csv.DictReader(io.StringIO(resp.read().decode())))
    outcomes = {r["bizstim_id"]: r["outcome"] for r in report}
    assert outcomes == {"i-1": "created", "i-2": "invalid", "i-3": "created"}


def test_rules_3_4_limits_answer_over_http(monday: Monday, boards: dict[str, str]) -> None:
    """Rules 3 and 4 as the loader meets them (limits.py's arithmetic is test_mo_limits.py's):
    the minute's 10M spent by documents of 4.5M points each → 429
    COMPLEXITY_BUDGET_EXHAUSTED with Retry-After, and the next stand-in minute admits again;
    the day's last call answered, the next one 429 DAILY_LIMIT_EXCEEDED with Retry-After — and
    counted."""
    # boards without ids cost 100 per board of their limit: 4.5M, for the few boards there are
    spent = [monday.post("{ boards(limit: 45000) { id } }") for _ in range(3)]
    assert [a.status for a in spent] == [200, 200, 429]
    assert spent[2].codes == ["COMPLEXITY_BUDGET_EXHAUSTED"]
    assert int(spent[2].headers["retry-after"]) > 0
    monday.hook("/_sandbox/clock", {"advance_s": 61})
    assert monday.post("{ me { id } }").status == 200

    limit = int(monday.hook("/_sandbox/daily?account=default", method="GET")["daily_limit"])
    monday.hook("/_sandbox/daily", {"account": "default", "used": limit - 1})
    try:
        assert monday.post("{ me { id } }").status == 200
        over = monday.post("{ me { id } }")
        assert (over.status, over.codes) == (429, ["DAILY_LIMIT_EXCEEDED"])
        assert int(over.headers["retry-after"]) > 0
        assert monday.calls_used() == limit + 1
    finally:
        monday.hook("/_sandbox/daily", {"account": "default", "used": 0})


def test_rule_10_create_item_on_a_full_board(tmp_path: Path) -> None:
    """Rule 10 for create_item, in process (the ingest side is test_mo_jobs.py's): a board at its
    capacity of live items refuses the next with ItemsLimitationException; an archived item no
    longer counts, so the create after it lands."""
    store = Store(tmp_path / "monday.sqlite")
    service = Service(store, lambda: datetime(2026, 12, 4, tzinfo=UTC), board_capacity=2)
    store.add_account("acme", "t", "standard")
    board = service.create_board("acme", "Full", "public", None, None)
    first = service.create_item("acme", board, None, "a", None, False)
    service.create_item("acme", board, None, "b", None, False)
    with pytest.raises(MondayError) as full:
        service.create_item("acme", board, None, "c", None, False)
    assert full.value.code == "ItemsLimitationException"
    service.set_state("acme", first, "archived")
    assert service.create_item("acme", board, None, "c", None, False)
    store.close()
