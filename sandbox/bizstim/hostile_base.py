"""The pieces every hostile class is written with: the account pickers, the registry, touches.

Split out of ``hostile.py`` because the class modules (``hostile_classes``, ``hostile_wire``)
need these and ``hostile.py`` needs the classes: with everything in ``hostile.py`` the three
imported each other in a circle, and which classes were registered depended on which module
Python loaded first (tests/test_layers.py forbids import cycles). Data classes register with
:func:`hostile`, wire classes with :func:`wire_class`; ``hostile.CATALOG`` lists both, data
classes first, whatever order the modules were imported in.
"""

from __future__ import annotations

import itertools
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
DATA_CLASSES: dict[str, HostileClass] = {}
WIRE_CLASSES: dict[str, HostileClass] = {}
APPLY: dict[str, Applier] = {}


def hostile(name: str, summary: str, outcome: str, rule: str
            ) -> Callable[[Applier], Applier]:
    def register(fn: Applier) -> Applier:
        DATA_CLASSES[name] = HostileClass(name, summary, outcome, rule)
        APPLY[name] = fn
        return fn
    return register


def wire_class(name: str, summary: str, outcome: str, rule: str) -> None:
    WIRE_CLASSES[name] = HostileClass(name, summary, outcome, rule, wire=True)


def person(cid: str) -> Touch:
    return ("person", "clients", cid)


def session(sid: str) -> Touch:
    return ("tutoringSession", "sessions", sid)


def payment(pid: str) -> Touch:
    return ("payment", "payments", pid)
