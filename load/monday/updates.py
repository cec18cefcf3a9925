"""Notes as monday updates: ``create_update(item_id, body, original_creation_date)``, aliased.

A Bizstim note becomes an update on its client's Contacts item (destinations-2.md §4.1: notes
are updates, and the 2026-10 SDL takes ``original_creation_date``, so the note keeps its date).
An update has no column to hold a Bizstim id and no upsert, so the id lives in the body: the
mart ends every body with the marker ``[bizstim:<external_id>]`` exactly once
(models/marts/monday ``monday__updates``), and the plan finds which notes an item holds by
reading its updates' markers (:func:`notes_on_items`).

Sending a note twice is the one write the board cannot undo quietly, so a lost answer (the
connection dropped after monday may have stored the notes) is settled by reading the items'
updates *before* anything is sent again: a marker found is a note that landed (its update id
kept), a note whose marker is missing is sent once more, in a new document. When that answer is
lost too, what is still missing after a second read stays unanswered for the rerun, whose plan
reads the markers again: never a duplicate note.

Many notes go in one document (aliases ``r0``…, 10 000 complexity each in the decided model,
sized as :func:`load.monday.mutations.aliases_per_document`); an alias monday refuses
(``errors[].path`` names it) refuses that note alone.

``original_creation_date`` is a free ``String`` in the SDL; its format is [?] (not on a
retrieved page). The choice: ISO 8601 in UTC with seconds and ``Z`` (``2024-01-31T09:30:00Z``);
the stand-in documents the same.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from load.core.destination import BatchRefused
from load.core.transport import DestinationUnavailable
from load.monday import documents
from load.monday.documents import NoteWrite
from load.monday.mutations import GraphQL, Outcome, aliases_per_document, errors_by_alias

MARKER = re.compile(r"\[bizstim:([^\]\s]+)\]")
ITEMS_PER_READ = 100  # root items(ids) takes at most 100 ids (§4.11 rule 11)
UPDATES_PER_PAGE = 100


@dataclass(frozen=True)
class Note:
    bizstim_id: str  # the note's external id, the marker's value
    item_id: str  # the Contacts item it belongs to
    body: str  # ends with [bizstim:<bizstim_id>]
    created_at: dt.datetime | str | None = None


def marker_of(body: str) -> str | None:
    """The Bizstim id of an update's body (its last marker), None without one."""
    found = MARKER.findall(body or "")
    return found[-1] if found else None


def creation_date(value: dt.datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def notes_on_items(client: GraphQL, item_ids: Sequence[str]) -> dict[str, str]:
    """Bizstim id → update id of every marked update on ``item_ids``."""
    found: dict[str, str] = {}
    unique = list(dict.fromkeys(item_ids))
    for start in range(0, len(unique), ITEMS_PER_READ):
        pending = unique[start : start + ITEMS_PER_READ]
        page = 1
        while pending:
            answer = client.graphql(documents.ITEM_UPDATES, {"ids": pending, "page": page})
            full: list[str] = []
            for item in (answer.get("data") or {}).get("items") or []:
                updates = item.get("updates") or []
                for update in updates:
                    bizstim_id = marker_of(str(update.get("body") or ""))
                    if bizstim_id is not None:
                        found.setdefault(bizstim_id, str(update["id"]))
                if len(updates) >= UPDATES_PER_PAGE:
                    full.append(str(item["id"]))
            pending, page = full, page + 1
    return found


class Updates:
    """Aliased ``create_update`` documents, a lost answer settled by the markers."""

    def __init__(self, client: GraphQL, per_document: int | None = None) -> None:
        self.client = client
        self.per_document = per_document or aliases_per_document()
        self.calls = 0

    def write(self, notes: Sequence[Note]) -> Outcome:
        outcome = Outcome()
        for start in range(0, len(notes), self.per_document):
            outcome.merge(self._document(notes[start : start + self.per_document], resend=True))
        return outcome

    def _document(self, notes: Sequence[Note], resend: bool) -> Outcome:
        writes = [NoteWrite(n.item_id, n.body, creation_date(n.created_at)) for n in notes]
        document, variables = documents.aliased_updates(writes)
        self.calls += 1
        try:
            answer = self.client.graphql(document, variables, retry_writes=False)
        except DestinationUnavailable:
            return self._settle_lost(notes, resend)
        return self._read_answer(notes, answer)

    def _read_answer(self, notes: Sequence[Note], answer: dict[str, Any]) -> Outcome:
        by_alias, whole = errors_by_alias(answer)
        data = answer.get("data") or {}
        if whole and not any(data.get(f"r{i}") for i in range(len(notes))):
            raise BatchRefused("; ".join(whole))
        outcome = Outcome()
        for i, note in enumerate(notes):
            update = data.get(f"r{i}")
            if update and update.get("id"):
                outcome.item_ids[note.bizstim_id] = str(update["id"])
                outcome.created.add(note.bizstim_id)
            else:
                outcome.refused[note.bizstim_id] = by_alias.get(
                    f"r{i}", "; ".join(whole) or "monday answered no update and no error"
                )
        return outcome

    def _settle_lost(self, notes: Sequence[Note], resend: bool) -> Outcome:
        """Read the items' markers first; send only the notes that are not there."""
        self.calls += 1
        landed = notes_on_items(self.client, [note.item_id for note in notes])
        outcome = Outcome()
        missing: list[Note] = []
        for note in notes:
            if note.bizstim_id in landed:
                outcome.item_ids[note.bizstim_id] = landed[note.bizstim_id]
                outcome.created.add(note.bizstim_id)
            else:
                missing.append(note)
        if missing and resend:
            outcome.merge(self._document(missing, resend=False))
        elif missing:
            outcome.unanswered += [note.bizstim_id for note in missing]
        return outcome
