"""What a monday board holds, as the plan, reconcile and rollback compare it with the marts.

A board is read whole with ``items_page`` (500 items a page, the most monday serves, §4.11 rule
11) and ``next_items_page``: monday's own best-practices page advises reading the board and
filtering locally over ``items_page_by_column_values`` on big boards (destinations-2.md §4.4),
and 500 a call keeps a 10 000-item board to 20 of the day's calls. Only active items are
listed (archived and deleted ones are read by id, with their ``state``). Each item becomes a
record keyed like the mart: ``bizstim_id`` (its match column), ``name``, ``group_title`` and
every column as the mart's neutral value (:func:`load.monday.values.neutral_of`), relations as
sorted item-id lists. Updates (notes) are read per Contacts item, 100 items a call, and keyed
by the ``[bizstim:<id>]`` marker ending their body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from load.core.marts import jsonable
from load.monday import documents
from load.monday.client import MondayClient
from load.monday.specs import KEY
from load.monday.updates import marker_of
from load.monday.values import neutral_of

PAGE = 500
IDS_PER_CALL = 100


def record_of(item: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    values = {str(cv["id"]): cv for cv in item.get("column_values") or []}
    record: dict[str, Any] = {
        "id": str(item["id"]),
        "name": item.get("name"),
        "state": item.get("state") or "active",
        "group_title": (item.get("group") or {}).get("title"),
        KEY: (values.get(KEY) or {}).get("text") or None,
    }
    for column_id, column_type in types.items():
        read = values.get(column_id)
        record[column_id] = jsonable(neutral_of(column_type, read)) if read else None
    return record


def board_items(client: MondayClient, board_id: str, types: Mapping[str, str]) -> list[dict]:
    """Every active item of the board, as records."""
    data = client.query(documents.ITEMS_PAGE, {"board": [board_id], "limit": PAGE})
    page = ((data.get("boards") or [{}])[0] or {}).get("items_page") or {}
    records = [record_of(i, types) for i in page.get("items") or []]
    cursor = page.get("cursor")
    while cursor:
        page = client.query(documents.NEXT_ITEMS_PAGE, {"cursor": cursor, "limit": PAGE})
        page = page.get("next_items_page") or {}
        records += [record_of(i, types) for i in page.get("items") or []]
        cursor = page.get("cursor")
    return records


def items_by_id(client: MondayClient, ids: Sequence[str], types: Mapping[str, str]) -> list[dict]:
    """The items with these ids, whatever their state (100 a call)."""
    found = []
    for start in range(0, len(ids), IDS_PER_CALL):
        chunk = list(ids[start : start + IDS_PER_CALL])
        found += [
            record_of(i, types)
            for i in client.query(documents.ITEMS_BY_ID, {"ids": chunk}).get("items") or []
        ]
    return found


def updates_on(client: MondayClient, item_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The marked updates on these items: ``{id, bizstim_id, body, item_id}``."""
    found: list[dict[str, Any]] = []
    unique = list(dict.fromkeys(item_ids))
    for start in range(0, len(unique), IDS_PER_CALL):
        pending, page = unique[start : start + IDS_PER_CALL], 1
        while pending:
            data = client.query(documents.UPDATES_OF_ITEMS, {"ids": pending, "page": page})
            full = []
            for item in data.get("items") or []:
                updates = item.get("updates") or []
                for update in updates:
                    bizstim_id = marker_of(str(update.get("body") or ""))
                    if bizstim_id is not None:
                        found.append(
                            {
                                "id": str(update["id"]),
                                KEY: bizstim_id,
                                "body": update.get("body"),
                                "item_id": str(item["id"]),
                            }
                        )
                if len(updates) >= 100:
                    full.append(str(item["id"]))
            pending, page = full, page + 1
    return found


def comparable(column_type: str, value: Any) -> Any:
    """A value as monday keeps it, for comparing the mart with the board."""
    if value is None or value == "" or value == []:
        return False if column_type == "checkbox" else None
    if column_type == "numbers":
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation:
            return str(value)
    if column_type in ("board_relation", "people"):
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        return sorted(str(i).strip() for i in items if str(i).strip())
    if column_type == "checkbox":
        return value is True or str(value).lower() == "true"
    if column_type == "date":
        return str(value)[:10]
    return str(value)
