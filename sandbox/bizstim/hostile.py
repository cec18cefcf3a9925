"""The bad-input corpus: hostile source data classes applied to a generated sandbox account.

Every class names what it does to the account, the records it touches (as the keys
``int_migration__dispositions`` uses: object, source table, source id) and the outcome the
migration must reach for them:

* ``loaded``      migrated as is (the value survives byte for byte);
* ``repaired``    migrated with the value repaired (trimmed, lower-cased, parsed, typed) and,
                  where something was given up, the value listed in ``migration__quarantine``
                  with the class's ``rule`` (impact ``value_kept_raw``);
* ``quarantined`` the record is held back with the class's ``rule`` and a reason;
* ``excluded``    the record is left out by the class's named ``rule``;
* ``recovered``   a fault of the API itself (HTML instead of JSON, pages shifting under the
                  extraction): the extraction copes and every record ends up as if the API had
                  behaved.

Data classes are applied right after generation through the store's mutate path (so positions
stay consistent) on records picked deterministically; classes never share a record. Wire
classes (``sandbox.bizstim.hostile_wire``) act while the sandbox answers requests. The
manifest of what was touched (plus the values the target must hold) is stored in the meta
table under ``hostile`` and read back by :func:`read_manifest`. The pickers and the registry
live in ``sandbox.bizstim.hostile_base``; this module assembles the catalog and applies it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from sandbox.bizstim import (
    hostile_classes,  # noqa: F401  (its classes register on import)
    hostile_wire,
)
from sandbox.bizstim.hostile_base import APPLY, DATA_CLASSES, WIRE_CLASSES, Account, HostileClass

# the classes live in two modules to keep each readable; data classes first, as always
CATALOG: dict[str, HostileClass] = {**DATA_CLASSES, **WIRE_CLASSES}


def apply_all(path: Path, names: list[str]) -> dict[str, Any]:
    """Apply the named classes (``all`` = every class) to the account at ``path``; store and
    return the manifest ``{"classes": {name: {"touches", "checks"}}, "wire": {...}}``."""
    wanted = list(CATALOG) if names == ["all"] else names
    unknown = [n for n in wanted if n not in CATALOG]
    if unknown:
        raise ValueError(f"unknown hostile classes {unknown}; known: {sorted(CATALOG)}")
    account = Account(path)
    classes: dict[str, Any] = {}
    for name in wanted:
        if CATALOG[name].wire:
            touches, checks = hostile_wire.prepare(account, name)
        else:
            touches, checks = APPLY[name](account)
        classes[name] = {"touches": touches, "checks": checks}
    manifest = {"classes": classes, "wire": account.wire}
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('hostile', ?)", (json.dumps(manifest),))
    return manifest


def read_manifest(path: Path | str) -> dict[str, Any]:
    with sqlite3.connect(Path(path)) as conn:
        row = conn.execute("SELECT v FROM meta WHERE k = 'hostile'").fetchone()
    return json.loads(row[0]) if row else {"classes": {}, "wire": {}}
