"""Small sets and retries: aliased ``create_item`` / ``change_multiple_column_values`` documents.

Below ``MONDAY_INGEST_THRESHOLD`` changed rows a board (default 50), and for rows an ingest job
left unsettled, an ``ingest_items`` job costs more calls than it saves (one mutation, one PUT,
two or more polls, one report), so the rows go as mutations, many to one document: Standard's
1 000 calls a day (destinations-2.md §4.3) cannot afford one call per item. How many per
document follows the decided complexity model (10 000 per ``create_item`` or change): at most
the 5 000 000 per-document cap (500) and at most half the minute's budget
(``MONDAY_COMPLEXITY_PER_MINUTE``, 10 000 000 → 500), so one document never waits a whole
minute for the budget it alone would spend. Documents go one after the other, never
concurrently (monday warns that concurrent mutations on one board can corrupt data, §4.2).

Partial failure: monday answers HTTP 200 with the aliases that worked in ``data`` and one
``errors[]`` entry per failed alias, its ``path`` the alias (``r3``). That row alone is refused
with monday's message and code (``ColumnValueException``, ``InvalidItemNameException``,
``InvalidColumnIdException`` ...), the others are kept; an error without an alias in its path
refuses the document as a whole (:class:`~load.core.destination.BatchRefused`: the core
bisects it).

Idempotency: the ``Idempotency-Key`` header is per HTTP request, and one request carries many
creates, so the key is per document: a hash of the run id and the document with its variables
(which hold each row's Bizstim id and values). Sending the same document again after a lost
answer is then a replay: monday answers the first answer again for 30 minutes
(``Idempotency-Replayed: true``, §4.4), no item twice. When the answer is lost on every
attempt, the creates are settled by reading the board for their Bizstim ids (found → landed,
not found → left unanswered for the core's read-back and the rerun). A change is idempotent by
nature (same values again).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from load.core.destination import BatchRefused
from load.core.transport import DestinationUnavailable
from load.monday import documents
from load.monday.client import error_text
from load.monday.documents import MATCH_COLUMN, ItemWrite
from load.monday.values import column_values

ITEM_MUTATION_COST = 10_000  # the decided complexity model: every item mutation
DOCUMENT_CAP = 5_000_000
MOST_ALIASES = DOCUMENT_CAP // ITEM_MUTATION_COST
LOOKUP_VALUES = 500  # Bizstim ids per items_page_by_column_values call (its page limit)
REPLAYS = 2  # the same document (same key) sent again after a lost answer


class GraphQL(Protocol):
    """The client the write path needs (A's :mod:`load.monday.client`): the whole JSON answer
    of an HTTP 200, ``errors[]`` included; throttling paced inside; a lost answer of a write
    sent with ``retry_writes=False`` raises
    :class:`~load.core.transport.DestinationUnavailable`."""

    def graphql(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        retry_writes: bool = True,
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class BoardRow:
    """One item to write: ``values`` maps column ids to mart values (not ``bizstim_id``)."""

    bizstim_id: str
    name: str
    group_id: str
    values: Mapping[str, Any]
    item_id: str | None = None  # the item it changes; None: a create


@dataclass
class Outcome:
    """Per Bizstim id: ``item_ids`` the item that holds the row now; ``refused`` monday's
    reason; ``created`` the rows that made a new item; ``unanswered`` rows nobody can settle
    yet (the core reads them back, the rerun's plan finds them). Calls are counted by the
    writer (``.calls``)."""

    item_ids: dict[str, str] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)

    def merge(self, other: Outcome) -> None:
        self.item_ids.update(other.item_ids)
        self.created |= other.created
        self.refused.update(other.refused)
        self.unanswered += other.unanswered


def aliases_per_document(per_minute: int | None = None) -> int:
    """Item mutations per document: the 5M cap, and half the minute's complexity budget."""
    if per_minute is None:
        per_minute = int(os.environ.get("MONDAY_COMPLEXITY_PER_MINUTE", "10000000"))
    return max(1, min(MOST_ALIASES, per_minute // 2 // ITEM_MUTATION_COST))


def idempotency_key(run_id: str, document: str, variables: Mapping[str, Any]) -> str:
    """One key per document: the same rows in the same run give the same key."""
    text = json.dumps([run_id, document, variables], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def errors_by_alias(answer: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """``errors[]`` split into those naming an alias (alias → text) and the rest."""
    by_alias: dict[str, str] = {}
    whole: list[str] = []
    for error in answer.get("errors") or []:
        path = error.get("path") or []
        if path and isinstance(path[0], str):
            by_alias.setdefault(path[0], error_text(error))
        else:
            whole.append(error_text(error))
    return by_alias, whole


def items_by_bizstim_id(client: GraphQL, board_id: str, wanted: Sequence[str]) -> dict[str, str]:
    """Bizstim id → item id for the ``wanted`` ids a board holds (live items)."""
    found: dict[str, str] = {}
    for start in range(0, len(wanted), LOOKUP_VALUES):
        chunk = list(wanted[start : start + LOOKUP_VALUES])
        cursor: str | None = None
        while True:
            answer = client.graphql(
                documents.ITEMS_BY_COLUMN,
                {"board": board_id, "column": MATCH_COLUMN, "values": chunk, "cursor": cursor},
            )
            page = (answer.get("data") or {}).get("items_page_by_column_values") or {}
            for item in page.get("items") or []:
                for column in item.get("column_values") or []:
                    if column.get("id") == MATCH_COLUMN and column.get("text") in chunk:
                        found.setdefault(str(column["text"]), str(item["id"]))
            cursor = page.get("cursor")
            if not cursor:
                break
    return found


class Mutations:
    """Aliased item writes to one board at a time (see the module)."""

    def __init__(self, client: GraphQL, run_id: str, per_document: int | None = None) -> None:
        self.client = client
        self.run_id = run_id
        self.per_document = per_document or aliases_per_document()
        self.calls = 0  # /v2 calls sent, replays and reads included

    def write(self, board_id: str, types: Mapping[str, str], rows: Sequence[BoardRow]) -> Outcome:
        """Create or change ``rows`` (``types``: column id → column type, not ``bizstim_id``)."""
        outcome = Outcome()
        for start in range(0, len(rows), self.per_document):
            outcome.merge(self._document(board_id, types, rows[start : start + self.per_document]))
        return outcome

    def _document(
        self, board_id: str, types: Mapping[str, str], rows: Sequence[BoardRow]
    ) -> Outcome:
        writes = [self._item_write(types, row) for row in rows]
        document, variables = documents.aliased_items(writes)
        variables["board"] = board_id
        key = idempotency_key(self.run_id, document, variables)
        outcome = Outcome()
        answer: dict[str, Any] | None = None
        for _ in range(1 + REPLAYS):
            self.calls += 1
            try:
                answer = self.client.graphql(
                    document, variables, idempotency_key=key, retry_writes=False
                )
                break
            except DestinationUnavailable:
                continue
        if answer is None:
            return self._settle_lost(board_id, rows, outcome)
        by_alias, whole = errors_by_alias(answer)
        data = answer.get("data") or {}
        if whole and not any(data.get(f"r{i}") for i in range(len(rows))):
            raise BatchRefused("; ".join(whole))
        for i, row in enumerate(rows):
            item = data.get(f"r{i}")
            if item and item.get("id"):
                outcome.item_ids[row.bizstim_id] = str(item["id"])
                if row.item_id is None:
                    outcome.created.add(row.bizstim_id)
            else:
                outcome.refused[row.bizstim_id] = by_alias.get(
                    f"r{i}", "; ".join(whole) or "monday answered no item and no error"
                )
        return outcome

    def _item_write(self, types: Mapping[str, str], row: BoardRow) -> ItemWrite:
        creating = row.item_id is None
        values = column_values(types, row.values, creating=creating)
        values[MATCH_COLUMN] = row.bizstim_id
        if not creating:
            values["name"] = row.name  # monday renames an item through its "name" column
        return ItemWrite(
            column_values=json.dumps(values, sort_keys=True),
            name=row.name,
            group_id=row.group_id if creating else None,
            item_id=row.item_id,
        )

    def _settle_lost(self, board_id: str, rows: Sequence[BoardRow], outcome: Outcome) -> Outcome:
        """Every answer lost: what the board holds for these Bizstim ids is what landed."""
        wanted = [row.bizstim_id for row in rows]
        found = items_by_bizstim_id(self.client, board_id, wanted)
        self.calls += 1
        for row in rows:
            item_id = found.get(row.bizstim_id)
            if item_id is not None and row.item_id is None:
                outcome.item_ids[row.bizstim_id] = item_id
                outcome.created.add(row.bizstim_id)
            else:
                # a change may or may not have landed, a create did not: both are resent by
                # the core's read-back and the rerun's plan (a change is safe to send again)
                outcome.unanswered.append(row.bizstim_id)
        return outcome
