"""Read-only access to the staging DuckDB file for the migration report.

The report must work on any state of the file: before a load (no ledger), before the
orchestration wrote its phase log, on a tiny account where dlt never created a raw table.
Every reader here therefore asks whether a relation or column exists before it queries it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from common.duck import connect

LOCK_WAIT_SECONDS = 60.0


def plain(value: Any) -> Any:
    """A DuckDB value as something `json.dumps` writes and reads back unchanged."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def parse_json_column(value: Any) -> Any:
    """DuckDB hands JSON columns back as text; the report wants the structure."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return plain(value)


class ReportDb:
    """One read-only connection; helpers that tolerate missing tables and columns."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        self._relations = {(str(s), str(t)) for s, t in rows}
        self._columns: dict[tuple[str, str], list[str]] = {}

    def has(self, schema: str, table: str) -> bool:
        return (schema, table) in self._relations

    def columns(self, schema: str, table: str) -> list[str]:
        key = (schema, table)
        if key not in self._columns:
            rows = self.con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            self._columns[key] = [str(r[0]) for r in rows]
        return self._columns[key]

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [
            {name: plain(value) for name, value in zip(names, row, strict=True)}
            for row in cursor.fetchall()
        ]

    def of_destination(self, schema: str, table: str, destination: str) -> tuple[str, list[Any]]:
        """A WHERE condition keeping one destination's rows of a migration table: the
        reconciliation and quarantine hold every destination's (a ``destination`` column); a
        file built before that column existed holds Twenty's only."""
        if "destination" in self.columns(schema, table):
            return "destination = ?", [destination]
        return ("true", []) if destination == "twenty" else ("false", [])

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.con.execute(sql, list(params)).fetchone()
        return plain(row[0]) if row else None


@contextmanager
def open_report_db(path: Path, lock_wait: float = LOCK_WAIT_SECONDS) -> Iterator[ReportDb]:
    """Open the file read-only, waiting while a loader or dbt holds the write lock."""
    if not path.exists():
        raise FileNotFoundError(f"staging DuckDB file not found: {path}")
    with connect(path, read_only=True, wait=lock_wait) as con:
        yield ReportDb(con)
