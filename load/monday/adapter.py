"""monday CRM as a destination: the adapter contract over its GraphQL API (destinations-2.md §4).

What the core asks and how monday answers it:

* **Keys**: every board has the text column ``bizstim_id`` (the mart's ``external_id``), the
  column ``ingest_items`` upserts on; updates (notes) end their body with ``[bizstim:<id>]``.
* **Reads**: a board whole, 500 items a call (:mod:`load.monday.reads`); updates by their
  Contacts items, only those the ledger holds notes on (a first load reads none).
* **Writes**: a board's changes at or above ``MONDAY_INGEST_THRESHOLD`` rows (default 50) as
  ``ingest_items`` jobs of up to 10 000 rows per group (:mod:`load.monday.ingest`), below it,
  and for rows an ingest cannot express, as aliased ``create_item`` /
  ``change_multiple_column_values`` documents with an ``Idempotency-Key``
  (:mod:`load.monday.mutations`). An ingest UPSERT writes only the cells it is given, so an
  update that empties a value the board holds goes by mutation (which sends null). Notes are
  aliased ``create_update`` with ``original_creation_date`` (:mod:`load.monday.updates`).
  Outcomes come back per Bizstim id and become the core's :class:`WriteAnswer`; a row monday
  refuses (a missing status label: ``ColumnValueException``) is quarantined with its words.
* **Board capacity**: a board holds 10 000 live items (``MONDAY_BOARD_CAPACITY``; monday's
  errors page, per-plan values unconfirmed). A board whose items would pass it is refused
  before anything is sent, naming the board and the counts: splitting a board silently would
  scatter the customer's records.
* **Owners**: Bizstim users matched by e-mail to the account's active users (``users``); a
  person's own user goes in the ``owner`` people column; users are never invited (seats).
* **Rollback**: ``bulk_delete_items`` (an async job, polled with ``job_status``) for what the
  load created, ``change_multiple_column_values`` back to the before-image for what it
  updated, ``delete_update`` for notes; ``rollback --schema`` deletes the boards it created.
  monday's API restores nothing from the trash (``unarchive`` says so).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from common.settings import MondaySettings
from load.core.destination import OwnerMatch, SetupReport, WriteAnswer
from load.core.ledger import LIVE_ACTIONS, SCHEMA, Ledger
from load.core.marts import MartRow
from load.core.owners import match_by_email
from load.core.pacing import RequestStats
from load.core.plan import Planned, Snapshot
from load.core.specs import LoadSpec
from load.monday import documents, reads, schema
from load.monday.budget import ItemsHour
from load.monday.client import MondayClient
from load.monday.ingest import Ingest
from load.monday.mutations import BoardRow, Mutations, Outcome, items_by_bizstim_id
from load.monday.specs import KEY, LOAD_ORDER, board_key, is_update
from load.monday.updates import Note, Updates
from load.monday.upkeep import ReconcileAndRollback

INGEST_ROWS = 10_000
DEFAULT_THRESHOLD = 50
DEFAULT_CAPACITY = 10_000


class BoardFull(RuntimeError):
    """A board would hold more live items than monday allows."""


class MondayDestination(ReconcileAndRollback):
    name = "monday"
    display_name = "monday CRM"
    user_noun = "active monday user"
    bin_name = "trash"
    specs: tuple[LoadSpec, ...] = LOAD_ORDER

    def __init__(self, client: MondayClient, ledger: Ledger, settings: MondaySettings) -> None:
        self.client, self.ledger, self.settings = client, ledger, settings
        self.wanted = schema.wanted_columns(ledger)
        self.boards: dict[str, schema.Board] = {}
        self.owner_users: dict[str, str] = {}
        self.threshold = int(os.environ.get("MONDAY_INGEST_THRESHOLD") or DEFAULT_THRESHOLD)
        self.capacity = int(os.environ.get("MONDAY_BOARD_CAPACITY") or DEFAULT_CAPACITY)
        self.ingest = Ingest(client, ItemsHour(client.allowance))
        self.run_id = "run"
        self.paths = {"ingest": 0, "mutations": 0}

    # -- identity ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.settings.api_url

    @property
    def generation(self) -> str:
        return f"GraphQL API-Version {self.client.version}"

    @property
    def stats(self) -> RequestStats:
        return self.client.stats

    def close(self) -> None:
        self.client.close()

    def facts(self) -> dict[str, Any]:
        allowance = self.client.allowance
        return {
            "generation": self.generation,
            "daily_calls": allowance.daily,
            "daily_calls_source": allowance.source,
            "stops_at_calls": allowance.stop_at,
            "calls_today": self.client.daily.used,
            "ingest_jobs": len(self.ingest.jobs),
            "ingest_polls": self.ingest.polls,
            "rows_by_path": dict(self.paths),
        }

    def describe(self) -> str:
        allowance = self.client.allowance
        return (
            f"monday CRM {self.url} ({self.generation}): ingest_items jobs of up to "
            f"{INGEST_ROWS:,} rows from {self.threshold} changed rows a board, aliased "
            f"mutations below; at most {allowance.stop_at:,} of {allowance.daily:,} calls a "
            f"day ({allowance.source}), {self.client.daily.used:,} used today"
        )

    def unconfirmed_mappings(self) -> list[str]:
        return []

    # -- schema and owners ------------------------------------------------------------------
    def setup_schema(self, run_id: str) -> SetupReport:
        self.run_id = self.ingest.run_id = run_id
        workspace = os.environ.get("MONDAY_WORKSPACE_ID") or None
        self.boards, report = schema.setup(self.client, self.ledger, run_id, workspace)
        return report

    def board(self, spec: LoadSpec) -> schema.Board:
        if not self.boards:  # reconcile and rollback read the boards; they never create them
            self.boards = schema.existing(self.client, self.ledger)
        key = board_key(spec)
        if key not in self.boards:
            raise RuntimeError(
                f"monday holds no board for {spec.singular} (seeds/monday_boards.csv): "
                "nothing of it was loaded, or the board was deleted"
            )
        return self.boards[key]

    def types(self, spec: LoadSpec) -> dict[str, str]:
        return self.board(spec).types(self.wanted)

    def remove_schema(self) -> list[str]:
        return schema.remove(self.client, self.ledger)

    def match_owners(self, run_id: str | None = None) -> OwnerMatch:
        users, page = [], 1
        while True:
            batch = self.client.query(documents.USERS, {"page": page}).get("users") or []
            users += batch
            if len(batch) < 500:
                break
            page += 1
        active = {
            str(u["email"]).lower(): str(u["id"])
            for u in users
            if u.get("email") and u.get("status", "ACTIVE") == "ACTIVE"
        }
        inactive = {str(u["email"]).lower() for u in users if u.get("email")} - set(active)
        return match_by_email(
            self.ledger,
            run_id,
            active,
            lambda email: "their monday user is not active" if email in inactive else None,
        )

    def use_owners(self, members: Mapping[str, str]) -> None:
        self.owner_users = {k: v for k, v in members.items() if v}

    # -- reads ------------------------------------------------------------------------------
    def has_object(self, spec: LoadSpec) -> bool:
        return spec in LOAD_ORDER

    def unique_keys(self, spec: LoadSpec) -> list[str]:
        return [KEY]

    def records(self, spec: LoadSpec) -> list[dict[str, Any]]:
        if is_update(spec):
            return reads.updates_on(self.client, self.note_items(every=False))
        return reads.board_items(self.client, self.board(spec).id, self.types(spec))

    def note_items(self, every: bool) -> list[str]:
        """Contacts item ids the ledger holds notes on (``every``: all the mart's)."""
        known = (
            ""
            if every
            else (
                f"and exists (select 1 from {SCHEMA}.ledger l where l.destination = 'monday' "
                "and l.object = 'update' and l.external_id = m.external_id)"
            )
        )
        rows = self.ledger.query(
            "select distinct c.record_id from marts.monday__updates m "
            f"join {SCHEMA}.ledger_current c on c.destination = 'monday' "
            "and c.object = 'contact' and c.external_id = m.item__external_id "
            f"where c.record_id is not null and c.action in {tuple(LIVE_ACTIONS)} {known}"
        )
        return sorted(str(r["record_id"]) for r in rows)

    def read(self, spec: LoadSpec) -> Snapshot:
        return Snapshot.build(self.records(spec), [], [KEY], self.key_value)

    def relation_target(self, spec: LoadSpec, name: str) -> tuple[str, str]:
        if is_update(spec):
            return "item_id", "contact"
        column = next((c for c in self.wanted if c.board == board_key(spec) and c.id == name), None)
        if column is None or column.type != "board_relation" or not column.relation_board:
            raise RuntimeError(f"{spec.mart}: {name}__external_id is no board_relation column")
        target = next(s.singular for s in LOAD_ORDER if board_key(s) == column.relation_board)
        return name, target

    def shape(self, spec: LoadSpec, row: MartRow, related: Mapping[str, str | None]) -> dict:
        if is_update(spec):
            return {
                KEY: row.external_id,
                "body": row.payload.get("body"),
                "original_creation_date": row.payload.get("original_creation_date"),
                "item_id": related.get("item"),
            }
        payload: dict[str, Any] = {
            KEY: row.external_id,
            "name": row.payload.get("name"),
            "group_title": row.payload.get("group_title"),
        }
        for column_id, column_type in self.types(spec).items():
            if column_type == "board_relation":
                target = related.get(column_id)
                payload[column_id] = [target] if target else None
            elif column_type == "people":
                user = self.owner_users.get(row.owner_user or "")
                payload[column_id] = [user] if user else None
            else:
                payload[column_id] = row.payload.get(column_id)
        return payload

    def unchanged_outside_hash(self, payload: dict[str, Any], record: dict[str, Any]) -> bool:
        """Relations and the owner are ids resolved at load time (not in ``row_hash``)."""
        if "item_id" in payload:
            return True
        return all(
            reads.comparable(t, payload.get(c)) == reads.comparable(t, record.get(c))
            for c, t in self.types_of_payload(payload).items()
            if t in ("board_relation", "people")
        )

    def types_of_payload(self, payload: Mapping[str, Any]) -> dict[str, str]:
        return {c.id: c.type for c in self.wanted if c.id in payload and c.id != KEY}

    def landed_id(self, spec: LoadSpec, external_id: str, snapshot: Snapshot) -> str | None:
        ids = snapshot.by_key.get((KEY, external_id), set())
        return min(ids, key=int) if ids else None

    # -- write ------------------------------------------------------------------------------
    def batch_cap(self, spec: LoadSpec) -> int:
        return INGEST_ROWS

    def answer_key(self, spec: LoadSpec) -> str:
        return KEY

    def key_value(self, key: str, value: Any) -> Any:
        return None if value is None else str(value)

    def write(self, spec: LoadSpec, batch: Sequence[Planned]) -> WriteAnswer:
        if is_update(spec):
            return self._answer(batch, self._notes(batch))
        board, types = self.board(spec), self.types(spec)
        self._check_capacity(spec, board, batch)
        refused: dict[str, str] = {}
        rows: list[tuple[BoardRow, bool]] = []
        for item in batch:
            group = board.groups.get(str(item.payload.get("group_title")))
            if group is None:
                refused[item.payload[KEY]] = f"group {item.payload.get('group_title')!r} missing"
                continue
            values = {c: item.payload.get(c) for c in types}
            existing = item.record_id if item.action in ("updated", "restored") else None
            row = BoardRow(
                item.payload[KEY], str(item.payload.get("name")), group, values, existing
            )
            rows.append((row, self._empties(item, types)))
        by_ingest = len(rows) >= self.threshold
        ingest_rows = [r for r, empties in rows if by_ingest and not empties]
        mutation_rows = [r for r, empties in rows if not by_ingest or empties]
        outcome = Outcome(refused=refused)
        if ingest_rows:
            outcome.merge(self.ingest.upsert(board.id, types, ingest_rows))
            self.paths["ingest"] += len(ingest_rows)
        if mutation_rows:
            outcome.merge(Mutations(self.client, self.run_id).write(board.id, types, mutation_rows))
            self.paths["mutations"] += len(mutation_rows)
        return self._answer(batch, outcome)

    @staticmethod
    def _empties(item: Planned, types: Mapping[str, str]) -> bool:
        """An update that empties a value the board holds (an ingest cell cannot clear it)."""
        before = item.before_image or {}
        return any(
            reads.comparable(t, item.payload.get(c)) in (None, False, [])
            and reads.comparable(t, before.get(c)) not in (None, False, [])
            for c, t in types.items()
        )

    def _check_capacity(self, spec: LoadSpec, board: schema.Board, batch: Sequence[Planned]):
        creating = sum(1 for p in batch if p.action == "created")
        if not creating:
            return
        live = self.ledger.query(
            f"select count(*) as n from {SCHEMA}.ledger_current where destination = 'monday' "
            f"and object = ? and action in {tuple(LIVE_ACTIONS)}",
            [spec.singular],
        )[0]["n"]
        if live + creating > self.capacity:
            raise BoardFull(
                f"monday board {board.name!r} would hold {live + creating:,} items, more than "
                f"the {self.capacity:,} a board holds (MONDAY_BOARD_CAPACITY; monday's "
                "ItemsLimitationException): ask monday to raise the board's limit and set "
                "MONDAY_BOARD_CAPACITY, or split the board in seeds/monday_boards.csv"
            )

    def _notes(self, batch: Sequence[Planned]) -> Outcome:
        creates = [p for p in batch if p.action == "created"]
        outcome = Updates(self.client).write(
            [
                Note(
                    p.payload[KEY],
                    str(p.payload["item_id"]),
                    str(p.payload["body"]),
                    p.payload.get("original_creation_date"),
                )
                for p in creates
            ]
        )
        for item in (p for p in batch if p.action != "created"):
            self.client.query(
                documents.EDIT_UPDATE, {"id": item.record_id, "body": item.payload["body"]}
            )
            outcome.item_ids[item.payload[KEY]] = str(item.record_id)
        return outcome

    @staticmethod
    def _answer(batch: Sequence[Planned], outcome: Outcome) -> WriteAnswer:
        records = [{KEY: key, "id": item_id} for key, item_id in outcome.item_ids.items()]
        refused = {
            i: outcome.refused[p.payload[KEY]]
            for i, p in enumerate(batch)
            if p.payload[KEY] in outcome.refused
        }
        return WriteAnswer(records=records, refused=refused)

    def read_back(self, spec: LoadSpec, key: str, wanted: Sequence[Any]) -> dict[Any, dict]:
        if is_update(spec):
            held = reads.updates_on(self.client, self.note_items(every=True))
            return {r[KEY]: r for r in held if r[KEY] in set(wanted)}
        found = items_by_bizstim_id(self.client, self.board(spec).id, [str(w) for w in wanted])
        return {k: {KEY: k, "id": v} for k, v in found.items()}

    def archive(self, spec: LoadSpec, record_ids: Sequence[str]) -> None:
        self._bulk(spec, documents.BULK_ARCHIVE, "bulk_archive_items", record_ids)
