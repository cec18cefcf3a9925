"""What ``bizmig extract`` landed about Bizstim custom fields, read for ``bizmig map propose``.

The definitions (``raw_bizstim.custom_fields``, from the undocumented ``customfields``
endpoint), why the extraction has none (``_bizmig_endpoints``), the ``custom_<id>`` columns of
the current client details, and a deterministic sample of their values. Every read keeps to
the latest completed extraction cycle, as dbt's ``current_snapshot_started_at`` does: rows of
an older snapshot were deleted in Bizstim and must not shape a proposal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

CUSTOM_COLUMN = re.compile(r"custom_[0-9]+")


@dataclass(frozen=True)
class Definition:
    custom_field_id: str
    name: str
    bizstim_type: str
    options: tuple[str, ...]
    from_column: bool = False  # no definition: only the client detail column custom_<id>


@dataclass(frozen=True)
class FieldSample:
    values: tuple[str, ...]  # non-empty, trimmed, at most the sample size
    non_empty: int  # non-empty values among current clients


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw_bizstim' and table_name = ?",
        [table],
    ).fetchone()
    return bool(found and found[0])


def snapshot_start(con: duckdb.DuckDBPyConnection) -> float:
    """Start of the latest completed extraction cycle (0 without one), as dbt's
    ``current_snapshot_started_at`` macro: older rows were deleted in Bizstim."""
    if not table_exists(con, "_bizmig_extract_cycles"):
        return 0.0
    found = con.execute(
        "select max(started_at) from raw_bizstim._bizmig_extract_cycles where cycle = "
        "(select max(cycle) from raw_bizstim._bizmig_extract_cycles "
        "where completed_at is not null)"
    ).fetchone()
    return float(found[0]) if found and found[0] is not None else 0.0


CURRENT = "coalesce(try_cast(_dlt_load_id as double) >= ?, false)"


def read_definitions(con: duckdb.DuckDBPyConnection, since: float) -> list[Definition]:
    if not table_exists(con, "custom_fields"):
        return []  # dlt creates no table for an account without custom fields
    rows = con.execute(
        f'select id, name, "type", "options" from raw_bizstim.custom_fields where {CURRENT} '
        "order by try_cast(id as bigint), id",
        [since],
    ).fetchall()
    return [
        Definition(
            str(cid),
            (name or "").strip(),
            (kind or "").strip().lower(),
            tuple(o.strip() for o in (options or "").split("|") if o.strip()),
        )
        for cid, name, kind, options in rows
    ]


def definitions_refusal(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why the extraction got no custom field definitions (None: it did, or cannot tell):
    the ``customfields`` row of ``_bizmig_endpoints`` for the latest completed cycle."""
    if not table_exists(con, "_bizmig_endpoints"):
        return None
    completed = (
        "(select max(cycle) from raw_bizstim._bizmig_extract_cycles where completed_at is not null)"
        if table_exists(con, "_bizmig_extract_cycles")
        else "(select max(cycle) from raw_bizstim._bizmig_endpoints)"
    )
    found = con.execute(
        "select available, reason from raw_bizstim._bizmig_endpoints "
        f"where endpoint = 'customfields' and cycle = {completed}"
    ).fetchone()
    if found is None or found[0]:
        return None
    return f"GET /api/customfields answered {found[1]}"


def column_definitions(con: duckdb.DuckDBPyConnection, since: float) -> list[Definition]:
    """The custom_<id> columns of client/{id} that current clients carry (a column dlt kept
    from an older snapshot is NULL for every current client)."""
    names = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = "
            "'raw_bizstim' and table_name = 'client_details'"
        ).fetchall()
        if CUSTOM_COLUMN.fullmatch(r[0])
    ]
    if not names:
        return []
    counts = ", ".join(f'count("{n}")' for n in names)
    found = con.execute(
        f"select {counts} from raw_bizstim.client_details where {CURRENT}", [since]
    ).fetchone()
    current = [n for n, c in zip(names, found or (), strict=False) if c]
    ids = sorted((n.removeprefix("custom_") for n in current), key=int)
    return [Definition(i, f"custom_{i}", "", (), from_column=True) for i in ids]


def sample_values(
    con: duckdb.DuckDBPyConnection, custom_field_id: str, since: float, size: int
) -> FieldSample:
    """Up to ``size`` non-empty values of one field, the same ones on every run (clients
    ordered by md5 of their id), plus how many current clients have a value at all."""
    column = f"custom_{custom_field_id}"
    present = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw_bizstim' "
        "and table_name = 'client_details' and column_name = ?",
        [column],
    ).fetchone()
    if not CUSTOM_COLUMN.fullmatch(column) or not (present and present[0]):
        return FieldSample((), 0)
    current = (
        f'select id, trim("{column}") as value from raw_bizstim.client_details '
        f"where {CURRENT} and nullif(trim(\"{column}\"), '') is not null"
    )
    counted = con.execute(f"select count(*) from ({current})", [since]).fetchone()
    values = con.execute(
        f"select value from ({current}) order by md5(cast(id as varchar)), id limit ?",
        [since, size],
    ).fetchall()
    return FieldSample(tuple(v[0] for v in values), int(counted[0]) if counted else 0)
