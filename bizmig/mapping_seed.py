"""The custom-field mapping seed (seeds/custom_field_map.csv) as rows a person and the CLI edit.

Decision semantics (models/intermediate/int_custom_fields__mapping.sql reads the same):

* ``decision``: ``migrate`` or ``skip``: what happens to the field once confirmed;
* ``confirmed``: ``true`` once a person made that decision. A row that is not confirmed is
  pending: ``bizmig load`` refuses to start while a pending row names a custom field the
  account has (migration__custom_fields, load/twenty/catalog.py); rows for fields the account does
  not have apply to nothing.

So a proposal is a row with ``decision=migrate, confirmed=false``; ``map confirm NAME`` makes it
``migrate, true``; ``map confirm --skip NAME`` makes it ``skip, true`` (reviewed, never migrated).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bizmig.mapping_infer import FIELD_TYPES

SEED_COLUMNS = (
    "bizstim_field_name",
    "target_field_name",
    "target_field_type",
    "label",
    "select_options",
    "decision",
    "confirmed",
    "review_note",
    "evidence",
)
# Seed columns renamed when the shared layers stopped naming one destination (issue 13): a
# project's own seeds written before keep working. read_seed reads the old names; before each
# build, upgrade_seed_headers renames them in the file (header line only, atomically) so a
# plain `dbt build` reads them too.
LEGACY_COLUMNS = {
    "custom_field_map.csv": {
        "twenty_field_name": "target_field_name",
        "twenty_type": "target_field_type",
    },
    "bizstim_code_labels.csv": {"twenty_value": "option_value"},
    "bizstim_weekdays.csv": {"twenty_value": "day_name"},
}
MIGRATE, SKIP = "migrate", "skip"
TRUE_WORDS = ("true", "1", "yes", "t")  # as load/twenty/catalog.py reads `confirmed`

Row = dict[str, str]


class SeedError(ValueError):
    """The seed file cannot be used as asked (missing, malformed, unknown field names)."""


@dataclass
class MappingSeed:
    path: Path
    columns: list[str]
    rows: list[Row] = field(default_factory=list)

    def find(self, name: str) -> Row | None:
        """The row naming this field: its Bizstim name (any case) or its target field name."""
        wanted = name.strip().lower()
        for row in self.rows:
            if field_key(row["bizstim_field_name"]) == wanted:
                return row
        for row in self.rows:
            if row["target_field_name"].strip().lower() == wanted:
                return row
        return None

    def field_keys(self) -> set[str]:
        return {field_key(row["bizstim_field_name"]) for row in self.rows}

    def target_names(self) -> list[str]:
        return [row["target_field_name"].strip() for row in self.rows if row["target_field_name"]]


def field_key(bizstim_field_name: str) -> str:
    """How the seed matches a Bizstim field: name trimmed, case-insensitive (as dbt does)."""
    return bizstim_field_name.strip().lower()


def is_confirmed(row: Row) -> bool:
    return row.get("confirmed", "").strip().lower() in TRUE_WORDS


def status_of(row: Row) -> str:
    """pending, migrate or skip (a confirmed row with any other decision counts as pending,
    as in dbt, whose seed test rejects it)."""
    decision = row.get("decision", "").strip().lower()
    if is_confirmed(row) and decision in (MIGRATE, SKIP):
        return decision
    return "pending"


def read_seed(path: Path, missing_ok: bool = False) -> MappingSeed:
    if not path.exists():
        if missing_ok:
            return MappingSeed(path, list(SEED_COLUMNS))
        raise SeedError(f"{path} does not exist")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        renamed = LEGACY_COLUMNS["custom_field_map.csv"]
        header = [renamed.get(name, name) for name in reader.fieldnames or []]
        reader.fieldnames = header
        if "bizstim_field_name" not in header:
            raise SeedError(f"{path} has no bizstim_field_name column (header: {header})")
        rows = [{k: (v or "") for k, v in raw.items() if k is not None} for raw in reader]
    columns = header + [c for c in SEED_COLUMNS if c not in header]
    for row in rows:
        for column in columns:
            row.setdefault(column, "")
        if "decision" not in header:  # a seed from before decisions: a confirmed row migrates
            row["decision"] = MIGRATE
    return MappingSeed(path, columns, rows)


def upgrade_seed_headers(seeds_dir: Path) -> list[str]:
    """Rename LEGACY_COLUMNS in the header line of the seeds in ``seeds_dir``, in place; the
    rows are left byte for byte. One line per file changed, saying what was renamed."""
    changed: list[str] = []
    for name, renames in LEGACY_COLUMNS.items():
        path = seeds_dir / name
        if not path.exists():
            continue
        text = path.read_bytes().decode("utf-8")  # not read_text: it would turn CRLF into LF
        first, newline, rest = text.partition("\n")
        ending = "\r" if first.endswith("\r") else ""  # a seed saved with CRLF keeps it
        header = next(csv.reader([first.removesuffix("\r")]))
        old = [column for column in header if column in renames]
        if not old:
            continue
        new_header = ",".join(renames.get(column, column) for column in header)
        _replace_atomically(path, new_header + ending + newline + rest)
        changed.append(f"{path}: renamed column {', '.join(f'{c} → {renames[c]}' for c in old)}")
    return changed


def _replace_atomically(path: Path, text: str) -> None:
    handle, temp_name = tempfile.mkstemp(dir=path.parent, suffix=".csv.tmp")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp_name, path)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)


def write_seed(seed: MappingSeed) -> None:
    """Rewrite the file atomically (a crash never leaves half a seed)."""
    seed.path.parent.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=seed.columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(seed.rows)
    _replace_atomically(seed.path, out.getvalue())


def pending_row(
    bizstim_field_name: str,
    target_field_name: str,
    target_field_type: str,
    select_options: Sequence[str],
    evidence: str,
) -> Row:
    return {
        "bizstim_field_name": bizstim_field_name,
        "target_field_name": target_field_name,
        "target_field_type": target_field_type,
        "label": bizstim_field_name.strip(),
        "select_options": "|".join(select_options),
        "decision": MIGRATE,
        "confirmed": "false",
        "review_note": "",
        "evidence": evidence,
    }


def append_rows(seed: MappingSeed, rows: Iterable[Row]) -> list[Row]:
    """Append rows for fields the seed does not know yet; existing rows are never touched."""
    added = []
    for row in rows:
        if field_key(row["bizstim_field_name"]) in seed.field_keys():
            continue
        complete = {column: row.get(column, "") for column in seed.columns}
        seed.rows.append(complete)
        added.append(complete)
    return added


@dataclass(frozen=True)
class DecisionChange:
    bizstim_field_name: str
    target_field_name: str
    before: str  # pending / migrate / skip
    after: str


def decide(
    seed: MappingSeed,
    migrate: Sequence[str] = (),
    skip: Sequence[str] = (),
    confirm_all: bool = False,
) -> list[DecisionChange]:
    """Record decisions in the seed rows (not written yet).

    ``migrate`` / ``skip``: field names (Bizstim or Twenty) to confirm with that decision;
    ``confirm_all``: also confirm every other pending row with the decision it holds.
    Raises SeedError, changing nothing, for unknown names or a name given both ways.
    """
    unknown = [name for name in (*migrate, *skip) if seed.find(name) is None]
    if unknown:
        known = ", ".join(row["bizstim_field_name"] for row in seed.rows) or "none"
        raise SeedError(
            f"unknown field(s): {', '.join(unknown)} (not in {seed.path}; known: {known}; "
            "run `bizmig map propose` to add the account's fields)"
        )
    migrate_rows = [row for row in map(seed.find, migrate) if row is not None]
    skip_rows = [row for row in map(seed.find, skip) if row is not None]
    skipped_ids = {id(row) for row in skip_rows}
    both = [row["bizstim_field_name"] for row in migrate_rows if id(row) in skipped_ids]
    if both:
        raise SeedError(f"both migrate and --skip given for: {', '.join(both)}")
    targets = [(row, MIGRATE) for row in migrate_rows] + [(row, SKIP) for row in skip_rows]
    if confirm_all:
        named = {id(row) for row, _ in targets}
        for row in seed.rows:
            if id(row) not in named and status_of(row) == "pending":
                held = row["decision"].strip().lower()
                targets.append((row, held if held in (MIGRATE, SKIP) else MIGRATE))
    incomplete = [
        row["bizstim_field_name"]
        for row, decision in targets
        if decision == MIGRATE
        and (
            not row["target_field_name"].strip()
            or row["target_field_type"].strip().upper() not in FIELD_TYPES
        )
    ]
    if incomplete:
        raise SeedError(
            f"cannot migrate {', '.join(incomplete)}: fill in target_field_name and a "
            f"target_field_type ({', '.join(FIELD_TYPES)}) in {seed.path} first, or --skip it"
        )
    changes = []
    for row, decision in targets:
        before = status_of(row)
        row["decision"], row["confirmed"] = decision, "true"
        if before != decision:
            changes.append(
                DecisionChange(
                    row["bizstim_field_name"], row["target_field_name"], before, decision
                )
            )
    return changes
