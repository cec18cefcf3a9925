"""Push the marts to a destination: dependency order, batches at its cap, the ledger.

Per object: read the mart, read what the destination already holds (:mod:`load.core.plan`),
resolve relation columns to destination ids from the ledger, then send the rows that changed
in batches of the destination's cap through its adapter (:mod:`load.core.destination`). Every
batch is written to the ledger as ``pending`` before it is sent and settled after the answer.
A batch the destination refuses as a whole (Twenty's 400) is split in halves until the refused
record(s) are alone; those are quarantined with the destination's message and every other
record still lands. A destination that answers per record names the refused ones and the rest
settle at once. Writes are upserts on a unique key (or, for destinations without upsert, an
update of the id the plan found), so a batch whose connection dropped after the server
committed it is simply sent again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from common.settings import positive, setting
from load.core.ahead import IdMap, ahead
from load.core.answers import pair_answers
from load.core.destination import BatchRefused, CapChanged, Destination, WriteAnswer
from load.core.ledger import Entry, Ledger
from load.core.marts import (
    CHUNK_ROWS,
    RELATION_SUFFIX,
    MartRow,
    mart_chunks,
    mart_columns,
    mart_size,
)
from load.core.pacing import BudgetExhausted
from load.core.plan import Planned, Snapshot, plan_row
from load.core.specs import LoadSpec

ACTIONS = ("created", "updated", "restored", "unchanged", "quarantined")
ARCHIVE_CHUNK = 100


@dataclass
class ObjectResult:
    object: str
    mart_rows: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    quarantine: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # live in the destination, gone from mart
    archived: int = 0
    unexpected: list[str] = field(default_factory=list)  # answer rows no input carried


def chunk_rows() -> int:
    """``BIZMIG_CHUNK_ROWS``: mart rows read and planned at a time (default
    :data:`~load.core.marts.CHUNK_ROWS`); fewer holds less in memory, the batches stay full."""
    raw = setting("bizmig_chunk_rows")
    return CHUNK_ROWS if raw is None else positive("BIZMIG_CHUNK_ROWS", raw, int)


class Progress:
    def start(self, obj: str, total: int) -> None: ...

    def advance(self, obj: str, n: int) -> None: ...


class Loader:
    def __init__(
        self,
        destination: Destination,
        ledger: Ledger,
        run_id: str,
        dry_run: bool = False,
        progress: Progress | None = None,
        archive_missing: bool = False,
    ) -> None:
        self.destination = destination
        self.ledger = ledger
        self.run_id = run_id
        self.dry_run = dry_run
        self.progress = progress or Progress()
        self.archive_missing = archive_missing
        self._pending: list[dict[str, Any]] | None = None
        self.ids = IdMap()  # (object, external id) → destination id
        self.chunk_rows = chunk_rows()

    # -- relations ----------------------------------------------------------------------------
    def payload_for(self, spec: LoadSpec, row: MartRow) -> tuple[dict[str, Any], str | None]:
        related: dict[str, str | None] = {}
        problem = None
        for name, target_external in row.relations.items():
            _, target = self.destination.relation_target(spec, name)
            if target_external is None:
                related[name] = None
                continue
            # a polymorphic lookup names its candidates "Contact|Lead" (Salesforce's WhoId):
            # the record is whichever of them holds the external id
            target_id = next(
                (
                    self.ids[(candidate, target_external)]
                    for candidate in target.split("|")
                    if (candidate, target_external) in self.ids
                ),
                None,
            )
            if target_id is None:
                problem = (
                    f"related {target} {target_external} is not in "
                    f"{self.destination.display_name} (quarantined?)"
                )
                break
            related[name] = target_id
        payload = self.destination.shape(spec, row, related)
        return payload, problem

    # -- per object ---------------------------------------------------------------------------
    def snapshot(self, spec: LoadSpec) -> Snapshot:
        return self.destination.read(spec)

    def resolve_pending(self, spec: LoadSpec, snapshot: Snapshot) -> int:
        """Settle what a killed run left pending: a record the destination now holds did land
        (with the action and before-image planned before it was sent); the others never did."""
        if self._pending is None:  # once per run: only an earlier, killed run leaves these
            self._pending = self.ledger.pending()
        pending = [p for p in self._pending if p["object"] == spec.singular]
        if not pending:
            return 0
        landed, lost = [], []
        for row in pending:
            record_id = self.destination.landed_id(spec, row["external_id"], snapshot)
            if record_id and record_id in snapshot.live:
                landed.append((row["seq"], record_id))
            else:
                lost.append(row["seq"])
        self.ledger.settle([s for s, _ in landed], [t for _, t in landed], "committed")
        self.ledger.settle(lost, [None] * len(lost), "failed")
        return len(landed)

    def plan(self, spec: LoadSpec, rows: Sequence[MartRow], snapshot: Snapshot) -> list[Planned]:
        """Plan one chunk of mart rows (in ``external_id`` order) against the destination's
        records and the ledger rows of the chunk's range (runs on the plan-ahead thread)."""
        if not rows:
            return []
        known = self.ledger.current_range(spec.singular, rows[0].external_id, rows[-1].external_id)
        for external_id, entry in known.items():
            if entry["record_id"] and entry["record_id"] in snapshot.live:
                self.ids[(spec.singular, external_id)] = entry["record_id"]
        keys = self.destination.unique_keys(spec)
        planned = []
        for row in rows:
            payload, problem = self.payload_for(spec, row)
            if problem:
                planned.append(Planned(row, payload, "quarantined", message=problem))
                continue
            item = plan_row(
                row,
                payload,
                known.get(row.external_id),
                snapshot,
                keys,
                self.destination.unchanged_outside_hash,
            )
            if self.dry_run and item.action != "unchanged":
                self.ids[(spec.singular, row.external_id)] = item.record_id or "(new)"
            planned.append(item)
        return planned

    def load(self, spec: LoadSpec) -> ObjectResult:
        """Read, plan and send the mart a chunk at a time (:data:`CHUNK_ROWS`), the next chunk
        planned while this one is sent (:mod:`load.core.ahead`). Rows to send are carried
        over from chunk to chunk, so every batch but an object's last is full, as if the
        whole mart had been planned first."""
        result = ObjectResult(spec.singular)
        snapshot = self.snapshot(spec)
        if not self.dry_run:
            self.resolve_pending(spec, snapshot)
        self.ledger.flush()  # the plan-ahead thread reads the ledger without flushing
        self.progress.start(spec.singular, mart_size(self.ledger, spec.relation))
        chunks = mart_chunks(self.ledger, spec.relation, spec.payload_names, self.chunk_rows)
        waiting: list[Planned] = []
        for planned in ahead(self.plan(spec, rows, snapshot) for rows in chunks):
            result.mart_rows += len(planned)
            waiting += self._settle_planned(spec, planned, result)
            cap = self.destination.batch_cap(spec)
            full = len(waiting) // cap * cap
            if full:
                self._send_all(spec, waiting[:full], result)
                waiting = waiting[full:]
        if waiting:
            self._send_all(spec, waiting, result)
        result.missing = self.ledger.gone_from(spec.singular, spec.relation)
        if self.archive_missing and result.missing:
            result.archived = self.archive(spec, result.missing)
        return result

    def _settle_planned(
        self, spec: LoadSpec, planned: list[Planned], result: ObjectResult
    ) -> list[Planned]:
        """Record a chunk's unchanged and quarantined rows; return the rows to send."""
        to_send = [p for p in planned if p.action in ("created", "updated", "restored")]
        settled = [p for p in planned if p.action in ("unchanged", "quarantined")]
        for item in settled:
            result.actions[item.action] += 1
            if item.action == "unchanged":
                self.ids[(spec.singular, item.row.external_id)] = item.record_id or ""
            else:
                result.quarantine.append((item.row.external_id, item.message or ""))
        if not self.dry_run:
            self.ledger.record(self.run_id, [self._entry(spec, p) for p in settled])
        self.progress.advance(spec.singular, len(settled))
        if self.dry_run:
            result.actions.update(p.action for p in to_send)
            self.progress.advance(spec.singular, len(to_send))
            return []
        return to_send

    def _send_all(self, spec: LoadSpec, rows: list[Planned], result: ObjectResult) -> None:
        """Send ``rows`` in batches of the destination's cap (re-split when it names a smaller
        one; a refused batch is halved until the refused record is alone)."""
        cap = self.destination.batch_cap(spec)
        queue = [rows[i : i + cap] for i in range(0, len(rows), cap)]
        while queue:
            batch = queue.pop(0)
            if len(batch) > self.destination.batch_cap(spec):  # the server named a smaller cap
                cap = self.destination.batch_cap(spec)
                queue[:0] = [batch[i : i + cap] for i in range(0, len(batch), cap)]
                continue
            queue[:0] = self._send(spec, batch, result)

    def archive(self, spec: LoadSpec, external_ids: Sequence[str]) -> int:
        """Delete records gone from the source the recoverable way (Twenty's trash, a recycle
        bin), a chunk at a time, each chunk recorded as it goes."""
        current = self.ledger.current(spec.singular)
        rows = [current[e] for e in external_ids if current[e]["record_id"]]
        for i in range(0, len(rows), ARCHIVE_CHUNK):
            chunk = rows[i : i + ARCHIVE_CHUNK]
            self.destination.archive(spec, [r["record_id"] for r in chunk])
            self.ledger.record(
                self.run_id,
                [
                    Entry(
                        spec.singular, r["external_id"], "archived", r["record_id"], r["row_hash"]
                    )
                    for r in chunk
                ],
            )
        return len(rows)

    def _entry(self, spec: LoadSpec, item: Planned, record_id: str | None = None) -> Entry:
        return Entry(
            object=spec.singular,
            external_id=item.row.external_id,
            action=item.action,
            record_id=record_id or item.record_id,
            row_hash=item.row.row_hash,
            before_image=item.before_image,
            message=item.message,
        )

    def _send(
        self, spec: LoadSpec, batch: list[Planned], result: ObjectResult
    ) -> list[list[Planned]]:
        """Send one batch; returns the sub-batches still to send (after a refusal)."""
        seqs = self.ledger.record(self.run_id, [self._entry(spec, p) for p in batch], "pending")
        result.batches += 1
        try:
            answer = self.destination.write(spec, batch)
        except CapChanged:
            self.ledger.settle(seqs, [None] * len(batch), "failed")
            return [batch]
        except BatchRefused as exc:
            self.ledger.settle(seqs, [None] * len(batch), "failed")
            if len(batch) == 1:
                self._quarantine(spec, batch[0], exc.message, result)
                return []
            half = len(batch) // 2
            return [batch[:half], batch[half:]]
        except BudgetExhausted:
            # a clean stop (a destination's daily budget): whether the batch in flight landed
            # is unknown until the destination is read again (a Bulk API job runs on after
            # the stop), so it stays pending and the rerun settles it as after a kill -9
            raise
        except BaseException:
            self.ledger.settle(seqs, [None] * len(batch), "failed")
            raise
        self._settle_answer(spec, batch, seqs, answer, result)
        self.progress.advance(spec.singular, len(batch))
        return []

    def _quarantine(
        self, spec: LoadSpec, item: Planned, message: str, result: ObjectResult
    ) -> None:
        item.action, item.message = "quarantined", message
        self.ledger.record(self.run_id, [self._entry(spec, item)])
        result.actions["quarantined"] += 1
        result.quarantine.append((item.row.external_id, message))

    def _settle_answer(
        self,
        spec: LoadSpec,
        batch: list[Planned],
        seqs: list[int],
        answer: WriteAnswer,
        result: ObjectResult,
    ) -> None:
        """Give each input the id of the answer row carrying its key (rules 8 and 9, see
        :mod:`load.core.answers`); an input the destination refused on its own is quarantined
        with its message; any other input without an answer is read back, and is quarantined
        if the destination does not hold it; an answer row no input carries is recorded as an
        error."""
        dest = self.destination
        key = dest.answer_key(spec)
        refused = {i: m for i, m in answer.refused.items() if 0 <= i < len(batch)}
        sent = [p for i, p in enumerate(batch) if i not in refused]
        index_of = [i for i in range(len(batch)) if i not in refused]
        pairing = pair_answers(key, [p.payload for p in sent], answer.records, dest.key_value)
        found: dict[Any, dict[str, Any]] = {}
        if pairing.unanswered:
            wanted = [dest.key_value(key, sent[i].payload[key]) for i in pairing.unanswered]
            found = dest.read_back(spec, key, wanted)
        for index, message in refused.items():
            self.ledger.settle([seqs[index]], [None], "failed")
            self._quarantine(spec, batch[index], message, result)
        landed: list[tuple[int, str]] = []
        lost: list[int] = []
        for position, item in enumerate(sent):
            index = index_of[position]
            record = pairing.paired.get(position) or found.get(
                dest.key_value(key, item.payload[key])
            )
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
            item.record_id = None
            self._quarantine(
                spec,
                item,
                f"{dest.display_name}'s answer to its batch did not hold it and no record has "
                f"its {key}: another input of the batch matched the same record (rule 9)",
                result,
            )
        for row in pairing.unexpected:
            message = (
                f"{dest.display_name} answered with a record no input of the batch carries ({key} "
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
    """Load ``specs`` in order; an object's destination ids are dropped from memory as soon as
    no later object relates to it (:class:`~load.core.ahead.IdMap`)."""
    needs = [relation_targets(loader, spec) for spec in specs]
    results = []
    for index, spec in enumerate(specs):
        result = loader.load(spec)
        results.append(result)
        if on_object is not None:
            on_object(result)
        forget_unneeded(loader, specs, needs, index)
    return results


def forget_unneeded(
    loader: Loader, specs: Sequence[LoadSpec], needs: Sequence[set[str] | None], index: int
) -> None:
    """After ``specs[index]``: drop the ids of every object done that no later spec relates to
    (``needs``: each spec's :func:`relation_targets`)."""
    later = needs[index + 1 :]
    if any(n is None for n in later):
        return
    wanted: set[str] = set().union(*[n for n in later if n is not None])
    for done in specs[: index + 1]:
        if done.singular not in wanted:
            loader.ids.forget(done.singular)


def relation_targets(loader: Loader, spec: LoadSpec) -> set[str] | None:
    """The objects ``spec``'s relation columns point at (None: unknown, keep every id)."""
    targets: set[str] = set()
    try:
        for column in mart_columns(loader.ledger, spec.relation):
            if column.endswith(RELATION_SUFFIX):
                name = column[: -len(RELATION_SUFFIX)]
                targets |= set(loader.destination.relation_target(spec, name)[1].split("|"))
    except (RuntimeError, LookupError):
        return None
    return targets
