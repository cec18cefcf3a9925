"""SQLite storage of the Bizstim sandbox account: schema, O(page) reads, the mutate hook.

Layout: one table per list endpoint. Every list table has ``pos INTEGER PRIMARY KEY`` (the
rowid) holding the record's contiguous 0-based position in ascending-id order, so a page
``/{start}/{limit}`` is a rowid range scan (never ``OFFSET``) and ``total`` is ``max(pos)+1``.
``id`` is stored as INTEGER (unique index) and served as a string; every other column is TEXT
holding exactly the string the API serves. ``availability`` is keyed by id only (no list).
``deleted_clients`` remembers clients that were deleted (absent from list and detail but still
referenced by payments and sessions). ``meta`` holds generation parameters and the time zone.

Public helpers for tests: :func:`iter_records` and :func:`counts` read the file directly.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PERSON = ["first_name", "last_name", "address1", "address2", "city", "state", "zipcode",
          "country", "p_phone", "s_phone", "text_phone"]
CLIENT_LIST = ["id", "users_id", "client_settings_id", "avail_id", *PERSON, "email"]
# client/{id} adds these; custom_<id> keys (from custom_json) go between service_id and minTime.
CLIENT_DETAIL_HEAD = ["status", "notes", "start_date", "timezone", "meeting_url", "service_id"]
CLIENT_DETAIL_TAIL = ["minTime", "maxTime", "slotDuration", "sessionLimit"]
DAYS = ["m", "t", "w", "r", "f", "sat", "sun"]
AVAIL_FIELDS = ["id", "label", "start", "end",
                *[f"{d}Avail{x}" for d in DAYS for x in ("f", "t")]]


@dataclass(frozen=True)
class ListSpec:
    method: str  # API method segment of the list
    table: str
    fields: list[str]  # served fields, in order
    default_limit: int
    max_limit: int
    single: str | None = None  # API method of the single-record endpoint, if any


LISTS: dict[str, ListSpec] = {s.method: s for s in [
    ListSpec("clients", "clients", CLIENT_LIST, 1000, 1000, "client"),
    ListSpec("practitioners", "practitioners",
             ["id", "pract_settings_id", "users_id", "avail_id", *PERSON, "email",
              "status", "wage_tier", "hire_date", "add_value"], 20, 100),  # last 4 simulated
    ListSpec("staffs", "staffs", ["id", "users_id", "staff_settings_id", *PERSON], 20, 100),
    ListSpec("meetourstaff", "meetourstaff",  # simulated fields
             ["id", "users_id", "first_name", "last_name", "title", "bio", "display_order"],
             20, 100),
    ListSpec("services", "services",
             ["id", "group_id", "group_num", "service_description", "service_cost",
              "service_default_wage", "service_taxable", "service_type", "service_status",
              "online_booking", "min_duration", "max_duration", "start_interval", "name"],
             20, 100, "service"),
    ListSpec("payments", "payments",
             ["id", "client_id", "qb_payment_id", "revenue_amount", "revenue_tax",
              "revenue_date", "revenue_credit", "revenue_note"], 20, 100, "payment"),
    ListSpec("locations", "locations",
             ["id", "location_status", "location_name", "location_address", "location_zipcode",
              "location_city", "location_state", "location_country", "location_p_phone",
              "location_s_phone", "location_email", "online_booking", "practs"],
             20, 100, "location"),
    ListSpec("sessions", "sessions",
             ["id", "confirmed", "multi", "slots", "class_id", "display", "pract_d", "wage_id",
              "client_id", "client_due_id", "cancel_clients", "temp", "service_id",
              "location_id", "recurr_id", "recurr_on", "qb_invoice_id", "session_status",
              # simulated (not captured in the reference):
              "session_date", "start_time", "end_time", "duration", "session_notes",
              "ondemand_link"], 100, 1000),
    ListSpec("discounts", "discounts",
             ["id", "uses", "secret", "expires", "code", "fixed", "type", "amount", "services"],
             20, 100, "discount"),
    ListSpec("users", "users",  # simulated endpoint
             ["id", "username", "email", "first_name", "last_name", "role", "status",
              "last_login"], 20, 100),
    ListSpec("customfields", "customfields",  # simulated endpoint
             ["id", "name", "type", "options", "required"], 20, 100),
]}
SINGLES: dict[str, ListSpec] = {s.single: s for s in LISTS.values() if s.single}
CLIENT_EXTRA = [*CLIENT_DETAIL_HEAD, *CLIENT_DETAIL_TAIL, "custom_json"]


def q(name: str) -> str:
    return f'"{name}"'


def table_columns(spec: ListSpec) -> list[str]:
    """Stored columns after ``pos`` (clients also store the detail fields)."""
    return spec.fields + (CLIENT_EXTRA if spec.table == "clients" else [])


def create_schema(conn: sqlite3.Connection) -> None:
    for spec in LISTS.values():
        cols = ", ".join(f"{q(c)} {'INTEGER NOT NULL' if c == 'id' else 'TEXT NOT NULL'}"
                         for c in table_columns(spec))
        conn.execute(f"CREATE TABLE {spec.table} (pos INTEGER PRIMARY KEY, {cols})")
    cols = ", ".join(f"{q(c)} TEXT NOT NULL" for c in AVAIL_FIELDS[1:])
    conn.execute(f"CREATE TABLE availability (id INTEGER PRIMARY KEY, {cols})")
    conn.execute("CREATE TABLE deleted_clients (id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")


def create_indexes(conn: sqlite3.Connection) -> None:
    for spec in LISTS.values():
        conn.execute(f"CREATE UNIQUE INDEX {spec.table}_id ON {spec.table}(id)")


def read_meta(path: Path) -> dict[str, str]:
    """Generation metadata of an existing file, or {} when absent/unreadable/incomplete."""
    if not path.exists():
        return {}
    try:
        conn = sqlite3.connect(path)
        try:
            return dict(conn.execute("SELECT k, v FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


class MutationError(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Store:
    """Thread-safe access: one connection per thread (WAL), one lock for writers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        self.meta: dict[str, str] = dict(conn.execute("SELECT k, v FROM meta").fetchall())
        self.custom_keys = [f"custom_{r[0]}" for r in
                            conn.execute("SELECT id FROM customfields ORDER BY pos")]

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=10000")
            self._local.conn = conn
        return conn

    # ---- reads -------------------------------------------------------------------------
    def page(self, spec: ListSpec, start: int, limit: int) -> tuple[int, list[dict[str, str]]]:
        conn = self._conn()
        cols = ", ".join(q(c) for c in spec.fields)
        conn.execute("BEGIN")  # one snapshot for total + rows
        try:
            total = conn.execute(f"SELECT coalesce(max(pos) + 1, 0) FROM {spec.table}"
                                 ).fetchone()[0]
            rows = conn.execute(f"SELECT {cols} FROM {spec.table} WHERE pos >= ? AND pos < ? "
                                "ORDER BY pos", (start, start + limit)).fetchall()
        finally:
            conn.execute("COMMIT")
        return total, [_as_record(spec.fields, r) for r in rows]

    def get(self, spec: ListSpec, record_id: int) -> dict[str, str] | None:
        if spec.table == "clients":
            return self.client_detail(record_id)
        cols = ", ".join(q(c) for c in spec.fields)
        row = self._conn().execute(f"SELECT {cols} FROM {spec.table} WHERE id = ?",
                                   (record_id,)).fetchone()
        return _as_record(spec.fields, row) if row else None

    def client_detail(self, record_id: int) -> dict[str, str] | None:
        cols = ", ".join(q(c) for c in CLIENT_LIST + CLIENT_EXTRA)
        row = self._conn().execute(f"SELECT {cols} FROM clients WHERE id = ?",
                                   (record_id,)).fetchone()
        return detail_record(row, self.custom_keys) if row else None

    def availability(self, record_id: int) -> dict[str, str] | None:
        cols = ", ".join(q(c) for c in AVAIL_FIELDS)
        row = self._conn().execute(f"SELECT {cols} FROM availability WHERE id = ?",
                                   (record_id,)).fetchone()
        return _as_record(AVAIL_FIELDS, row) if row else None

    # ---- the /_sandbox/mutate hook --------------------------------------------------------
    def mutate(self, table: str, op: str, record_id: str | None,
               values: dict[str, Any]) -> dict[str, str] | None:
        spec = next((s for s in LISTS.values() if s.table == table), None)
        if spec is None:
            raise MutationError(400, f"unknown table {table!r}")
        if op not in ("insert", "update", "delete"):
            raise MutationError(400, f"unknown op {op!r}")
        if not all(isinstance(v, str) for v in values.values()):
            raise MutationError(400, "every value must be a string")
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = self._mutate(conn, spec, op, record_id, values)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return result

    def _mutate(self, conn: sqlite3.Connection, spec: ListSpec, op: str,
                record_id: str | None, values: dict[str, Any]) -> dict[str, str] | None:
        is_client = spec.table == "clients"
        allowed = set(spec.fields) - {"id"}
        if is_client:
            allowed |= set(CLIENT_DETAIL_HEAD + CLIENT_DETAIL_TAIL + self.custom_keys)
        unknown = set(values) - allowed
        if unknown:
            raise MutationError(400, f"unknown fields {sorted(unknown)}")
        if op == "insert":
            rid = int(record_id) if record_id else _max_id(conn, spec) + 1
            if conn.execute(f"SELECT 1 FROM {spec.table} WHERE id = ?", (rid,)).fetchone():
                raise MutationError(409, f"id {rid} exists")
            pos = conn.execute(f"SELECT count(*) FROM {spec.table} WHERE id < ?",
                               (rid,)).fetchone()[0]
            _shift(conn, spec.table, pos, +1)
            row = {c: "" for c in table_columns(spec)}
            if is_client:
                row["custom_json"] = json.dumps({k: "" for k in self.custom_keys})
                conn.execute("DELETE FROM deleted_clients WHERE id = ?", (rid,))
            row["id"] = rid
            self._apply(row, values, is_client)
            cols = list(row)
            conn.execute(f"INSERT INTO {spec.table} (pos, {', '.join(q(c) for c in cols)}) "
                         f"VALUES (?, {', '.join('?' for _ in cols)})",
                         [pos, *(row[c] for c in cols)])
        else:
            if record_id is None or not str(record_id).isdigit():
                raise MutationError(400, "id required")
            rid = int(record_id)
            found = conn.execute(f"SELECT * FROM {spec.table} WHERE id = ?", (rid,)).fetchone()
            if found is None:
                raise MutationError(404, f"no {spec.table} record {rid}")
            names = ["pos", *table_columns(spec)]
            row = dict(zip(names, found, strict=True))
            if op == "delete":
                conn.execute(f"DELETE FROM {spec.table} WHERE id = ?", (rid,))
                _shift(conn, spec.table, row["pos"] + 1, -1)
                if is_client:
                    conn.execute("INSERT OR IGNORE INTO deleted_clients VALUES (?)", (rid,))
                    if row["avail_id"].isdigit():
                        conn.execute("DELETE FROM availability WHERE id = ?",
                                     (int(row["avail_id"]),))
                return None
            self._apply(row, values, is_client)
            sets = ", ".join(f"{q(c)} = ?" for c in names[2:])
            conn.execute(f"UPDATE {spec.table} SET {sets} WHERE id = ?",
                         [*(row[c] for c in names[2:]), rid])
        if is_client:
            return self._client_row(conn, rid)
        cols = ", ".join(q(c) for c in spec.fields)
        got = conn.execute(f"SELECT {cols} FROM {spec.table} WHERE id = ?", (rid,)).fetchone()
        return _as_record(spec.fields, got)

    def _client_row(self, conn: sqlite3.Connection, rid: int) -> dict[str, str]:
        cols = ", ".join(q(c) for c in CLIENT_LIST + CLIENT_EXTRA)
        row = conn.execute(f"SELECT {cols} FROM clients WHERE id = ?", (rid,)).fetchone()
        return detail_record(row, self.custom_keys)

    def _apply(self, row: dict[str, Any], values: dict[str, str], is_client: bool) -> None:
        custom = json.loads(row["custom_json"]) if is_client else {}
        for k, v in values.items():
            if k.startswith("custom_") and is_client:
                custom[k] = v
            else:
                row[k] = v
        if is_client:
            row["custom_json"] = json.dumps(custom)


def _max_id(conn: sqlite3.Connection, spec: ListSpec) -> int:
    top = conn.execute(f"SELECT max(id) FROM {spec.table}").fetchone()[0] or 0
    if spec.table == "clients":
        gone = conn.execute("SELECT max(id) FROM deleted_clients").fetchone()[0] or 0
        top = max(top, gone)
    return int(top)


def _shift(conn: sqlite3.Connection, table: str, from_pos: int, delta: int) -> None:
    """Move positions >= from_pos by delta without transient primary-key collisions."""
    conn.execute(f"UPDATE {table} SET pos = -pos - 1 WHERE pos >= ?", (from_pos,))
    conn.execute(f"UPDATE {table} SET pos = -pos - 1 + ? WHERE pos < 0", (delta,))


def _as_record(fields: list[str], row: tuple[Any, ...]) -> dict[str, str]:
    return {f: str(v) for f, v in zip(fields, row, strict=True)}


def detail_record(row: tuple[Any, ...], custom_keys: list[str]) -> dict[str, str]:
    """client/{id} payload from a (CLIENT_LIST + CLIENT_EXTRA) row."""
    base = _as_record(CLIENT_LIST + CLIENT_EXTRA[:-1], row[:-1])
    custom = json.loads(row[-1])
    out = {k: base[k] for k in CLIENT_LIST + CLIENT_DETAIL_HEAD}
    out.update({k: str(custom.get(k, "")) for k in custom_keys})
    out.update({k: base[k] for k in CLIENT_DETAIL_TAIL})
    return out


def iter_records(db_path: str | Path, endpoint: str, chunk: int = 5000
                 ) -> Iterator[dict[str, str]]:
    """Every record of a list endpoint (by method name, e.g. "clients"), of "client_details"
    (client/{id} of every listed client) or "availability", exactly as the API serves it."""
    conn = sqlite3.connect(Path(db_path))
    try:
        if endpoint == "availability":
            cols, table, key = AVAIL_FIELDS, "availability", "id"
        elif endpoint == "client_details":
            cols, table, key = CLIENT_LIST + CLIENT_EXTRA, "clients", "pos"
        else:
            spec = LISTS[endpoint]
            cols, table, key = spec.fields, spec.table, "pos"
        custom_keys = [f"custom_{r[0]}" for r in
                       conn.execute("SELECT id FROM customfields ORDER BY pos")]
        sel = ", ".join(q(c) for c in cols)
        last = -1
        while True:
            rows = conn.execute(f"SELECT {key}, {sel} FROM {table} WHERE {key} > ? "
                                f"ORDER BY {key} LIMIT ?", (last, chunk)).fetchall()
            if not rows:
                return
            for r in rows:
                if endpoint == "client_details":
                    yield detail_record(r[1:], custom_keys)
                else:
                    yield _as_record(cols, r[1:])
            last = rows[-1][0]
    finally:
        conn.close()


def counts(db_path: str | Path) -> dict[str, int]:
    """``total`` of every list endpoint, plus "client_details" and "availability"."""
    conn = sqlite3.connect(Path(db_path))
    try:
        out = {m: conn.execute(f"SELECT count(*) FROM {s.table}").fetchone()[0]
               for m, s in LISTS.items()}
        out["client_details"] = out["clients"]
        out["availability"] = conn.execute("SELECT count(*) FROM availability").fetchone()[0]
        return out
    finally:
        conn.close()
