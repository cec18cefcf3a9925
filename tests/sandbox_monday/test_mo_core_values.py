"""Column values per type in the monday stand-in, in process (destinations.md §4.2, §4.11 rule 6):
what each column type refuses as monday does, and the ingest CSV cell (the decided format) read
as the same stored value as its mutation JSON — the two doors of an item must never disagree,
or a loader would see a row land by ingest that its mutation fallback cannot write.
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.monday.values import Column, Context, ValueRefused, from_cell, from_json

USERS = {"1": "Pat Person"}
ITEMS = {"9000000001": ("5000000001", "Dee")}  # live item → (board, name)
CONTEXT = Context(
    item_board=lambda i: ITEMS[i][0] if i in ITEMS else None,
    user_name=USERS.get,
    item_name=lambda i: ITEMS[i][1],
)
SETTINGS: dict[str, dict[str, Any]] = {
    "status": {"labels": {"0": "Active", "1": "Lost"}},
    "dropdown": {"labels": [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}]},
    "board_relation": {"boardIds": [5000000001]},
}


def _column(kind: str) -> Column:
    return Column("c", "C", kind, {k: v.copy() for k, v in SETTINGS.get(kind, {}).items()})


# (type, CSV cell, the mutation JSON monday takes, the text read back)
SAME = [
    ("text", "Ann", "Ann", "Ann"),
    ("long_text", "two words", {"text": "two words"}, "two words"),
    ("numbers", "42.5", "42.5", "42.5"),
    ("email", "a@x.io", {"email": "a@x.io", "text": "a@x.io"}, "a@x.io"),
    ("phone", "+14155550100", {"phone": "+14155550100", "countryShortName": "US"}, "+14155550100"),
    ("date", "2024-02-29", {"date": "2024-02-29"}, "2024-02-29"),
    ("status", "Lost", {"label": "Lost"}, "Lost"),
    ("dropdown", "A, B", {"labels": ["A", "B"]}, "A, B"),
    ("people", "1", {"personsAndTeams": [{"id": 1, "kind": "person"}]}, "Pat Person"),
    ("board_relation", "9000000001", {"item_ids": [9000000001]}, "Dee"),
    ("hour", "09:05", {"hour": 9, "minute": 5}, "09:05"),
    ("checkbox", "true", {"checked": "true"}, "v"),
]


@pytest.mark.parametrize(("kind", "cell", "raw", "text"), SAME, ids=[s[0] for s in SAME])
def test_csv_cell_and_mutation_json_store_the_same_value(
    kind: str, cell: str, raw: Any, text: str
) -> None:
    by_json = from_json(_column(kind), raw, CONTEXT, False)
    assert by_json is not None and by_json[1] == text
    assert from_cell(_column(kind), cell, CONTEXT) == by_json


# (type, mutation JSON monday refuses with ColumnValueException)
REFUSED = [
    ("text", {"text": "Ann"}),
    ("numbers", "forty"),
    ("email", {"email": "not-an-address"}),
    ("phone", {"phone": "+14155550100"}),  # no countryShortName (§4.10 pitfall 8)
    ("date", {"date": "2023-02-29"}),
    ("date", {"date": "04/03/2019"}),
    ("status", {"label": "Paused"}),
    ("dropdown", {"labels": ["C"]}),
    ("people", {"personsAndTeams": [{"id": 7, "kind": "person"}]}),
    ("board_relation", [9000000001]),  # a bare list, not {"item_ids": [...]}
    ("board_relation", {"item_ids": [9000000002]}),  # not a live item on a connected board
    ("hour", {"hour": 24, "minute": 0}),
]


@pytest.mark.parametrize(
    ("kind", "raw"), REFUSED, ids=[f"{k}-{n}" for n, (k, _) in enumerate(REFUSED)]
)
def test_values_monday_refuses(kind: str, raw: Any) -> None:
    with pytest.raises(ValueRefused) as refused:
        from_json(_column(kind), raw, CONTEXT, False)
    assert refused.value.code == "ColumnValueException"


def test_cells_the_format_refuses_and_labels_created_only_when_asked() -> None:
    for kind, cell in [("checkbox", "yes"), ("hour", "9h05"), ("phone", "4155550100")]:
        with pytest.raises(ValueRefused):
            from_cell(_column(kind), cell, CONTEXT)
    status = _column("status")
    assert from_json(status, {"label": "Paused"}, CONTEXT, True) == ({"index": 2}, "Paused")
    assert status.settings["labels"]["2"] == "Paused"
    assert from_json(status, None, CONTEXT, False) is None  # JSON null clears the column
