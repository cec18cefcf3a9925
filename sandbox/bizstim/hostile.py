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
table under ``hostile`` and read back by :func:`read_manifest`.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.bizstim.store import Store

Touch = tuple[str, str, str]  # (object, source table, source id) as in the dispositions
Check = tuple[str, str, str, Any]  # (Twenty plural, bizstimId, field path, expected value)


@dataclass(frozen=True)
class HostileClass:
    name: str
    summary: str
    outcome: str  # loaded | repaired | quarantined | excluded | recovered
    rule: str  # disposition rule, migration__quarantine rule, or what the extraction does
    wire: bool = False  # acts on the wire while serving (sandbox.bizstim.hostile_wire)


class Account:
    """Deterministic pickers and writers over a freshly generated sandbox file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = Store(path)
        self.used: set[tuple[str, int]] = set()
        self.manifest: dict[str, dict[str, list[Any]]] = {}
        self.wire: dict[str, Any] = {}
        self.anchor_client = self.take("clients")
        self.anchor_practitioner = self.take("practitioners")
        self.anchor_service = self.take("services", "service_status = '1'")
        self.anchor_location = self.take("locations", "location_status = '1'")

    def _sql(self, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path) as conn:
            return conn.execute(query, args).fetchall()

    def take(self, table: str, where: str = "1 = 1") -> str:
        """The first record (ascending id) not yet handed to another class."""
        for (rid,) in self._sql(f"SELECT id FROM {table} WHERE {where} ORDER BY id"):
            if (table, rid) not in self.used:
                self.used.add((table, rid))
                return str(rid)
        raise LookupError(f"no free {table} record where {where}")

    def value(self, table: str, rid: str, column: str) -> str:
        return str(self._sql(f'SELECT "{column}" FROM {table} WHERE id = ?', (int(rid),))[0][0])

    def update(self, table: str, rid: str, **values: str) -> None:
        self.store.mutate(table, "update", rid, values)

    def insert(self, table: str, **values: str) -> str:
        record = self.store.mutate(table, "insert", None, values)
        assert record is not None
        self.used.add((table, int(record["id"])))
        return record["id"]

    def free_id(self, table: str) -> int:
        """An id inside the table's range that no record has (ids have gaps)."""
        ids = [r[0] for r in self._sql(f"SELECT id FROM {table} ORDER BY id")]
        return next(i + 1 for i, j in itertools.pairwise(ids) if j - i > 1)

    def clean_session(self, **values: str) -> str:
        """A session rewritten to link only anchors, at a plain date, then ``values``."""
        sid = self.take("sessions")
        base = {"client_id": self.anchor_client, "pract_d": self.anchor_practitioner,
                "service_id": self.anchor_service, "location_id": "0", "session_status": "1",
                "session_date": "2024-05-14", "start_time": "10:00", "end_time": "11:00",
                "duration": "60", "multi": "0", "cancel_clients": ""}
        self.update("sessions", sid, **{**base, **values})
        return sid

    def clean_payment(self, **values: str) -> str:
        pid = self.take("payments")
        base = {"client_id": self.anchor_client, "revenue_amount": "50.00",
                "revenue_date": "2024-05-14", "revenue_credit": "0"}
        self.update("payments", pid, **{**base, **values})
        return pid

    def custom_field(self, name: str, typ: str, options: str = "") -> str:
        """The id of the account's custom field ``name`` (defined now if the account lacks it)."""
        found = self._sql("SELECT id FROM customfields WHERE name = ?", (name,))
        if found:
            return str(found[0][0])
        cid = self.insert("customfields", name=name, type=typ, options=options, required="0")
        self.store = Store(self.path)  # the store lists custom_<id> keys when it opens
        return cid

    def schedule(self, client: str) -> str:
        """The availability schedule of ``client`` (one is created when it has none)."""
        avail = self.value("clients", client, "avail_id")
        if avail.isdigit():
            return avail
        top = self._sql("SELECT max(id) FROM availability")[0][0]
        aid = int(top) + 1
        days = {f"{d}Avail{x}": "" for d in ("m", "t", "w", "r", "f", "sat", "sun")
                for x in ("f", "t")}
        with sqlite3.connect(self.path) as conn:
            cols = ["id", "label", "start", "end", *days]
            names = ", ".join(f'"{c}"' for c in cols)
            conn.execute(f"INSERT INTO availability ({names}) "
                         f"VALUES ({', '.join('?' for _ in cols)})",
                         [aid, "Default", "", "", *days.values()])
        self.update("clients", client, avail_id=str(aid))
        return str(aid)

    def set_day(self, schedule: str, day: str, start: str, end: str) -> None:
        with sqlite3.connect(self.path) as conn:
            conn.execute(f'UPDATE availability SET "{day}Availf" = ?, "{day}Availt" = ? '
                         "WHERE id = ?", (start, end, int(schedule)))


Applier = Callable[[Account], tuple[list[Touch], list[Check]]]
CATALOG: dict[str, HostileClass] = {}
APPLY: dict[str, Applier] = {}


def hostile(name: str, summary: str, outcome: str, rule: str
            ) -> Callable[[Applier], Applier]:
    def register(fn: Applier) -> Applier:
        CATALOG[name] = HostileClass(name, summary, outcome, rule)
        APPLY[name] = fn
        return fn
    return register


def wire_class(name: str, summary: str, outcome: str, rule: str) -> None:
    CATALOG[name] = HostileClass(name, summary, outcome, rule, wire=True)


def person(cid: str) -> Touch:
    return ("person", "clients", cid)


def session(sid: str) -> Touch:
    return ("tutoringSession", "sessions", sid)


def payment(pid: str) -> Touch:
    return ("payment", "payments", pid)


# import for its registrations (the classes live in two modules to keep each readable)
from sandbox.bizstim import hostile_classes, hostile_wire  # noqa: E402,F401


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
