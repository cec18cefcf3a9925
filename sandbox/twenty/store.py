"""Durable storage: one SQLite file holding metadata documents and records as JSON.

Everything is also held in memory (the stand-in is one process and every request runs under
one lock), so reads never touch SQLite; each write is one SQLite transaction that commits
before memory is updated — a failed write leaves both unchanged. ``version`` counts those
commits, so readers can cache what they derived from the rows (the ordered lists that cursor
pagination walks) until the next write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

Row = dict[str, Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (id TEXT PRIMARY KEY, kind TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    object_id TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (object_id, id)
);
"""


def _dump(row: Row) -> str:
    """Compact JSON text of a row (orjson: the stdlib encoder was 10 % of a people batch)."""
    return orjson.dumps(row).decode("utf-8")


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        # Commits reach the OS before the response is sent, so a killed or restarted server keeps
        # every acknowledged write; only an OS crash could lose the tail (fine for a stand-in).
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.executescript(SCHEMA)
        self.objects: dict[str, Row] = {}
        self.fields: dict[str, Row] = {}
        self.rows: dict[str, dict[str, Row]] = {}
        self.version = 0  # bumped by every commit
        for _id, kind, doc in self.conn.execute("SELECT id, kind, doc FROM meta"):
            (self.objects if kind == "object" else self.fields)[_id] = orjson.loads(doc)
        for object_id, rid, doc in self.conn.execute("SELECT object_id, id, doc FROM records"):
            self.rows.setdefault(object_id, {})[rid] = orjson.loads(doc)

    def get_kv(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_kv(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    def table(self, object_id: str) -> dict[str, Row]:
        return self.rows.setdefault(object_id, {})

    def commit(
        self,
        upserts: Sequence[tuple[str, Row]] = (),
        deletes: Sequence[tuple[str, str]] = (),
        meta_upserts: Sequence[Row] = (),
        meta_deletes: Sequence[str] = (),
        drop_objects: Sequence[str] = (),
    ) -> list[str]:
        """Write everything in one transaction, then mirror it in memory.

        Returns the JSON text of each upserted row, so responses can reuse it."""
        dumps = [_dump(r) for _, r in upserts]
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            if meta_deletes:
                cur.executemany("DELETE FROM meta WHERE id = ?", [(i,) for i in meta_deletes])
            if meta_upserts:
                cur.executemany(
                    "INSERT OR REPLACE INTO meta (id, kind, doc) VALUES (?, ?, ?)",
                    [(d["id"], "field" if "objectMetadataId" in d else "object", _dump(d))
                     for d in meta_upserts],
                )
            if drop_objects:
                cur.executemany("DELETE FROM records WHERE object_id = ?",
                                [(o,) for o in drop_objects])
            if deletes:
                cur.executemany("DELETE FROM records WHERE object_id = ? AND id = ?", deletes)
            if upserts:
                cur.executemany(
                    "INSERT OR REPLACE INTO records (object_id, id, doc) VALUES (?, ?, ?)",
                    [(o, r["id"], d) for (o, r), d in zip(upserts, dumps, strict=True)],
                )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        self.version += 1
        for mid in meta_deletes:
            self.objects.pop(mid, None)
            self.fields.pop(mid, None)
        for doc in meta_upserts:
            (self.fields if "objectMetadataId" in doc else self.objects)[doc["id"]] = doc
        for object_id in drop_objects:
            self.rows.pop(object_id, None)
        for object_id, rid in deletes:
            self.table(object_id).pop(rid, None)
        for object_id, row in upserts:
            self.table(object_id)[row["id"]] = row
        return dumps

    def close(self) -> None:
        self.conn.close()
