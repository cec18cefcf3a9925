"""Push the marts to Twenty: dependency order, batches at the server's cap, upsert, ledger.

Per object: read the mart, list what Twenty already holds (:mod:`load.core.plan`), resolve relation
columns to Twenty ids from the ledger, then send the rows that changed in batches of the
detected cap with ``?upsert=true`` keyed on ``bizstimId``. Every batch is written to the ledger
as ``pending`` before it is sent and settled after the answer. A batch Twenty refuses (400) is
split in halves until the refused record(s) are alone; those are quarantined with Twenty's
message and every other record still lands. Upserts are idempotent, so a batch whose
connection dropped after the server committed it is simply sent again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from load.core.answers import pair_answers, read_back
from load.core.ledger import Entry, Ledger
from load.core.marts import MartRow, read_mart
from load.core.plan import Planned, Snapshot, deterministic_id, plan_row, unique_keys
from load.twenty.catalog import EXTERNAL_ID_FIELD, Catalog
from load.twenty.client import TwentyClient, TwentyError
from load.twenty.composites import complete
from load.twenty.normalise import stored_key
from load.twenty.specs import LoadSpec
from load.twenty.workspace import Workspace

ACTIONS = ("created", "updated", "restored", "unchanged", "quarantined")


@dataclass
class ObjectResult:
    object: str
    mart_rows: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    quarantine: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # live in Twenty, gone from the mart
    archived: int = 0
    unexpected: list[str] = field(default_factory=list)  # answer rows no input carried


class Progress:
    def start(self, obj: str, total: int) -> None: ...

    def advance(self, obj: str, n: int) -> None: ...


class Loader:
    def __init__(
        self,
        client: TwentyClient,
        workspace: Workspace,
        catalog: Catalog,
        ledger: Ledger,
        run_id: str,
        dry_run: bool = False,
        progress: Progress | None = None,
        archive_missing: bool = False,
    ) -> None:
        self.client = client
        self.workspace = workspace
        self.catalog = catalog
        self.ledger = ledger
        self.run_id = run_id
        self.dry_run = dry_run
        self.progress = progress or Progress()
        self.archive_missing = archive_missing
        self._pending: list[dict[str, Any]] | None = None
        self.ids: dict[tuple[str, str], str] = {}  # (object, external id) → Twenty id
        self._types: dict[str, dict[str, str]] = {}  # object → field name → Twenty type
        # Bizstim user external id → workspace member id (load.twenty.session.match_owners); a user
        # with no member is absent, so the record is sent without owner, never refused.
        self.owner_members: dict[str, str] = {}

    # -- relations ----------------------------------------------------------------------------
    def relation_target(self, spec: LoadSpec, name: str) -> tuple[str, str]:
        """(join column, target object) for a mart relation column."""
        if spec.singular == "noteTarget":
            if name == "note":
                return "noteId", "note"
            return self.workspace.note_target_person_field, "person"
        for f in self.catalog.fields_of(spec.singular):
            if f.name == name and f.relation_target:
                return f"{name}Id", f.relation_target
        raise RuntimeError(f"{spec.mart}: column {name}__external_id is not a known relation")

    def payload_for(self, spec: LoadSpec, row: MartRow) -> tuple[dict[str, Any], str | None]:
        types = self._types.get(spec.singular)
        if types is None:
            types = {f.name: f.type for f in self.catalog.fields_of(spec.singular)}
            self._types[spec.singular] = types
        payload = complete(row.payload, types)  # composites sent whole (rule 11)
        if spec.upserts:
            payload[EXTERNAL_ID_FIELD] = row.external_id
        else:
            payload["id"] = deterministic_id(spec.singular, row.external_id)
        for name, target_external in row.relations.items():
            column, target = self.relation_target(spec, name)
            if target_external is None:
                payload[column] = None
                continue
            target_id = self.ids.get((target, target_external))
            if target_id is None:
                return (
                    payload,
                    f"related {target} {target_external} is not in Twenty (quarantined?)",
                )
            payload[column] = target_id
        if row.has_owner:
            payload["ownerId"] = (
                self.owner_members.get(row.owner_user) if row.owner_user is not None else None
            )
        return payload, None

    # -- per object ---------------------------------------------------------------------------
    def snapshot(self, spec: LoadSpec) -> Snapshot:
        if spec.singular not in self.workspace.objects:  # dry run before schema setup
            return Snapshot()
        plural = self.workspace.plural(spec.singular)
        live = self.client.list_all(plural)
        deleted = self.client.list_all(plural, filter_="deletedAt[is]:NOT_NULL")
        keys = self._keys(spec)
        return Snapshot.build(live, deleted, keys)

    def resolve_pending(self, spec: LoadSpec, snapshot: Snapshot) -> int:
        """Settle what a killed run left pending: a record Twenty now holds did land (with the
        action and before-image planned before it was sent); the others never did."""
        if self._pending is None:  # once per run: only an earlier, killed run leaves these
            self._pending = self.ledger.pending()
        pending = [p for p in self._pending if p["object"] == spec.singular]
        if not pending:
            return 0
        by_external: dict[str, str] = {}
        for record in [*snapshot.live.values(), *snapshot.deleted.values()]:
            if spec.upserts and record.get(EXTERNAL_ID_FIELD):
                by_external[record[EXTERNAL_ID_FIELD]] = record["id"]
        landed, lost = [], []
        for row in pending:
            twenty_id = (
                by_external.get(row["external_id"])
                if spec.upserts
                else deterministic_id(spec.singular, row["external_id"])
            )
            if twenty_id and twenty_id in snapshot.live:
                landed.append((row["seq"], twenty_id))
            else:
                lost.append(row["seq"])
        self.ledger.settle([s for s, _ in landed], [t for _, t in landed], "committed")
        self.ledger.settle(lost, [None] * len(lost), "failed")
        return len(landed)

    def _keys(self, spec: LoadSpec) -> list[str]:
        if not spec.upserts:
            return []
        fields = [(f.name, f.type) for f in self.catalog.fields_of(spec.singular) if f.is_unique]
        return unique_keys(fields)

    def plan(self, spec: LoadSpec, rows: Sequence[MartRow], snapshot: Snapshot) -> list[Planned]:
        known = self.ledger.current(spec.singular)
        for external_id, entry in known.items():
            if entry["twenty_id"] and entry["twenty_id"] in snapshot.live:
                self.ids[(spec.singular, external_id)] = entry["twenty_id"]
        keys = self._keys(spec)
        planned = []
        for row in rows:
            payload, problem = self.payload_for(spec, row)
            if problem:
                planned.append(Planned(row, payload, "quarantined", message=problem))
                continue
            item = plan_row(row, payload, known.get(row.external_id), snapshot, keys)
            if self.dry_run and item.action != "unchanged":
                self.ids[(spec.singular, row.external_id)] = item.twenty_id or "(new)"
            planned.append(item)
        return planned

    def load(self, spec: LoadSpec) -> ObjectResult:
        rows = read_mart(self.ledger, spec.relation)
        result = ObjectResult(spec.singular, mart_rows=len(rows))
        snapshot = self.snapshot(spec)
        if not self.dry_run:
            self.resolve_pending(spec, snapshot)
        planned = self.plan(spec, rows, snapshot)
        self.progress.start(spec.singular, len(planned))
        to_send = [p for p in planned if p.action in ("created", "updated", "restored")]
        settled = [p for p in planned if p.action in ("unchanged", "quarantined")]
        for item in settled:
            result.actions[item.action] += 1
            if item.action == "unchanged":
                self.ids[(spec.singular, item.row.external_id)] = item.twenty_id or ""
            else:
                result.quarantine.append((item.row.external_id, item.message or ""))
        if not self.dry_run:
            self.ledger.record(self.run_id, [self._entry(spec, p) for p in settled])
        self.progress.advance(spec.singular, len(settled))
        result.missing = self.missing(spec, rows)
        if self.dry_run:
            result.actions.update(p.action for p in to_send)
            self.progress.advance(spec.singular, len(to_send))
            return result
        cap = self.workspace.batch_cap
        queue = [to_send[i : i + cap] for i in range(0, len(to_send), cap)]
        while queue:
            batch = queue.pop(0)
            if len(batch) > self.workspace.batch_cap:  # the server named a smaller cap
                cap = self.workspace.batch_cap
                queue[:0] = [batch[i : i + cap] for i in range(0, len(batch), cap)]
                continue
            queue[:0] = self._send(spec, batch, result)
        if self.archive_missing and result.missing:
            result.archived = self.archive(spec, result.missing)
        return result

    def missing(self, spec: LoadSpec, rows: Sequence[MartRow]) -> list[str]:
        """External ids the ledger holds as live in Twenty that the current mart no longer
        has: the source row disappeared (or is now quarantined or out of a pilot sample)."""
        in_mart = {row.external_id for row in rows}
        current = self.ledger.current(spec.singular)
        return sorted(
            ext
            for ext, entry in current.items()
            if ext not in in_mart
            and entry["action"] in ("created", "updated", "restored", "unchanged")
        )

    def archive(self, spec: LoadSpec, external_ids: Sequence[str]) -> int:
        """Soft-delete records gone from the source (recoverable in Twenty's trash)."""
        current = self.ledger.current(spec.singular)
        plural = self.workspace.plural(spec.singular)
        rows = [current[e] for e in external_ids if current[e]["twenty_id"]]
        for i in range(0, len(rows), 100):  # MUTATION_MAXIMUM_AFFECTED_RECORDS
            chunk = rows[i : i + 100]
            ids = ",".join(r["twenty_id"] for r in chunk)
            self.client.request(
                "DELETE",
                f"/rest/{plural}",
                params={"filter": f"id[in]:[{ids}]", "soft_delete": "true"},
            )
            self.ledger.record(
                self.run_id,
                [
                    Entry(
                        spec.singular, r["external_id"], "archived", r["twenty_id"], r["row_hash"]
                    )
                    for r in chunk
                ],
            )
        return len(rows)

    def _entry(self, spec: LoadSpec, item: Planned, twenty_id: str | None = None) -> Entry:
        return Entry(
            object=spec.singular,
            external_id=item.row.external_id,
            action=item.action,
            twenty_id=twenty_id or item.twenty_id,
            row_hash=item.row.row_hash,
            before_image=item.before_image,
            message=item.message,
        )

    def _send(
        self, spec: LoadSpec, batch: list[Planned], result: ObjectResult
    ) -> list[list[Planned]]:
        """Send one batch; returns the sub-batches still to send (after a refusal)."""
        seqs = self.ledger.record(self.run_id, [self._entry(spec, p) for p in batch], "pending")
        plural = self.workspace.plural(spec.singular)
        result.batches += 1
        try:
            body = self.client.request(
                "POST",
                f"/rest/batch/{plural}",
                params={"upsert": "true"},
                json=[p.payload for p in batch],
            )
        except TwentyError as exc:
            self.ledger.settle(seqs, [None] * len(batch), "failed")
            if exc.status != 400:
                raise
            message = "; ".join(exc.messages)
            if self.workspace.adopt_cap_from(message):
                return [batch]
            if len(batch) == 1:
                item = batch[0]
                item.action, item.message = "quarantined", message
                self.ledger.record(self.run_id, [self._entry(spec, item)])
                result.actions["quarantined"] += 1
                result.quarantine.append((item.row.external_id, message))
                self.progress.advance(spec.singular, 1)
                return []
            half = len(batch) // 2
            return [batch[:half], batch[half:]]
        except BaseException:
            self.ledger.settle(seqs, [None] * len(batch), "failed")
            raise
        records = next(iter(body["data"].values()))
        self._settle_answer(spec, batch, seqs, records, result)
        self.progress.advance(spec.singular, len(batch))
        return []

    def _settle_answer(
        self,
        spec: LoadSpec,
        batch: list[Planned],
        seqs: list[int],
        records: list[dict[str, Any]],
        result: ObjectResult,
    ) -> None:
        """Give each input the id of the answer row carrying its key (rules 8 and 9, see
        :mod:`load.core.answers`); an input without one is read back from Twenty, and is
        quarantined if Twenty does not hold it; an answer row no input carries is recorded as
        an error."""
        key = EXTERNAL_ID_FIELD if spec.upserts else "id"
        pairing = pair_answers(key, [p.payload for p in batch], records)
        found: dict[Any, dict[str, Any]] = {}
        if pairing.unanswered:
            wanted = [stored_key(key, batch[i].payload[key]) for i in pairing.unanswered]
            found = read_back(self.client, self.workspace.plural(spec.singular), key, wanted)
        landed: list[tuple[int, str]] = []
        lost: list[int] = []
        for index, item in enumerate(batch):
            record = pairing.paired.get(index) or found.get(stored_key(key, item.payload[key]))
            if record is None:
                lost.append(index)
                continue
            landed.append((seqs[index], record["id"]))
            self.ids[(spec.singular, item.row.external_id)] = record["id"]
            result.actions[item.action] += 1
        self.ledger.settle([s for s, _ in landed], [t for _, t in landed], "committed")
        self.ledger.settle([seqs[i] for i in lost], [None] * len(lost), "failed")
        for index in lost:
            item = batch[index]
            self.ids.pop((spec.singular, item.row.external_id), None)
            item.action, item.twenty_id = "quarantined", None
            item.message = (
                f"Twenty's answer to its batch did not hold it and no record has its {key}: "
                "another input of the batch matched the same record (rule 9)"
            )
            self.ledger.record(self.run_id, [self._entry(spec, item)])
            result.actions["quarantined"] += 1
            result.quarantine.append((item.row.external_id, item.message))
        for row in pairing.unexpected:
            message = (
                f"Twenty answered with a record no input of the batch carries ({key} "
                f"{row.get(key)!r})"
            )
            entry = Entry(
                spec.singular, str(row.get(key)), "unexpected", row.get("id"), message=message
            )
            self.ledger.record(self.run_id, [entry], "failed")
            result.unexpected.append(message)


def run_load(
    loader: Loader,
    specs: Sequence[LoadSpec],
    on_object: Callable[[ObjectResult], None] | None = None,
) -> list[ObjectResult]:
    results = []
    for spec in specs:
        result = loader.load(spec)
        results.append(result)
        if on_object is not None:
            on_object(result)
    return results
