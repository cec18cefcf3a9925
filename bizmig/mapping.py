"""`bizmig map propose` / `bizmig map confirm`: the custom-field mapping a person decides on.

``propose`` reads the Bizstim custom field definitions (``raw_bizstim.custom_fields``) and a
deterministic sample of their values (``raw_bizstim.client_details.custom_<id>``, current
snapshot) from the DuckDB file ``bizmig extract`` wrote (bizmig/mapping_raw.py), infers a
Twenty type and field name for each field (bizmig/mapping_infer.py) and appends the fields
the seed does not know as pending rows (bizmig/mapping_seed.py). Rows already in the seed are
never changed; their evidence is recomputed for display only. ``confirm`` records decisions
in the seed.
Decisions are per account: a seed row only applies when the account has that field, so rows
kept for another account (the shipped seed holds the sandbox account's) are never pending here.
Neither command talks to Bizstim or Twenty. Exit codes: 0 done · 2 usage / missing input.

The definitions come from ``customfields``, an endpoint the Bizstim reference does not document
(issue 11). When the extraction recorded it unavailable (``raw_bizstim._bizmig_endpoints``), or
it landed no definition at all, ``propose`` still proposes every ``custom_<id>`` column of the
current client details that holds values: named ``custom_<id>`` in the seed (the only name
the account gives it), typed from its values alone, and says so in its output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.markup import escape
from rich.table import Table

from bizmig.mapping_infer import describe_fit, infer_type, target_field_name
from bizmig.mapping_raw import (
    Definition,
    FieldSample,
    column_definitions,
    definitions_refusal,
    read_definitions,
    sample_values,
    snapshot_start,
    table_exists,
)
from bizmig.mapping_seed import (
    MappingSeed,
    SeedError,
    append_rows,
    decide,
    field_key,
    pending_row,
    read_seed,
    status_of,
    write_seed,
)
from common.exits import ExitCode
from common.settings import duckdb_path
from common.terminal import make_console

console = make_console(stderr=True)
out = make_console()
map_app = typer.Typer(
    help="Propose and confirm how Bizstim custom fields map to Twenty person fields.",
    no_args_is_help=True,
)

DEFAULT_SEED = Path("seeds/custom_field_map.csv")


@dataclass(frozen=True)
class FieldProposal:
    custom_field_id: str
    bizstim_field_name: str
    bizstim_type: str
    target_field_name: str
    target_field_type: str
    select_options: list[str]
    status: str  # added (new pending row) or the existing row's pending / migrate / skip
    evidence: str
    sampled_values: int
    non_empty_values: int


@dataclass
class ProposeReport:
    duckdb: str
    seed_file: str
    fields: list[FieldProposal]
    added: int
    seed_rows_without_definition: list[str]
    pending_rows: list[str]  # undecided seed rows of fields this account has (loads refuse)
    definitions_available: bool = True
    definitions_note: str = ""  # why the fields were proposed without definitions

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "fields": [asdict(f) for f in self.fields]}


def person_field_names(catalog_path: Path) -> list[str]:
    """Person fields the marts already send (seeds/twenty_field_catalog.csv)."""
    if not catalog_path.exists():
        raise SeedError(f"{catalog_path} does not exist (the static Twenty field catalog)")
    with duckdb.connect() as con:
        rows = con.execute(
            "select field_name from read_csv(?, header = true, all_varchar = true) "
            "where object_name = 'person'",
            [str(catalog_path)],
        ).fetchall()
    return [r[0] for r in rows]


def propose(duckdb_file: Path, seed: MappingSeed, catalog_path: Path, sample: int) -> ProposeReport:
    """Infer every definition's mapping and append new fields to ``seed`` (not written)."""
    if not duckdb_file.exists():
        raise SeedError(f"{duckdb_file} does not exist: run `bizmig extract` first")
    taken = [*person_field_names(catalog_path), *seed.target_names()]
    proposals: list[FieldProposal] = []
    with duckdb.connect(str(duckdb_file), read_only=True) as con:
        if not table_exists(con, "client_details"):
            raise SeedError(f"{duckdb_file} holds no raw_bizstim.client_details: run extract")
        since = snapshot_start(con)
        definitions = read_definitions(con, since)
        refusal = definitions_refusal(con)
        note = ""
        if not definitions:  # none current: unavailable, or an account without any
            definitions = column_definitions(con, since)
            note = _without_definitions_note(refusal, definitions)
        for definition in definitions:
            values = sample_values(con, definition.custom_field_id, since, sample)
            proposals.append(_proposal(definition, values, seed, taken))
    new_rows = [
        pending_row(
            p.bizstim_field_name,
            p.target_field_name,
            p.target_field_type,
            p.select_options,
            p.evidence,
        )
        for p in proposals
        if p.status == "added"
    ]
    added = append_rows(seed, new_rows)
    known = {field_key(d.name) for d in definitions}
    orphans = [
        r["bizstim_field_name"]
        for r in seed.rows
        if field_key(r["bizstim_field_name"]) not in known
    ]
    pending = [
        r["bizstim_field_name"]
        for r in seed.rows
        if status_of(r) == "pending" and field_key(r["bizstim_field_name"]) in known
    ]
    return ProposeReport(
        str(duckdb_file), str(seed.path), proposals, len(added), orphans, pending,
        definitions_available=refusal is None, definitions_note=note,
    )  # fmt: skip


def _without_definitions_note(refusal: str | None, columns: list[Definition]) -> str:
    why = (
        f"custom field definitions unavailable ({refusal})"
        if refusal is not None
        else "no custom field definitions were extracted"
    )
    if not columns:
        return f"{why}; client detail holds no custom_<id> field with values either"
    return (
        f"{why}; proposing the {len(columns)} custom_<id> field(s) found in client detail, "
        "named by id and typed from their values (their Bizstim names and types are unknown)"
    )


def _proposal(
    definition: Definition, sample: FieldSample, seed: MappingSeed, taken: list[str]
) -> FieldProposal:
    key = field_key(definition.name)
    existing = next((r for r in seed.rows if field_key(r["bizstim_field_name"]) == key), None)
    if existing is not None:
        options = [o for o in existing["select_options"].split("|") if o.strip()]
        shown_options = options or list(definition.options)
        evidence = describe_fit(existing["target_field_type"], sample.values, shown_options)
        return FieldProposal(
            definition.custom_field_id, definition.name, definition.bizstim_type,
            existing["target_field_name"], existing["target_field_type"], options,
            status_of(existing), f"kept as in the seed; {evidence}", len(sample.values),
            sample.non_empty,
        )  # fmt: skip
    label = definition.name or f"Custom field {definition.custom_field_id}"
    readable = f"Custom field {definition.custom_field_id}" if definition.from_column else label
    name = target_field_name(readable, definition.custom_field_id, taken)
    taken.append(name)
    inference = infer_type(definition.bizstim_type, definition.options, sample.values, name)
    evidence = (
        f"{sample.non_empty} current clients have a value, {len(sample.values)} sampled; "
        f"{inference.evidence}"
    )
    if definition.from_column:
        evidence = f"no definition (only the client detail column {label}); {evidence}"
    return FieldProposal(
        definition.custom_field_id, label, definition.bizstim_type, name,
        inference.target_field_type, list(inference.select_options), "added", evidence,
        len(sample.values), sample.non_empty,
    )  # fmt: skip


def _print_proposals(report: ProposeReport) -> None:
    table = Table(title=f"Custom fields → Twenty person fields ({report.seed_file})")
    for column in ("#", "id", "Bizstim field", "type", "Twenty field", "Twenty type", "status"):
        table.add_column(column)
    for number, f in enumerate(report.fields, 1):
        table.add_row(
            str(number), f.custom_field_id, escape(f.bizstim_field_name), f.bizstim_type,
            f.target_field_name, f.target_field_type, f.status,
        )  # fmt: skip
    out.print(table)
    for number, f in enumerate(report.fields, 1):
        out.print(f"[bold]{number}.[/] {escape(f.bizstim_field_name)}: {escape(f.evidence)}.")
    out.print(f"{report.added} new pending row(s) written to {report.seed_file}.")
    if report.definitions_note:
        out.print(f"[yellow]Note:[/] {escape(report.definitions_note)}.")
    if report.seed_rows_without_definition:
        what = "a definition" if report.definitions_available else "a field"
        out.print(
            f"[yellow]Seed rows without {what} in this account[/] (kept for other "
            "accounts; they apply to nothing here and never hold up a load): "
            f"{escape(', '.join(report.seed_rows_without_definition))}"
        )
    if report.pending_rows:
        out.print(
            f"Pending: {escape(', '.join(report.pending_rows))}. Review the rows, then "
            "`bizmig map confirm NAME…` (or --skip NAME, or --all); "
            "`bizmig load` refuses to start until this account's fields are decided."
        )


DuckdbOpt = Annotated[str | None, typer.Option("--duckdb", help="Staging DuckDB file.")]
SeedOpt = Annotated[Path, typer.Option("--seed-file", help="The custom_field_map seed CSV.")]


@map_app.command("propose")
def propose_command(
    duckdb_file: DuckdbOpt = None,
    seed_file: SeedOpt = DEFAULT_SEED,
    sample: Annotated[int, typer.Option(min=1, help="Values sampled per field.")] = 500,
    field_catalog: Annotated[
        Path | None,
        typer.Option(
            help="Static Twenty fields (default: twenty_field_catalog.csv beside the seed)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Infer a Twenty type and name for every Bizstim custom field; append new ones as pending."""
    catalog = field_catalog or seed_file.parent / "twenty_field_catalog.csv"
    try:
        seed = read_seed(seed_file, missing_ok=True)
        report = propose(duckdb_path(duckdb_file), seed, catalog, sample)
        if report.added or not seed_file.exists():
            write_seed(seed)
    except (SeedError, duckdb.Error) as error:
        console.print(f"[bold red]map propose failed:[/] {escape(str(error))}")
        raise typer.Exit(ExitCode.CONFIG) from error
    if as_json:
        out.print_json(json.dumps(report.as_json()))
    else:
        _print_proposals(report)


@map_app.command("confirm")
def confirm_command(
    names: Annotated[
        list[str] | None, typer.Argument(help="Fields to migrate (Bizstim or Twenty name).")
    ] = None,
    confirm_all: Annotated[
        bool, typer.Option("--all", help="Confirm every pending row as it stands.")
    ] = False,
    skip: Annotated[
        list[str] | None, typer.Option("--skip", help="Reviewed, do not migrate (repeatable).")
    ] = None,
    seed_file: SeedOpt = DEFAULT_SEED,
) -> None:
    """Record decisions: NAME → migrate; --skip NAME → never migrate; --all → the rest."""
    if not names and not skip and not confirm_all:
        console.print("[bold red]map confirm:[/] name the fields to confirm, --skip NAME or --all")
        raise typer.Exit(ExitCode.CONFIG)
    try:
        seed = read_seed(seed_file)
        changes = decide(seed, names or [], skip or [], confirm_all)
        if changes:
            write_seed(seed)
    except SeedError as error:
        console.print(f"[bold red]map confirm refused:[/] {escape(str(error))}")
        raise typer.Exit(ExitCode.CONFIG) from error
    _print_changes(seed, changes)


def _print_changes(seed: MappingSeed, changes: Sequence[Any]) -> None:
    if not changes:
        out.print(f"Nothing changed in {seed.path}: those decisions were already recorded.")
    else:
        table = Table(title=f"Decisions recorded in {seed.path}")
        for column in ("Bizstim field", "Twenty field", "before", "now"):
            table.add_column(column)
        for change in changes:
            table.add_row(
                escape(change.bizstim_field_name),
                change.target_field_name,
                change.before,
                change.after,
            )
        out.print(table)
    pending = [row["bizstim_field_name"] for row in seed.rows if status_of(row) == "pending"]
    if pending:
        out.print(
            f"[yellow]Still pending[/]: {escape(', '.join(pending))} (loads refuse while the "
            "account has one of these fields; see migration.migration__custom_fields)"
        )
    out.print("Run `dbt build` so the marts, field catalog and select options use the decisions.")
