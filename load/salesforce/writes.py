"""The write path: a batch of planned rows to Salesforce, answered by external id.

Per batch (the core hands at most :data:`~load.salesforce.bulk.JOB_ROWS` rows):

* **≥ the Bulk threshold** (``SALESFORCE_BULK_THRESHOLD``, default 2 000: Salesforce's
  large-data-volume guide): one Bulk API 2.0 ``upsert`` job on ``Bizstim_Id__c``, rows
  **sorted by parent** so the children of one Account (Contact) fall in one internal batch and
  parallel batches do not fight over its lock (``UNABLE_TO_LOCK_ROW``; Bulk 2.0 has no serial
  mode). Rows the job failed or never processed are sent **once more through sObject
  Collections upsert**, where lock errors are retried again; what still fails is refused with
  Salesforce's message (the core quarantines it). Not so a job the org could not run for its
  daily Bulk batch cap (15 000 per 24 h, or the load's share of it): that is the load's clean
  stop (exit 14), with the rows pending for the rerun, because sending them through
  Collections instead would cost 50 requests per 10 000 rows (:mod:`load.salesforce.bulk`).
* **Below it**: Collections upsert, 200 rows a request.
* ContentNote / ContentDocumentLink (no External ID, :mod:`load.salesforce.content`):
  Collections create for new rows, update (by id) for changed ones; a create whose outcome is
  unknown is read back, never sent twice.

A field that may be set on create but not changed (``PricebookEntry.Product2Id``, the
price book) is left out of rows that update an existing record; when that makes the created
and the updated rows differ in columns, they go as two writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from load.core.destination import BatchRefused, WriteAnswer
from load.core.plan import Planned
from load.core.specs import LoadSpec
from load.salesforce.bulk import BulkIngest
from load.salesforce.client import SalesforceError, SalesforceUnavailable, field_not_visible
from load.salesforce.collections import Collections, Outcomes
from load.salesforce.content import LINK_KEY, encoded
from load.salesforce.relations import Relations
from load.salesforce.specs import EXTERNAL_ID, has_external_id
from load.salesforce.values import KEEP_CELL, cell

CREATE_ATTEMPTS = 3
ReadBack = Callable[[LoadSpec, Sequence[str]], dict[str, dict[str, Any]]]


class Writer:
    def __init__(
        self,
        collections: Collections,
        bulk: BulkIngest,
        relations: Relations,
        threshold: int,
        not_updateable: Callable[[str], set[str]],
        read_back: ReadBack,
    ) -> None:
        self.collections = collections
        self.bulk = bulk
        self.relations = relations
        self.threshold = threshold
        self.not_updateable = not_updateable
        self.read_back = read_back
        self.bulk_jobs = 0
        self.retried = 0  # rows a Bulk job failed that went through Collections again

    def write(self, spec: LoadSpec, batch: Sequence[Planned]) -> WriteAnswer:
        try:
            if not has_external_id(spec.singular):
                return self._content(spec, batch)
            return self._keyed(spec, batch)
        except SalesforceError as exc:
            refusal = field_not_visible(exc)
            if refusal is not None:
                raise refusal from exc
            if exc.status == 400:
                raise BatchRefused("; ".join(exc.messages)) from exc
            raise

    # -- keyed objects: upsert on Bizstim_Id__c -------------------------------------------
    def _keyed(self, spec: LoadSpec, batch: Sequence[Planned]) -> WriteAnswer:
        answer = WriteAnswer()
        fixed = self.not_updateable(spec.singular)
        groups = [list(range(len(batch)))]
        if fixed & {k for p in batch for k in p.payload}:
            new = [i for i, p in enumerate(batch) if p.action == "created"]
            old = [i for i, p in enumerate(batch) if p.action != "created"]
            groups = [g for g in (new, old) if g]
        for group in groups:
            drop = set() if batch[group[0]].action == "created" else fixed
            bulk = len(group) >= self.threshold
            refs = self._references(spec, [batch[i] for i in group], every_row=bulk)
            rows = [self._sent(spec, batch[i], drop, refs) for i in group]
            self._upsert(spec, group, batch, rows, bulk, answer)
        return answer

    def _references(self, spec: LoadSpec, items: list[Planned], every_row: bool) -> set[str]:
        """Relations sent as references by external id: those to one keyed object; in a Bulk
        job only where every row names its parent (one CSV column serves every row)."""
        names = {name for item in items for name in item.row.relations}
        keyed = {n for n in names if self.relations.of(spec.singular, n).by_external_id}
        if every_row:
            return {n for n in keyed if all(item.row.relations.get(n) for item in items)}
        return keyed

    def _sent(
        self, spec: LoadSpec, item: Planned, drop: set[str], refs: set[str]
    ) -> dict[str, Any]:
        """The payload as sent: parents by external id where chosen, fixed fields left out."""
        row = {k: v for k, v in item.payload.items() if k not in drop}
        for name in refs:
            parent = item.row.relations.get(name)
            relation = self.relations.of(spec.singular, name)
            if parent is not None and relation.field in row:
                del row[relation.field]
                row[relation.name] = {EXTERNAL_ID: parent}
        return row

    def _upsert(
        self,
        spec: LoadSpec,
        group: list[int],
        batch: Sequence[Planned],
        rows: list[dict[str, Any]],
        bulk: bool,
        answer: WriteAnswer,
    ) -> None:
        retry = list(range(len(rows)))
        first_errors: dict[int, str] = {}
        if bulk:
            retry, first_errors = self._bulk(spec, group, batch, rows, answer)
            self.retried += len(retry)
        if not retry:
            return
        outcomes = self.collections.upsert(spec.singular, EXTERNAL_ID, [rows[i] for i in retry])
        for position, outcome in zip(retry, outcomes.rows, strict=True):
            index = group[position]
            ext = str(rows[position][EXTERNAL_ID])
            if outcome.ok and outcome.record_id:
                answer.records.append({"id": outcome.record_id, EXTERNAL_ID: ext})
            else:
                answer.refused[index] = outcome.error or first_errors.get(index, "refused")

    def _bulk(
        self,
        spec: LoadSpec,
        group: list[int],
        batch: Sequence[Planned],
        rows: list[dict[str, Any]],
        answer: WriteAnswer,
    ) -> tuple[list[int], dict[int, str]]:
        """One job (rows sorted by parent); (positions to retry, Bulk's error per index)."""
        header, cells = self._csv(spec, group, batch, rows)
        outcome = self.bulk.upsert(spec.singular, EXTERNAL_ID, header, cells)
        self.bulk_jobs += len(outcome.jobs)
        position = {str(row[EXTERNAL_ID]): p for p, row in enumerate(rows)}
        for ext, record_id in outcome.landed.items():
            if ext in position:
                answer.records.append({"id": record_id, EXTERNAL_ID: ext})
        errors = {group[position[e]]: m for e, m in outcome.failed.items() if e in position}
        again = [*outcome.failed, *outcome.unprocessed]
        return sorted({position[e] for e in again if e in position}), errors

    def _csv(
        self,
        spec: LoadSpec,
        group: list[int],
        batch: Sequence[Planned],
        rows: list[dict[str, Any]],
    ) -> tuple[list[str], list[list[str]]]:
        """Header and cells; a relation is a ``Parent.Bizstim_Id__c`` column only when every
        row names its parent, else the lookup's id column (``#N/A`` clears it)."""
        items = [batch[i] for i in group]
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        header: list[str] = []
        for column in columns:
            sample = next(r[column] for r in rows if column in r)
            header.append(f"{column}.{EXTERNAL_ID}" if isinstance(sample, dict) else column)
        plain = [p.payload for p in items]

        def value(row: dict[str, Any], source: dict[str, Any], column: str) -> str:
            if column not in row:
                return KEEP_CELL if column == "OwnerId" else cell(source.get(column))
            held = row[column]
            return cell(held[EXTERNAL_ID] if isinstance(held, dict) else held)

        cells = [[value(r, s, c) for c in columns] for r, s in zip(rows, plain, strict=True)]
        parent = self._lock_parent(spec, items)
        order = sorted(range(len(cells)), key=lambda i: (parent(i), str(rows[i][EXTERNAL_ID])))
        return header, [cells[i] for i in order]

    def _lock_parent(self, spec: LoadSpec, items: list[Planned]) -> Callable[[int], str]:
        """The parent whose lock the rows share (the first relation), for sorting."""
        names = list(items[0].row.relations) if items else []
        if not names:
            return lambda _i: ""
        first = names[0]
        return lambda i: str(items[i].row.relations.get(first) or "")

    # -- ContentNote / ContentDocumentLink ------------------------------------------------
    def _content(self, spec: LoadSpec, batch: Sequence[Planned]) -> WriteAnswer:
        answer = WriteAnswer()
        new = [i for i, p in enumerate(batch) if p.action == "created"]
        old = [i for i, p in enumerate(batch) if p.action != "created"]
        if old:
            records = [self._content_record(spec, batch[i], update=True) for i in old]
            self._settle(spec, batch, old, self.collections.update(spec.singular, records), answer)
        todo = new
        for attempt in range(CREATE_ATTEMPTS):
            if not todo:
                break
            records = [self._content_record(spec, batch[i], update=False) for i in todo]
            try:
                outcomes = self.collections.create(spec.singular, records)
            except SalesforceUnavailable:
                if attempt + 1 == CREATE_ATTEMPTS:
                    raise
                keys = [str(batch[i].payload[LINK_KEY]) for i in todo]
                found = self.read_back(spec, keys)
                for i in todo:
                    record = found.get(str(batch[i].payload[LINK_KEY]))
                    if record is not None:
                        answer.records.append({"id": record["id"], LINK_KEY: record[LINK_KEY]})
                todo = [i for i in todo if str(batch[i].payload[LINK_KEY]) not in found]
                continue
            self._settle(spec, batch, todo, outcomes, answer)
            todo = []
        return answer

    def _content_record(self, spec: LoadSpec, item: Planned, update: bool) -> dict[str, Any]:
        payload = item.payload
        if spec.singular == "ContentNote":
            record = {"Title": payload.get("Title")}
            if "Content" in payload:
                record["Content"] = encoded(payload.get("Content"))
        else:
            record = {k: v for k, v in payload.items() if k != LINK_KEY}
            if update:
                record = {k: v for k, v in record.items() if k in ("ShareType", "Visibility")}
        if update:
            record["id"] = item.record_id
        return record

    def _settle(
        self,
        spec: LoadSpec,
        batch: Sequence[Planned],
        indexes: list[int],
        outcomes: Outcomes,
        answer: WriteAnswer,
    ) -> None:
        for index, outcome in zip(indexes, outcomes.rows, strict=True):
            if outcome.ok and outcome.record_id:
                key = str(batch[index].payload[LINK_KEY])
                answer.records.append({"id": outcome.record_id, LINK_KEY: key})
            else:
                answer.refused[index] = outcome.error or "refused"
