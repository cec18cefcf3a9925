"""`scope`'s column check: the fields one probed record has against what the mapping expects.

A real account may serve fewer fields than the sandbox simulates: the first docs-only account
lacked the five columns staging read (``sessions.session_date`` among them), and nobody knew
until ``dbt build`` ran after an extraction that had spent hours of request budget. ``scope``
already fetches one record of every list (``/{list}/0/1``, for its ``total``), so comparing that
record's fields with the declared columns costs no request and tells the engineer, before the
extraction, which expected columns this account does not serve (and whether the mapping needs
them) and which fields it sends that nothing maps.

The expected columns are declared once, in ``models/staging/bizstim/_bizstim__sources.yml``
(the ``bizstim_source`` macro reads the same list), and ``seeds/bizstim_field_aliases.csv``
names other columns a real account may use for them. Field names are compared after dlt's
snake_case normalisation, as they land. One record is a sample: a field an account leaves
out of some records only is caught by the build's ``migration__source_columns``, the
complete check over every landed row (client detail included, which scope does not fetch).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from dlt.common.normalizers.naming.snake_case import NamingConvention

PROJECT_DIR = Path(__file__).resolve().parents[1]
SOURCES_YML = PROJECT_DIR / "models" / "staging" / "bizstim" / "_bizstim__sources.yml"
ALIASES_CSV = PROJECT_DIR / "seeds" / "bizstim_field_aliases.csv"
CUSTOM_PREFIX = "custom_"


@dataclass(frozen=True)
class ExpectedColumn:
    name: str
    documented: bool
    needed: bool
    if_absent: str


@dataclass
class ColumnCheck:
    """One raw table's sampled record against its declared columns."""

    table: str
    sampled: bool  # false: the account holds no record to sample
    absent: list[ExpectedColumn] = field(default_factory=list)
    aliased: dict[str, str] = field(default_factory=dict)  # expected → the account's name
    extra: list[str] = field(default_factory=list)  # served, declared nowhere

    @property
    def absent_needed(self) -> list[str]:
        return [c.name for c in self.absent if c.needed]

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "sampled": self.sampled,
            "absent": [
                {"column": c.name, "documented": c.documented, "needed": c.needed,
                 "if_absent": c.if_absent}
                for c in self.absent
            ],
            "aliased": self.aliased,
            "extra": self.extra,
        }  # fmt: skip


@cache
def expected_columns(sources_yml: Path = SOURCES_YML) -> dict[str, tuple[ExpectedColumn, ...]]:
    """Raw table → the columns the mapping expects, as ``_bizstim__sources.yml`` declares them."""
    document = yaml.safe_load(sources_yml.read_text())
    out: dict[str, tuple[ExpectedColumn, ...]] = {}
    for source in document.get("sources", []):
        for table in source.get("tables", []):
            out[table["name"]] = tuple(
                ExpectedColumn(
                    column["name"],
                    bool((column.get("meta") or {}).get("documented")),
                    bool((column.get("meta") or {}).get("needed")),
                    str((column.get("meta") or {}).get("if_absent") or ""),
                )
                for column in table.get("columns", [])
            )
    return out


def aliases(aliases_csv: Path = ALIASES_CSV) -> dict[tuple[str, str], str]:
    """(raw table, expected column) → the column name a real account uses instead."""
    if not aliases_csv.is_file():
        return {}
    with aliases_csv.open(newline="") as handle:
        return {
            (row["source_table"], row["canonical_column"]): row["account_column"]
            for row in csv.DictReader(handle)
            if row.get("account_column")
        }


def check_record(table: str, record: dict[str, Any] | None) -> ColumnCheck:
    """Compare one served record's fields (as dlt will name them) with ``table``'s columns."""
    if record is None:
        return ColumnCheck(table, sampled=False)
    naming = NamingConvention()
    served = {naming.normalize_identifier(str(key)) for key in record}
    declared = expected_columns().get(table, ())
    alias_of = aliases()
    check = ColumnCheck(table, sampled=True)
    for column in declared:
        if column.name in served:
            continue
        alias = alias_of.get((table, column.name))
        if alias and alias in served:
            check.aliased[column.name] = alias
        else:
            check.absent.append(column)
    known = {c.name for c in declared} | set(check.aliased.values())
    check.extra = sorted(
        name for name in served - known if not name.startswith(CUSTOM_PREFIX)
    )
    return check
