"""Read a mart into REST payloads.

Mart contract (models/README.md): ``external_id``, ``row_hash``, payload columns named exactly as
Twenty fields (camelCase; composite fields are STRUCTs with Twenty's sub-field names),
relation columns ``<field>__external_id``, an owner column ``owner__user_external_id`` (a
Bizstim user the loader maps to one of the destination's users, issue 12 part 5), and optionally
``custom_fields``: a JSON object of confirmed custom-field values keyed by Twenty field name
(the set depends on the account, so it cannot be fixed columns under an enforced contract).
Anything else that is not camelCase is bookkeeping and stays out of the payload.

Which column names are payload is the destination's: Twenty's fields are camelCase
(``firstName``), Salesforce's API names start upper-case or end in ``__c`` (``LastName``,
``Bizstim_Status__c``), so the same rule cannot serve both (``LastName`` is not camelCase, and
``external_id`` would be a custom field if any name with underscores were payload). A spec
names its destination's rule (:attr:`load.core.specs.LoadSpec.payload_names`); relation and owner
columns are never payload whatever the rule says (``Account__external_id`` starts upper-case).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from load.core.ledger import Ledger

RELATION_SUFFIX = "__external_id"
OWNER_COLUMN = "owner__user_external_id"  # Bizstim user → destination user at load time
CUSTOM_FIELDS = "custom_fields"  # JSON object: Twenty field name → value, merged into the payload
PAYLOAD_NAME = re.compile(r"^[a-z][a-zA-Z0-9]*$")  # Twenty: camelCase field names
CHUNK_ROWS = 20_000  # mart rows read, planned and sent at a time (>= every destination's cap)


@dataclass
class MartRow:
    external_id: str
    row_hash: str
    payload: dict[str, Any]
    relations: dict[str, str | None]  # relation field name → target external id
    owner_user: str | None = None  # Bizstim user external id of the record's owner
    has_owner: bool = False  # the mart carries an owner column (so ownerId is always sent)


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def is_payload(name: str, rule: re.Pattern[str] = PAYLOAD_NAME) -> bool:
    """A mart column the destination receives as a field (not bookkeeping)."""
    return bool(rule.match(name)) and not name.endswith(RELATION_SUFFIX) and name != OWNER_COLUMN


def _require(con: Any, relation: str) -> None:
    schema, table = relation.split(".", 1)
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name = ?",
        [schema, table],
    ).fetchone()
    if not exists or not exists[0]:
        raise RuntimeError(f"{relation} does not exist: run `dbt build` first")


def _row(record: dict[str, Any], payload_names: re.Pattern[str]) -> MartRow:
    payload = {k: jsonable(v) for k, v in record.items() if is_payload(k, payload_names)}
    extra = record.get(CUSTOM_FIELDS)
    if extra:
        payload.update(json.loads(extra) if isinstance(extra, str) else extra)
    relations = {
        k[: -len(RELATION_SUFFIX)]: v for k, v in record.items() if k.endswith(RELATION_SUFFIX)
    }
    return MartRow(
        str(record["external_id"]),
        str(record["row_hash"]),
        payload,
        relations,
        owner_user=record.get(OWNER_COLUMN),
        has_owner=OWNER_COLUMN in record,
    )


def read_mart(
    ledger: Ledger, relation: str, payload_names: re.Pattern[str] = PAYLOAD_NAME
) -> list[MartRow]:
    """All rows of ``marts.<mart>`` (a short read-only DuckDB session); ``payload_names``:
    the destination's rule for which columns are fields. For small marts and samples: the
    loader and reconcile read :func:`mart_chunks`."""
    return [row for chunk in mart_chunks(ledger, relation, payload_names) for row in chunk]


def mart_chunks(
    ledger: Ledger,
    relation: str,
    payload_names: re.Pattern[str] = PAYLOAD_NAME,
    size: int = CHUNK_ROWS,
    only: Sequence[str] | None = None,
) -> Iterator[list[MartRow]]:
    """The mart in ``external_id`` order, ``size`` rows at a time (keyset pages, each its own
    short DuckDB session, so the ledger's flushes between them are not shut out): the largest
    mart of the 2 003 496-record benchmark, 1 120 279 sessions, held as one list of rows was
    most of the migrate process's peak (11.5 GB with reconcile's copies). ``only``: just
    these external ids (reconcile's spot-check sample)."""
    after: str | None = None
    while True:
        with ledger.connect() as con:
            _require(con, relation)
            cursor = con.execute(
                f"select * from {relation} where (? is null or external_id > ?) "
                "and (? or external_id in (select unnest(?::varchar[]))) "
                f"order by external_id limit {int(size)}",
                [after, after, only is None, None if only is None else list(only)],
            )
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        if not rows:
            return
        chunk = [_row(dict(zip(names, r, strict=True)), payload_names) for r in rows]
        yield chunk
        if len(rows) < size:
            return
        after = chunk[-1].external_id


def mart_columns(ledger: Ledger, relation: str) -> list[str]:
    schema, table = relation.split(".", 1)
    with ledger.connect() as con:
        _require(con, relation)
        found = con.execute(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    return [str(r[0]) for r in found]


def mart_size(ledger: Ledger, relation: str) -> int:
    with ledger.connect() as con:
        _require(con, relation)
        row = con.execute(f"select count(*) from {relation}").fetchone()
    return int(row[0]) if row else 0
