"""One loader spec per monday board, plus the notes, in the order parents must exist first.

monday CRM keeps everything as items on boards (destinations-2.md §4.1), so each mart is one
board (``seeds/monday_boards.csv``): Practitioners and Services first (nothing points at them
being absent), Contacts, then Payments, Sessions and Availability, whose board_relation columns
point at those items and need their ids, and last the notes, as updates on Contacts items.
Rollback walks the list backwards.

A board item is recognised by its ``bizstim_id`` text column (the column ``ingest_items``
matches on, filled from the mart's ``external_id``); an update has no columns, so its body ends
with ``[bizstim:<external id>]``. Mart columns are the board's column ids (lower-case snake,
``seeds/monday_columns.csv``), so the payload rule is Pipedrive's and Freshsales': lower-case
words joined by one underscore, ``external_id`` and ``row_hash`` left out; relation and owner
columns carry a double underscore and never match.
"""

from __future__ import annotations

import re

from load.core.specs import LoadSpec

PAYLOAD_NAMES = re.compile(r"^(?!external_id$|row_hash$)[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
KEY = "bizstim_id"  # the match column on every board, and the key answers are paired by
UPDATES = "updates"
BOARD_OF = {
    "practitioner": "practitioners",
    "service": "services",
    "contact": "contacts",
    "payment": "payments",
    "session": "sessions",
    "availability": "availability",
    "update": UPDATES,
}
SINGULAR_OF = {board: singular for singular, board in BOARD_OF.items()}


def _spec(singular: str) -> LoadSpec:
    return LoadSpec(singular, f"monday__{BOARD_OF[singular]}", payload_names=PAYLOAD_NAMES)


LOAD_ORDER: tuple[LoadSpec, ...] = tuple(_spec(s) for s in BOARD_OF)
ITEM_SPECS = tuple(spec for spec in LOAD_ORDER if spec.singular != "update")


def board_key(spec: LoadSpec) -> str:
    return BOARD_OF[spec.singular]


def is_update(spec: LoadSpec) -> bool:
    return spec.singular == "update"
