"""Every destination mart's ``row_hash`` covers every column the loader sends.

The loader skips a record whose ``row_hash`` equals the hash it last sent, so a payload column
left out of the ``row_hash([...])`` call is a change that is never migrated: the delta run
reports "unchanged" while the destination keeps the old value. The check is static (the mart's
SQL against its contract in the yml beside it), so it runs without a build; the enforced
contract keeps the yml equal to what the build makes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

MARTS = Path(__file__).resolve().parents[2] / "models" / "marts"
# Columns that identify the row or are the hash itself; everything else is sent (payload or a
# relation's external id the loader resolves) and must change the hash when it changes.
NOT_HASHED = {"external_id", "row_hash"}
ROW_HASH_CALL = re.compile(r"row_hash\(\s*\[(?P<names>[^\]]*)\]\s*\)", re.S)


def contract_columns() -> dict[str, list[str]]:
    """Model name → its columns, for every mart whose contract declares a row_hash column."""
    columns: dict[str, list[str]] = {}
    for yml in MARTS.glob("*/_*.yml"):
        for model in (yaml.safe_load(yml.read_text()) or {}).get("models", []):
            names = [column["name"] for column in model.get("columns", [])]
            if "row_hash" in names:
                columns[model["name"]] = names
    return columns


def hashed_columns(model: str) -> list[str]:
    (sql,) = MARTS.glob(f"*/{model}.sql")
    calls = ROW_HASH_CALL.findall(sql.read_text())
    assert len(calls) == 1, f"{model}: expected one row_hash([...]) call, found {len(calls)}"
    return re.findall(r"'([^']+)'", calls[0])


CONTRACTS = contract_columns()


def test_the_check_sees_every_destination_mart() -> None:
    # a glob that silently matched nothing would pass every case below
    sql_marts = {p.stem for p in MARTS.glob("*/*.sql") if "row_hash" in p.read_text()}
    sql_marts.discard("migration__lineage")  # names the column, does not compute it
    assert sql_marts, "no mart computes row_hash"
    assert sql_marts == set(CONTRACTS)


@pytest.mark.parametrize("model", sorted(CONTRACTS))
def test_row_hash_covers_every_sent_column(model: str) -> None:
    hashed = hashed_columns(model)
    sent = [name for name in CONTRACTS[model] if name not in NOT_HASHED]
    assert len(hashed) == len(set(hashed)), f"{model}: a column is hashed twice"
    assert not set(sent) - set(hashed), f"{model}: sent, not hashed: {set(sent) - set(hashed)}"
    assert not set(hashed) - set(sent), f"{model}: hashed, not sent: {set(hashed) - set(sent)}"
