"""The loader pairs a batch's answer with its inputs by key (rules 8 and 9), and sends
composites whole (rule 11).

A fake Twenty answers the way real Twenty's create-many runner does: matched rows first, then
inserted ones, one row per existing record however many inputs matched it. Positional pairing
gives the wrong ids on each of these; pairing by key must not.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from common.settings import TwentySettings
from load.core.answers import pair_answers
from load.core.ledger import Ledger
from load.core.loader import Loader, ObjectResult
from load.core.marts import MartRow
from load.core.plan import Planned, Snapshot, deterministic_id, plan_row
from load.twenty.adapter import TwentyDestination
from load.twenty.catalog import Catalog, FieldSpec
from load.twenty.composites import PartialComposite, complete
from load.twenty.normalise import stored_key
from load.twenty.specs import NOTE_TARGETS, PEOPLE
from load.twenty.workspace import ObjectMeta, Workspace


class RealOrderTwenty:
    """Upserts on bizstimId / id / e-mail (lower-cased) and answers matched rows first."""

    def __init__(self, key: str = "bizstimId") -> None:
        self.key = key
        self.rows: dict[str, dict[str, Any]] = {}  # id → record
        self.extra_answer: list[dict[str, Any]] = []
        self.reads: list[str] = []

    def _match(self, data: dict[str, Any]) -> str | None:
        for rid, row in self.rows.items():
            if data.get("id") and data["id"].lower() == rid:
                return rid
            if data.get("bizstimId") and row.get("bizstimId") == data["bizstimId"]:
                return rid
            mail = (data.get("emails") or {}).get("primaryEmail")
            if mail and (row.get("emails") or {}).get("primaryEmail") == mail.lower():
                return rid
        return None

    def request(self, method: str, path: str, params=None, json=None, **_: Any) -> Any:
        assert method == "POST" and params == {"upsert": "true"}
        matched: list[str] = []
        inserted: list[str] = []
        for data in json:
            stored = {**data}
            if "emails" in stored:
                stored["emails"] = {**stored["emails"]}
                stored["emails"]["primaryEmail"] = stored["emails"]["primaryEmail"].lower()
            rid = self._match(stored)
            if rid is None:
                rid = (data.get("id") or str(uuid.uuid4())).lower()
                self.rows[rid] = {"id": rid}
                inserted.append(rid)
            elif rid not in matched and rid not in inserted:
                matched.append(rid)
            self.rows[rid].update({k: v for k, v in stored.items() if k != "id"})
        answer = [dict(self.rows[r]) for r in matched + inserted] + self.extra_answer
        return {"data": {"createPeople": answer}}

    def list_all(self, plural: str, filter_: str | None = None, page: int = 200) -> list[dict]:
        self.reads.append(filter_ or "")
        return [r for r in self.rows.values() if f'"{r.get(self.key)}"' in (filter_ or "")]


def _loader(tmp_path: Path, client: Any) -> Loader:
    fields = [
        FieldSpec("person", "emails", "EMAILS", "Emails", False, True),
        FieldSpec("person", "name", "FULL_NAME", "Name", False),
        FieldSpec("person", "homeAddress", "ADDRESS", "Home address", True),
        FieldSpec("person", "bizstimId", "TEXT", "Bizstim id", True, True),
    ]
    objects = {
        "person": ObjectMeta("o1", "person", "people", False),
        "noteTarget": ObjectMeta("o2", "noteTarget", "noteTargets", False),
    }
    workspace = Workspace(objects, "v2", 60, "personId", "RICH_TEXT_V2", "list")
    ledger = Ledger(tmp_path / "ledger.duckdb", flush_interval=0)
    destination = TwentyDestination(
        client, workspace, Catalog([], fields), ledger, TwentySettings("http://twenty", "k")
    )
    return Loader(destination, ledger, "run-1")


def _planned(loader: Loader, ext: str, mail: str, action: str = "created") -> Planned:
    row = MartRow(ext, f"hash-{ext}", {"emails": {"primaryEmail": mail}}, {})
    payload, problem = loader.payload_for(PEOPLE, row)
    assert problem is None
    return Planned(row, payload, action)


def _ledger_rows(loader: Loader) -> dict[str, dict[str, Any]]:
    loader.ledger.flush()
    return loader.ledger.current("person")


def test_pairing_by_key_survives_matched_first_order():
    inputs = [{"bizstimId": "new-1"}, {"bizstimId": "old-1"}, {"bizstimId": "new-2"}]
    answer = [{"id": "a", "bizstimId": "old-1"}, {"id": "b", "bizstimId": "new-1"}]
    answer.append({"id": "c", "bizstimId": "new-2"})
    pairing = pair_answers("bizstimId", inputs, answer, stored_key)
    assert {i: r["id"] for i, r in pairing.paired.items()} == {0: "b", 1: "a", 2: "c"}
    assert pairing.unanswered == [] and pairing.unexpected == []


def test_ids_are_compared_the_way_twenty_stores_them():
    ident = str(uuid.uuid5(uuid.NAMESPACE_URL, "x"))
    pairing = pair_answers("id", [{"id": ident.upper()}], [{"id": ident}], stored_key)
    assert pairing.paired[0]["id"] == ident


def test_a_delta_batch_mixing_updates_and_creates_gets_each_record_its_own_id(tmp_path):
    twenty = RealOrderTwenty()
    loader = _loader(tmp_path, twenty)
    first = [_planned(loader, f"p{i}", f"p{i}@x.io") for i in range(3)]
    loader._send(PEOPLE, first, ObjectResult("person"))
    # one batch: a create sorted before two updates; Twenty answers the updates first
    batch = [_planned(loader, "p0-new", "new@x.io")]
    batch += [_planned(loader, f"p{i}", f"P{i}@X.io", "updated") for i in (1, 2)]
    result = ObjectResult("person")
    loader._send(PEOPLE, batch, result)
    by_bizstim = {r["bizstimId"]: r["id"] for r in twenty.rows.values()}
    for ext in ("p0", "p1", "p2", "p0-new"):
        assert loader.ids[("person", ext)] == by_bizstim[ext]
        assert _ledger_rows(loader)[ext]["record_id"] == by_bizstim[ext]
    assert result.actions == {"updated": 2, "created": 1}
    assert twenty.reads == []  # every input answered: nothing read back


def test_two_inputs_matching_one_record_are_settled_by_reading_back(tmp_path):
    twenty = RealOrderTwenty()
    loader = _loader(tmp_path, twenty)
    loader._send(PEOPLE, [_planned(loader, "a", "same@x.io")], ObjectResult("person"))
    # b carries a's e-mail in another case: Twenty updates a's record with both (rule 9)
    batch = [_planned(loader, "a", "same@x.io", "updated"), _planned(loader, "b", "SAME@x.io")]
    result = ObjectResult("person")
    loader._send(PEOPLE, batch, result)
    assert len(twenty.rows) == 1
    assert twenty.reads == ['bizstimId[in]:["a"]']  # the unanswered input, read back by key
    ledger = _ledger_rows(loader)
    (record,) = twenty.rows.values()
    assert record["bizstimId"] == "b" and ledger["b"]["record_id"] == record["id"]
    assert ledger["a"]["action"] == "quarantined" and "rule 9" in ledger["a"]["message"]
    assert ("person", "a") not in loader.ids or loader.ids[("person", "a")] != record["id"]
    assert result.actions == {"created": 1, "quarantined": 1}


def test_an_unanswered_input_twenty_holds_is_settled_from_the_read_back(tmp_path):
    twenty = RealOrderTwenty()
    loader = _loader(tmp_path, twenty)
    real_request = twenty.request

    def answer_drops_first(*args: Any, **kwargs: Any) -> Any:
        body = real_request(*args, **kwargs)
        body["data"]["createPeople"] = body["data"]["createPeople"][1:]
        return body

    twenty.request = answer_drops_first  # type: ignore[method-assign]
    batch = [_planned(loader, "x", "x@x.io"), _planned(loader, "y", "y@x.io")]
    result = ObjectResult("person")
    loader._send(PEOPLE, batch, result)
    by_bizstim = {r["bizstimId"]: r["id"] for r in twenty.rows.values()}
    assert twenty.reads == ['bizstimId[in]:["x"]']
    assert loader.ids[("person", "x")] == by_bizstim["x"]
    assert _ledger_rows(loader)["x"]["record_id"] == by_bizstim["x"]
    assert result.actions == {"created": 2}


def test_an_answer_row_no_input_carries_is_an_error_in_the_ledger(tmp_path):
    twenty = RealOrderTwenty()
    twenty.extra_answer = [{"id": str(uuid.uuid4()), "bizstimId": "stranger"}]
    loader = _loader(tmp_path, twenty)
    result = ObjectResult("person")
    loader._send(PEOPLE, [_planned(loader, "k", "k@x.io")], result)
    assert len(result.unexpected) == 1 and "stranger" in result.unexpected[0]
    loader.ledger.flush()
    rows = loader.ledger.query(
        "select action, state, message from migration.ledger where external_id = 'stranger'"
    )
    assert [(r["action"], r["state"]) for r in rows] == [("unexpected", "failed")]
    assert result.actions == {"created": 1}


def test_deterministic_id_specs_pair_on_id(tmp_path):
    twenty = RealOrderTwenty(key="id")
    loader = _loader(tmp_path, twenty)
    items = []
    for ext in ("t1", "t2"):
        row = MartRow(ext, "h", {}, {})
        items.append(Planned(row, {"id": deterministic_id("noteTarget", ext).upper()}, "created"))
    twenty.rows[deterministic_id("noteTarget", "t2")] = {"id": deterministic_id("noteTarget", "t2")}
    loader._send(NOTE_TARGETS, items, ObjectResult("noteTarget"))
    for ext in ("t1", "t2"):
        assert loader.ids[("noteTarget", ext)] == deterministic_id("noteTarget", ext)


def test_composites_are_sent_whole_and_unknown_parts_refused(tmp_path):
    loader = _loader(tmp_path, RealOrderTwenty())
    row = MartRow("w", "h", {"homeAddress": {"addressCity": "Lyon"}, "emails": None}, {})
    payload, _ = loader.payload_for(PEOPLE, row)
    assert payload["homeAddress"]["addressCity"] == "Lyon"
    assert set(payload["homeAddress"]) >= {"addressStreet1", "addressLat", "addressLng"}
    assert payload["emails"] is None
    name = complete({"name": {"firstName": "Ada"}}, {"name": "FULL_NAME"})["name"]
    assert name == {"firstName": "Ada", "lastName": ""}
    with pytest.raises(PartialComposite):
        complete({"emails": {"primary": "a@x.io"}}, {"emails": "EMAILS"})


def test_plan_matches_keys_as_twenty_stores_them():
    """A mart e-mail differing by case from a record's is the update Twenty will make (rule 1),
    planned with its before-image, not a create."""
    record = {"id": str(uuid.uuid4()), "bizstimId": "old", "emails": {"primaryEmail": "a@x.io"}}
    snapshot = Snapshot.build([record], [], ["bizstimId", "emails.primaryEmail"], stored_key)
    row = MartRow("new", "h", {}, {})
    payload = {"bizstimId": "new", "emails": {"primaryEmail": "A@X.io"}}
    planned = plan_row(row, payload, None, snapshot, ["bizstimId", "emails.primaryEmail"])
    assert (planned.action, planned.record_id) == ("updated", record["id"])
    assert planned.before_image == record
