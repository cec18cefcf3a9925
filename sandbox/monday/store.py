"""What the monday stand-in holds: accounts, users, boards, groups, columns, items, values, updates.

One SQLite file (``<data-dir>/monday.sqlite``) for every account, so a stopped stand-in restarts
with its boards and items (the kit's resume tests kill the loader, not the destination, but the
demo and the benchmark restart the stand-in between runs). Every call holds one lock: monday
itself warns that concurrent mutations on one board can corrupt it (destinations-2.md §4.10
pitfall 2), and a loader must not depend on parallel writes there either.

Ids are numeric strings, drawn from one counter per kind (boards from 5 000 000 000, items
from 9 000 000 000, updates from 3 000 000 000) so an id never names two things, as on monday.
Items keep a ``state`` (active | archived | deleted): delete and archive change it, nothing is
erased (monday's trash, §4.7). It serves the jobs' protocols (sandbox/monday/jobs.py
``ItemStore``, bulk_jobs.py ``StateStore``) through sandbox/monday/service.py (job_fields.py
``JobStore``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sandbox.monday.values import Column, dumps

SCHEMA = """
create table if not exists accounts (name text primary key, token text unique, plan text);
create table if not exists users (
    account text, id text, name text, email text, is_admin integer, primary key (account, id));
create table if not exists counters (kind text primary key, next integer);
create table if not exists boards (
    id text primary key, account text, name text, kind text, state text, workspace_id text,
    description text, created_at text);
create table if not exists groups_ (board_id text, id text, title text, position integer,
    primary key (board_id, id));
create table if not exists columns (board_id text, id text, title text, type text,
    settings text, position integer, primary key (board_id, id));
create table if not exists items (id text primary key, account text, board_id text,
    group_id text, name text, state text, created_at text, updated_at text);
create index if not exists items_board on items (board_id, state);
create table if not exists cells (item_id text, column_id text, value text, text text,
    primary key (item_id, column_id));
create table if not exists updates (id text primary key, item_id text, body text,
    created_at text, creator_id text, state text default 'active');
"""
FIRST_ID = {
    "board": 5_000_000_000,
    "item": 9_000_000_000,
    "update": 3_000_000_000,
    "group": 1,
    "column": 1,
}


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("pragma journal_mode=wal")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the store's lock (nested calls join the outer one)."""
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            self._db.execute("begin")
            try:
                yield self._db
            except BaseException:
                self._db.execute("rollback")
                raise
            self._db.execute("commit")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def reset(self) -> None:
        """Forget boards, items and updates; the id counters go on, so no id names two things."""
        with self.tx() as db:
            for table in ("boards", "groups_", "columns", "items", "cells", "updates"):
                db.execute(f"delete from {table}")

    def next_id(self, kind: str) -> str:
        with self.tx() as db:
            row = db.execute("select next from counters where kind = ?", (kind,)).fetchone()
            value = row[0] if row else FIRST_ID[kind]
            db.execute("insert or replace into counters values (?, ?)", (kind, value + 1))
            return str(value)

    # -- accounts and users ------------------------------------------------------------------
    def add_account(self, name: str, token: str, plan: str) -> None:
        with self.tx() as db:
            db.execute("insert or replace into accounts values (?, ?, ?)", (name, token, plan))

    def account_of(self, token: str) -> str | None:
        with self.tx() as db:
            row = db.execute("select name from accounts where token = ?", (token,)).fetchone()
            return row[0] if row else None

    def accounts(self) -> list[tuple[str, str]]:
        with self.tx() as db:
            return db.execute("select name, plan from accounts order by name").fetchall()

    def add_user(self, account: str, user_id: str, name: str, email: str, admin: bool) -> None:
        with self.tx() as db:
            db.execute(
                "insert or replace into users values (?, ?, ?, ?, ?)",
                (account, user_id, name, email.lower(), int(admin)),
            )

    def users(self, account: str, emails: Sequence[str] | None = None) -> list[dict[str, Any]]:
        with self.tx() as db:
            rows = db.execute(
                "select id, name, email, is_admin from users where account = ? order by id",
                (account,),
            ).fetchall()
        wanted = {e.lower() for e in emails} if emails is not None else None
        return [
            {"id": r[0], "name": r[1], "email": r[2], "is_admin": bool(r[3])}
            for r in rows
            if wanted is None or r[2] in wanted
        ]

    def user_name(self, account: str, user_id: str) -> str | None:
        with self.tx() as db:
            row = db.execute(
                "select name from users where account = ? and id = ?", (account, user_id)
            ).fetchone()
            return row[0] if row else None

    def is_admin(self, account: str, user_id: str) -> bool:
        return any(u["id"] == user_id and u["is_admin"] for u in self.users(account))

    # -- boards, groups, columns -------------------------------------------------------------
    def create_board(
        self,
        account: str,
        name: str,
        kind: str,
        workspace: str | None,
        description: str | None,
        now: str,
    ) -> str:
        board_id = self.next_id("board")
        with self.tx() as db:
            db.execute(
                "insert into boards values (?, ?, ?, ?, 'active', ?, ?, ?)",
                (board_id, account, name, kind, workspace, description, now),
            )
        return board_id

    def boards(self, account: str, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        with self.tx() as db:
            rows = db.execute(
                "select id, name, kind, state, workspace_id, description from boards "
                "where account = ? order by cast(id as integer)",
                (account,),
            ).fetchall()
        keys = ("id", "name", "board_kind", "state", "workspace_id", "description")
        found = [dict(zip(keys, r, strict=True)) for r in rows]
        return [b for b in found if ids is None or b["id"] in set(ids)]

    def board(self, account: str, board_id: str) -> dict[str, Any] | None:
        return next(iter(self.boards(account, [board_id])), None)

    def set_board_state(self, board_id: str, state: str) -> None:
        with self.tx() as db:
            db.execute("update boards set state = ? where id = ?", (state, board_id))

    def add_group(self, board_id: str, group_id: str, title: str) -> None:
        with self.tx() as db:
            (position,) = db.execute(
                "select count(*) from groups_ where board_id = ?", (board_id,)
            ).fetchone()
            db.execute(
                "insert into groups_ values (?, ?, ?, ?)", (board_id, group_id, title, position)
            )

    def groups(self, board_id: str) -> list[dict[str, str]]:
        with self.tx() as db:
            rows = db.execute(
                "select id, title from groups_ where board_id = ? order by position", (board_id,)
            ).fetchall()
        return [{"id": r[0], "title": r[1]} for r in rows]

    def add_column(self, board_id: str, column: Column) -> None:
        with self.tx() as db:
            (position,) = db.execute(
                "select count(*) from columns where board_id = ?", (board_id,)
            ).fetchone()
            db.execute(
                "insert into columns values (?, ?, ?, ?, ?, ?)",
                (board_id, column.id, column.title, column.type, dumps(column.settings), position),
            )

    def columns(self, board_id: str) -> list[Column]:
        with self.tx() as db:
            rows = db.execute(
                "select id, title, type, settings from columns where board_id = ? "
                "order by position",
                (board_id,),
            ).fetchall()
        return [Column(r[0], r[1], r[2], json.loads(r[3] or "{}")) for r in rows]

    def save_settings(self, board_id: str, column: Column) -> None:
        with self.tx() as db:
            db.execute(
                "update columns set settings = ? where board_id = ? and id = ?",
                (dumps(column.settings), board_id, column.id),
            )

    # -- items, values, updates --------------------------------------------------------------
    def add_item(self, account: str, board_id: str, group_id: str, name: str, now: str) -> str:
        item_id = self.next_id("item")
        with self.tx() as db:
            db.execute(
                "insert into items values (?, ?, ?, ?, ?, 'active', ?, ?)",
                (item_id, account, board_id, group_id, name, now, now),
            )
        return item_id

    def item(self, account: str, item_id: str) -> dict[str, Any] | None:
        found = self.items_where("account = ? and id = ?", (account, item_id))
        return found[0] if found else None

    def items_where(self, where: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        with self.tx() as db:
            rows = db.execute(
                "select id, board_id, group_id, name, state, created_at, updated_at from items "
                f"where {where} order by cast(id as integer)",
                tuple(args),
            ).fetchall()
        keys = ("id", "board_id", "group_id", "name", "state", "created_at", "updated_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def count_live(self, board_id: str) -> int:
        with self.tx() as db:
            (count,) = db.execute(
                "select count(*) from items where board_id = ? and state = 'active'", (board_id,)
            ).fetchone()
            return int(count)

    def rename(self, item_id: str, name: str, now: str) -> None:
        with self.tx() as db:
            db.execute(
                "update items set name = ?, updated_at = ? where id = ?", (name, now, item_id)
            )

    def set_item_state(self, item_id: str, state: str) -> None:
        with self.tx() as db:
            db.execute("update items set state = ? where id = ?", (state, item_id))

    def set_cell(self, item_id: str, column_id: str, stored: tuple[Any, str] | None) -> None:
        with self.tx() as db:
            if stored is None:
                db.execute(
                    "delete from cells where item_id = ? and column_id = ?", (item_id, column_id)
                )
                return
            db.execute(
                "insert or replace into cells values (?, ?, ?, ?)",
                (item_id, column_id, dumps(stored[0]), stored[1]),
            )

    def cells(self, item_ids: Sequence[str]) -> dict[str, dict[str, tuple[Any, str]]]:
        """item id → column id → (value, text)."""
        found: dict[str, dict[str, tuple[Any, str]]] = {i: {} for i in item_ids}
        with self.tx() as db:
            for start in range(0, len(item_ids), 500):
                chunk = list(item_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for item_id, column_id, value, text in db.execute(
                    f"select * from cells where item_id in ({marks})",
                    chunk,
                ):
                    found[item_id][column_id] = (json.loads(value) if value else None, text)
        return found

    def add_update(self, item_id: str, body: str, created_at: str, creator: str) -> str:
        update_id = self.next_id("update")
        with self.tx() as db:
            db.execute(
                "insert into updates values (?, ?, ?, ?, ?, 'active')",
                (update_id, item_id, body, created_at, creator),
            )
        return update_id

    def updates(self, item_id: str) -> list[dict[str, Any]]:
        with self.tx() as db:
            rows = db.execute(
                "select id, body, created_at, creator_id from updates "
                "where item_id = ? and state = 'active' order by cast(id as integer) desc",
                (item_id,),
            ).fetchall()
        return [{"id": r[0], "body": r[1], "created_at": r[2], "creator_id": r[3]} for r in rows]

    def edit_update(self, update_id: str, body: str) -> str | None:
        with self.tx() as db:
            row = db.execute(
                "select item_id from updates where id = ? and state = 'active'", (update_id,)
            ).fetchone()
            db.execute("update updates set body = ? where id = ?", (body, update_id))
            return row[0] if row else None

    def delete_update(self, update_id: str) -> str | None:
        with self.tx() as db:
            row = db.execute("select item_id from updates where id = ?", (update_id,)).fetchone()
            db.execute("update updates set state = 'deleted' where id = ?", (update_id,))
            return row[0] if row else None
