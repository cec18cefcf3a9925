"""Durable storage of one Pipedrive company account: one SQLite file, mirrored in memory.

Pipedrive keeps a company's data whatever its clients do, and the loader's crash tests kill
and restart stand-ins mid-run: every record, field, option, user and id counter a client was
told about must survive a restart. Each account (company) has its own file under the data dir
(``<data dir>/<account>.sqlite``), so two accounts never share ids or field codes. Reads come
from memory; every change is written through at once (one autocommitted statement), under
the account's lock held by the app for the whole request.

Tables: ``kv`` (id counters, the seeded marker), ``docs`` (one JSON document per record,
keyed by kind and id: ``person``, ``organization``, ``product``, ``deal``, ``activity``,
``note``, ``user``, ``field:<entity>``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

Doc = dict[str, Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, id));
"""

_dump = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        # the write reaches the OS before the answer is sent: a killed server keeps every
        # acknowledged write (only an OS crash could lose the tail; fine for a stand-in)
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.executescript(SCHEMA)
        self._lock = threading.RLock()
        self.docs: dict[str, dict[str, Doc]] = {}
        for kind, key, doc in self.conn.execute("SELECT kind, id, doc FROM docs"):
            self.docs.setdefault(kind, {})[key] = json.loads(doc)

    def kind(self, kind: str) -> dict[str, Doc]:
        return self.docs.setdefault(kind, {})

    def get(self, kind: str, key: str | int) -> Doc | None:
        return self.kind(kind).get(str(key))

    def save(self, kind: str, key: str | int, doc: Doc) -> None:
        self.kind(kind)[str(key)] = doc
        with self._lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO docs (kind, id, doc) VALUES (?, ?, ?)",
                (kind, str(key), _dump(doc)),
            )

    def drop(self, kind: str, key: str | int) -> None:
        self.kind(kind).pop(str(key), None)
        with self._lock:
            self.conn.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, str(key)))

    def get_kv(self, key: str) -> str | None:
        with self._lock:
            row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_kv(self, key: str, value: str) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    def next_id(self, counter: str) -> int:
        """The next id of ``counter`` (1, 2, ...), persisted before it is handed out."""
        value = int(self.get_kv(f"counter:{counter}") or 0) + 1
        self.set_kv(f"counter:{counter}", str(value))
        return value

    def wipe(self) -> None:
        """Forget everything (the ``/_sandbox/reset`` hook)."""
        self.docs.clear()
        with self._lock:
            self.conn.execute("DELETE FROM docs")
            self.conn.execute("DELETE FROM kv")

    def close(self) -> None:
        with self._lock:
            self.conn.close()
