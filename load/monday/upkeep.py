"""Reconcile and rollback for monday: compare what a board holds with the marts, undo a load.

Split from :mod:`load.monday.adapter` (one adapter, two concerns kept under the file size rule).
Comparison goes through :func:`load.monday.reads.comparable`, the one normalisation of mart
values and board reads (numbers as decimals, relations and people as sorted id lists, an
unchecked checkbox as false), so a reconcile and a rerun's plan agree on what differs.

Rollback undoes only what the ledger says this tool did: items it created are deleted with
``bulk_delete_items`` (one asynchronous job per 10 000 ids, polled with ``job_status``, each job
sent once under an Idempotency-Key), updated items get their before-image back through
``change_multiple_column_values`` (values and name), notes are deleted or edited back. monday's
API restores nothing from the trash or the archive (destinations-2.md §4.7: ``undo_action`` is
for jobs, and whether it undoes an ingest is unconfirmed), so ``unarchive`` says where to do it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from load.core.marts import MartRow
from load.core.specs import LoadSpec
from load.monday import documents, reads, schema
from load.monday.client import MondayClient, MondayError
from load.monday.specs import KEY, is_update
from load.monday.values import column_values

JOB_IDS = 10_000
FINISHED = ("COMPLETED", "FAILED", "EXPIRED", "CANCELLED")


class ReconcileAndRollback:
    """The adapter's reconcile and rollback half; :class:`MondayDestination` provides the
    client, the boards and the records."""

    client: MondayClient
    run_id: str

    def board(self, spec: LoadSpec) -> schema.Board: ...

    def types(self, spec: LoadSpec) -> dict[str, str]: ...

    def records(self, spec: LoadSpec) -> list[dict[str, Any]]: ...

    def note_items(self, every: bool) -> list[str]: ...

    # -- reconcile --------------------------------------------------------------------------
    def list_records(self, spec: LoadSpec, fields: set[str]) -> dict[str, dict[str, Any]]:
        if is_update(spec):
            return {r["id"]: r for r in reads.updates_on(self.client, self.note_items(True))}
        return {r["id"]: r for r in self.records(spec)}

    def deleted_records(self, spec: LoadSpec, record_ids: Sequence[str]) -> set[str]:
        if is_update(spec):
            return set()
        held = reads.items_by_id(self.client, list(record_ids), self.types(spec))
        return {r["id"] for r in held if r["state"] in ("archived", "deleted")}

    def fetch(self, spec: LoadSpec, record_id: str) -> dict[str, Any]:
        if is_update(spec):
            return self.list_records(spec, set()).get(record_id, {})
        held = reads.items_by_id(self.client, [record_id], self.types(spec))
        return held[0] if held else {}

    def differences(self, spec: LoadSpec, payload: dict, record: dict) -> list[str]:
        if is_update(spec):
            same = (payload.get("body") or "") == (record.get("body") or "")
            return [] if same else ["body"]
        out = [f for f in ("name", "group_title") if payload.get(f) != record.get(f)]
        for column_id, column_type in self.types(spec).items():
            if column_id not in payload:
                continue
            if reads.comparable(column_type, payload.get(column_id)) != reads.comparable(
                column_type, record.get(column_id)
            ):
                out.append(column_id)
        return out

    def identity_problem(self, spec: LoadSpec, row: MartRow, record: dict) -> str | None:
        if record.get(KEY) != row.external_id:
            return f"{row.external_id}: {spec.singular} {record.get('id')} is keyed otherwise"
        return None

    # -- rollback ---------------------------------------------------------------------------
    def _bulk(self, spec: LoadSpec, document: str, field: str, ids: Sequence[str]) -> None:
        board_id = self.board(spec).id
        for start in range(0, len(ids), JOB_IDS):
            chunk = [str(i) for i in ids[start : start + JOB_IDS]]
            variables = {"board": board_id, "ids": chunk}
            key = schema.once(self.run_id, document, variables)
            job = self.client.query(document, variables, key)[field]["job_id"]
            wait = 0.5
            while True:
                status = self.client.query(documents.JOB_STATUS, {"job": job})["job_status"]
                if status["status"] in FINISHED:
                    break
                time.sleep(wait)
                wait = min(wait * 2, 30.0)
            if status["status"] != "COMPLETED":
                raise RuntimeError(
                    f"monday {field} job {job}: {status['status']} {status.get('error') or ''}"
                )

    def destroy(self, spec: LoadSpec, record_ids: Sequence[str]) -> None:
        if is_update(spec):
            for record_id in record_ids:
                try:
                    self.client.query(documents.DELETE_UPDATE, {"id": record_id})
                except MondayError as exc:
                    if "ResourceNotFoundException" not in exc.codes:
                        raise
            return
        live = {
            r["id"]
            for r in reads.items_by_id(self.client, list(record_ids), {})
            if r["state"] == "active"
        }
        self._bulk(
            spec,
            documents.BULK_DELETE,
            "bulk_delete_items",
            [i for i in record_ids if str(i) in live],
        )

    def revert(self, spec: LoadSpec, record_id: str, before: dict, was_deleted: bool) -> None:
        if is_update(spec):
            self.client.query(documents.EDIT_UPDATE, {"id": record_id, "body": before["body"]})
            return
        values = column_values(self.types(spec), before, creating=False)
        if before.get("name"):
            values["name"] = before["name"]
        self.client.query(
            documents.CHANGE_VALUES,
            {"board": self.board(spec).id, "item": record_id, "values": json.dumps(values)},
        )

    def unarchive(self, spec: LoadSpec, record_id: str) -> None:
        raise RuntimeError(
            f"{spec.singular} {record_id}: monday's API restores nothing from the trash or the "
            "archive; restore it in monday's UI, or load it again"
        )
