"""Durable storage of the Salesforce stand-in: one SQLite file, mirrored in memory.

A real org outlives its clients, and the loader's crash tests kill and restart the stand-in
mid-run: everything a client was told happened (records, recycle-bin state, schema added by
the Metadata API, id counters, issued tokens, API usage in the rolling 24 h window, Bulk jobs)
must still be there after a restart. Every request runs under the org lock, so reads come
from memory and each write is one SQLite transaction (``commit``) that the caller makes only
after its in-memory change is complete; if SQLite refuses, the caller undoes its change.

Tables: ``kv`` (settings, counters, clock offset), ``schema`` (one JSON document per object
whose definition differs from the built-in one), ``records`` (one JSON document per record,
by storage table), ``usage`` (request/batch counts per minute), ``tokens`` (sha256 of issued
access tokens, never the token), ``docs`` (free JSON documents by kind, for the Bulk and
Metadata APIs: ``put_doc``/``get_doc``/``all_docs``/``delete_doc``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

Row = dict[str, Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS schema (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    tbl TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (tbl, id));
CREATE TABLE IF NOT EXISTS usage (
    kind TEXT NOT NULL, minute INTEGER NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (kind, minute));
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, issued REAL NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, id));
"""

_dump = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        # A commit reaches the OS before the answer is sent: a killed server keeps every
        # acknowledged write; only an OS crash could lose the tail (fine for a stand-in).
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.executescript(SCHEMA)
        self._lock = threading.RLock()  # one connection, used from several threads
        self.rows: dict[str, dict[str, Row]] = {}
        for tbl, rid, doc in self.conn.execute("SELECT tbl, id, doc FROM records"):
            self.rows.setdefault(tbl, {})[rid] = json.loads(doc)

    # -- key/value ---------------------------------------------------------------------------

    def get_kv(self, key: str) -> str | None:
        with self._lock:
            row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_kv(self, key: str, value: str) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)",
                              (key, value))

    # -- records -----------------------------------------------------------------------------

    def table(self, tbl: str) -> dict[str, Row]:
        return self.rows.setdefault(tbl, {})

    def commit(self, upserts: Sequence[tuple[str, Row]] = (),
               deletes: Sequence[tuple[str, str]] = (),
               counters: dict[str, int] | None = None,
               drop_tables: Sequence[str] = ()) -> None:
        """Persist rows already changed in memory (``rows``), in one transaction."""
        with self._lock:
            cur = self.conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                if drop_tables:
                    cur.executemany("DELETE FROM records WHERE tbl = ?",
                                    [(t,) for t in drop_tables])
                if deletes:
                    cur.executemany("DELETE FROM records WHERE tbl = ? AND id = ?", deletes)
                if upserts:
                    cur.executemany(
                        "INSERT OR REPLACE INTO records (tbl, id, doc) VALUES (?, ?, ?)",
                        [(t, r["Id"], _dump(r)) for t, r in upserts])
                if counters:
                    cur.executemany(
                        "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)",
                        [(f"counter:{k}", str(v)) for k, v in counters.items()])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def counters(self) -> dict[str, int]:
        with self._lock:
            found = self.conn.execute("SELECT key, value FROM kv WHERE key LIKE 'counter:%'")
            return {k.split(":", 1)[1]: int(v) for k, v in found}

    # -- schema documents ----------------------------------------------------------------------

    def schema_docs(self) -> dict[str, Row]:
        with self._lock:
            found = self.conn.execute("SELECT name, doc FROM schema")
            return {name: json.loads(doc) for name, doc in found}

    def put_schema(self, name: str, doc: Row | None) -> None:
        with self._lock:
            if doc is None:
                self.conn.execute("DELETE FROM schema WHERE name = ?", (name,))
            else:
                self.conn.execute("INSERT OR REPLACE INTO schema (name, doc) VALUES (?, ?)",
                                  (name, _dump(doc)))

    # -- usage counters (rolling windows) -----------------------------------------------------

    def usage(self, kind: str, since_minute: int) -> dict[int, int]:
        with self._lock:
            found = self.conn.execute(
                "SELECT minute, count FROM usage WHERE kind = ? AND minute >= ?",
                (kind, since_minute))
            return dict(found.fetchall())

    def add_usage(self, kind: str, minute: int, count: int) -> None:
        with self._lock:
            self.conn.execute(
                "INSERT INTO usage (kind, minute, count) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, minute) DO UPDATE SET count = count + excluded.count",
                (kind, minute, count))

    def prune_usage(self, kind: str, before_minute: int) -> None:
        with self._lock:
            self.conn.execute("DELETE FROM usage WHERE kind = ? AND minute < ?",
                              (kind, before_minute))

    # -- access tokens (hashes only) -----------------------------------------------------------

    def tokens(self) -> dict[str, float]:
        with self._lock:
            return dict(self.conn.execute("SELECT hash, issued FROM tokens").fetchall())

    def add_token(self, token_hash: str, issued: float) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO tokens (hash, issued) VALUES (?, ?)",
                              (token_hash, issued))

    # -- free documents (Bulk jobs, Metadata deploys) ------------------------------------------

    def put_doc(self, kind: str, doc_id: str, doc: Row) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO docs (kind, id, doc) VALUES (?, ?, ?)",
                              (kind, doc_id, _dump(doc)))

    def get_doc(self, kind: str, doc_id: str) -> Row | None:
        with self._lock:
            row = self.conn.execute("SELECT doc FROM docs WHERE kind = ? AND id = ?",
                                    (kind, doc_id)).fetchone()
        return json.loads(row[0]) if row else None

    def all_docs(self, kind: str) -> dict[str, Row]:
        with self._lock:
            found = self.conn.execute("SELECT id, doc FROM docs WHERE kind = ?", (kind,))
            return {i: json.loads(d) for i, d in found}

    def delete_doc(self, kind: str, doc_ids: Iterable[str]) -> None:
        with self._lock:
            self.conn.executemany("DELETE FROM docs WHERE kind = ? AND id = ?",
                                  [(kind, i) for i in doc_ids])

    def close(self) -> None:
        with self._lock:
            self.conn.close()
