"""The monday stand-in's store across a restart and a reset, in process (no HTTP rule here).

The demo and the benchmark stop and start the stand-in between runs, and a loader's ledger
keeps the item ids monday gave it: a restarted stand-in must still hold the boards, values and
updates, and an id must never name a second item — not after a restart, not after
``/_sandbox/reset`` (a ledger kept across a reset would otherwise find someone else's item).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sandbox.monday.service import Service
from sandbox.monday.store import Store

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def _service(path: Path) -> Service:
    return Service(Store(path), lambda: NOW, 10_000)


def test_restart_keeps_items_and_no_id_names_two_items(tmp_path: Path) -> None:
    path = tmp_path / "monday.sqlite"
    first = _service(path)
    first.store.add_account("default", "t", "standard")
    first.store.add_user("default", "1", "Pat", "pat@example.com", True)
    board = first.create_board("default", "Contacts", "public", None, None)
    first.create_column("default", board, "bizstim_id", "Bizstim id", "text", None)
    item = first.create_item(
        "default", board, None, "Ann", json.dumps({"bizstim_id": "c-1"}), False
    )
    first.create_update("default", "1", item, "hello", "2019-03-04T05:06:07Z")
    first.store.close()

    again = _service(path)
    assert again.store.account_of("t") == "default"
    assert again.store.cells([item])[item]["bizstim_id"][1] == "c-1"
    assert [u["created_at"] for u in again.store.updates(item)] == ["2019-03-04T05:06:07Z"]
    after_restart = again.create_item("default", board, None, "Bo", None, False)
    assert int(after_restart) > int(item)

    again.store.reset()
    board = again.create_board("default", "Contacts", "public", None, None)
    after_reset = again.create_item("default", board, None, "Cy", None, False)
    assert int(after_reset) > int(after_restart)
    assert again.store.item("default", item) is None
    again.store.close()
