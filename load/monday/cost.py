"""What a load into monday costs: calls against the plan's day, complexity against the minute,
ingest items against the hour (``bizmig scope --to monday``, ``bizmig load --dry-run``).

The day is what a migration engineer must see first: 1 000 calls on Standard (200 on Free), the
loader keeping 80 % (:mod:`load.monday.budget`). A one-item-per-call loader would need 50 days of
a Standard account for a 50 000-record account; the write path needs a few hundred calls, because
a board's rows go in ``ingest_items`` jobs of up to 10 000 rows (per group: a job names one
group) at three calls each (``ingest_items`` and at least two ``fetch_job_status`` polls: the
upload is a PUT and the report a GET, not API calls), and boards with fewer changed rows than
``MONDAY_INGEST_THRESHOLD`` (default 50) go as aliased mutations, 500 a document (the 5 000 000
cap at 10 000 a mutation, and half the minute). Notes go as aliased ``create_update`` documents,
after a read of the Contacts items' updates, 100 items a call, that finds the notes already there
by their ``[bizstim:<id>]`` markers. The schema (boards, groups, columns with the ``bizstim_id``
match column) costs a call per object created on a first load, one per ``seeds/monday_columns.csv``
row: on Free's 160 calls the schema alone is half the day.

Then the hour: monday's ingest lands 19 000 created+updated items per rolling hour per account,
so 50 000 records need three hours whatever the day allows; with ``MONDAY_MAX_WAIT_S`` under an
hour (default 600 s) the load stops (exit 14) when the hour is spent and the rerun resumes, so the
ETA is in hours. The minute (10 000 000 points) is waited for inside a run. The plan's ETA is the
allowance that makes the load wait longest (windows past the first, times the window's length),
printed in its own window: a 3-hour ingest inside one day's calls is "3 hours", not "3 days".

Reads are modelled as the loader reads (upper bounds, since the real adapter may read less): a
board's items by pages of 500 before writing and again for the reconcile, 5 000 points a page in
the decided complexity model (:mod:`load.monday.complexity`); a rerun after a stop re-reads the
boards, the users and every board's pages again, charged to every later day (``resume_reread``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from common.settings import _lookup, positive
from load.core.cost import Allowance as CostAllowance
from load.core.cost import CostLine, CostPlan, EntityRows, mart_counts, rows_from_results, seed_rows
from load.core.reconcile import reconcile
from load.monday import budget, complexity
from load.monday.specs import ITEM_SPECS, LOAD_ORDER

if TYPE_CHECKING:
    from load.core.loader import ObjectResult

CALLS, POINTS, ITEMS = "calls", "complexity", "ingest items"
DAY, HOUR, MINUTE = 86_400.0, 3_600.0, 60.0
JOB_ROWS = 10_000  # ingest_items' most rows a job (FILE_TOO_LARGE past it)
POLLS_PER_JOB = 2  # the stand-in keeps a job PROCESSING for one poll; monday at least as long
PAGE = 500  # items_page's most items a page
UPDATE_ITEMS_PER_READ = 100  # items(ids) takes at most 100 ids
DEFAULT_THRESHOLD = 50
SETUP_READS = 4  # me (the key check), the day used, boards (what exists), users(emails)
PAGE_POINTS = complexity.PER_ITEM * PAGE
# the reconcile's spot checks, one items(ids) call each
RECONCILE_SAMPLE: int = inspect.signature(reconcile).parameters["sample"].default
UPDATE_READ_POINTS = complexity.PER_ITEM * 2 * UPDATE_ITEMS_PER_READ


def threshold() -> int:
    raw = _lookup("monday_ingest_threshold")
    return positive("MONDAY_INGEST_THRESHOLD", raw, int) if raw else DEFAULT_THRESHOLD


def aliases_per_document(per_minute: int) -> int:
    """Item mutations a document carries: the 5M cap and half the minute (as the writer)."""
    most = complexity.MAX_PER_DOCUMENT // complexity.MUTATION
    return max(1, min(most, per_minute // 2 // complexity.MUTATION))


def pages(items: int) -> int:
    """Calls reading ``items`` by pages of 500 (an empty board is still one call)."""
    return max(1, math.ceil(items / PAGE))


@dataclass
class MondayCostPlan(CostPlan):
    """A plan whose ETA is the longest-lasting allowance's windows (allowances are in different
    windows: day, hour, minute); that allowance is listed first, so the printer names its window."""

    def eta_windows(self) -> int | None:
        if not self.allowances:
            return 1
        return self.windows(self.allowances[0]).windows


def board_line(
    singular: str, rows: EntityRows, groups: int, small_below: int, per_document: int
) -> CostLine:
    """A board's writes (ingest jobs, or aliased mutations for a small set) and its read."""
    sent = rows.created + rows.changed
    read_calls = pages(rows.held)
    reads = {CALLS: read_calls, POINTS: read_calls * PAGE_POINTS + complexity.PER_BOARD}
    read = f"read {read_calls} page(s) of {PAGE}"
    if not sent:
        return CostLine(singular, 0, "nothing to send", {}, reads, read)
    if sent < small_below:
        documents = math.ceil(sent / per_document)
        path = f"{documents} aliased mutation document(s) ({sent:,} < {small_below})"
        costs = {CALLS: documents, POINTS: sent * complexity.MUTATION}
        return CostLine(singular, sent, path, costs, reads, read)
    jobs = min(sent, math.ceil(sent / JOB_ROWS) + max(0, min(groups, sent) - 1))
    calls = jobs * (1 + POLLS_PER_JOB)
    points = jobs * (complexity.MUTATION + POLLS_PER_JOB * complexity.QUERY_FIELD)
    path = f"{jobs} ingest job(s), each ingest_items + {POLLS_PER_JOB} polls (PUT, report GET free)"
    return CostLine(singular, sent, path, {CALLS: calls, POINTS: points, ITEMS: sent}, reads, read)


def updates_line(rows: EntityRows, contacts_with_notes: int, per_document: int) -> CostLine:
    """Notes: the markers read over their Contacts items, then aliased create_update."""
    sent = rows.created + rows.changed
    read_calls = math.ceil(contacts_with_notes / UPDATE_ITEMS_PER_READ)
    reads = {CALLS: read_calls, POINTS: read_calls * UPDATE_READ_POINTS}
    documents = math.ceil(sent / per_document) if sent else 0
    path = f"{documents} aliased create_update document(s)" if sent else "nothing to send"
    costs = {CALLS: documents, POINTS: sent * complexity.MUTATION} if sent else {}
    detail = f"markers read on {contacts_with_notes:,} Contacts items, {read_calls} call(s)"
    return CostLine("update", sent, path, costs, reads, detail)


def setup_line(boards_missing: int, groups: int, columns: int) -> CostLine:
    """The schema on a first load (:mod:`load.monday.schema`): per board created a
    ``create_board`` and a read of it by id, a call per group and per column created; the
    boards listed (100 a page), the day's usage, the key check and the owners' users read."""
    created = boards_missing + groups + columns
    calls = 2 * boards_missing + groups + columns
    path = f"{boards_missing} boards + {groups} groups + {columns} columns created, 1 call each"
    reads = {CALLS: SETUP_READS, POINTS: 100 * complexity.PER_BOARD + 3 * complexity.QUERY_FIELD}
    costs = {CALLS: calls, POINTS: created * complexity.MUTATION} if created else {}
    return CostLine("(schema)", 0, path if created else "boards exist: reads only", costs, reads)


def monday_plan(
    rows: Mapping[str, EntityRows],
    limits: budget.Allowance,
    basis: str,
    schema: tuple[int, int, int],
    contacts_with_notes: int,
    service_groups: int = 1,
    used_today: int = 0,
    small_below: int = DEFAULT_THRESHOLD,
) -> MondayCostPlan:
    """The plan for ``rows`` per object; ``schema``: (boards, groups, columns) to create;
    the reconcile after the load reads every board's pages and the notes' markers again."""
    per_document = aliases_per_document(limits.per_minute)
    lines = [setup_line(*schema)]
    for spec in ITEM_SPECS:
        groups = service_groups if spec.singular == "service" else 1
        got = rows.get(spec.singular, EntityRows(0))
        lines.append(board_line(spec.singular, got, groups, small_below, per_document))
    lines.append(updates_line(rows.get("update", EntityRows(0)), contacts_with_notes, per_document))
    after = {s.singular: _held_after(rows.get(s.singular)) for s in ITEM_SPECS}
    reconcile_pages = sum(pages(held) for held in after.values())
    marker_reads = math.ceil(contacts_with_notes / UPDATE_ITEMS_PER_READ)
    spots = min(RECONCILE_SAMPLE, sum(after.values()))
    lines.append(
        CostLine(
            "(reconcile)",
            0,
            f"{sum(after.values()):,} items read again by pages + notes' markers + {spots} "
            "spot checks",
            {},
            {
                CALLS: 1 + reconcile_pages + marker_reads + spots,
                POINTS: reconcile_pages * PAGE_POINTS
                + marker_reads * UPDATE_READ_POINTS
                + spots * complexity.PER_ITEM,
            },
        )
    )
    reread_calls = SETUP_READS + reconcile_pages + marker_reads
    stops_hourly = limits.max_wait < HOUR
    allowances = [
        CostAllowance(CALLS, limits.daily, DAY, limits.share, used_today, limits.source),
        CostAllowance(ITEMS, limits.items_per_hour, HOUR, 1.0, 0, "monday's ingest budget"),
        CostAllowance(POINTS, limits.per_minute, MINUTE, 1.0, 0, "per token"),
    ]
    reread = {CALLS: reread_calls}
    plan = MondayCostPlan("monday", basis, lines, allowances, [], reread, False)
    plan.allowances.sort(key=lambda a: -_lasts(plan, a))
    first = plan.allowances[0]
    plan.waits_between_windows = first.window == MINUTE or (
        first.unit == ITEMS and not stops_hourly
    )
    plan.notes = _notes(plan, limits, stops_hourly)
    return plan


def _lasts(plan: CostPlan, allowance: CostAllowance) -> float:
    """Seconds an allowance makes the load wait past the window it starts in (inf: never
    finishes); the day fits 477 calls while 47 160 ingest items take three hours."""
    windows = plan.windows(allowance).windows
    return math.inf if windows is None else (windows - 1) * allowance.window


def _notes(plan: CostPlan, limits: budget.Allowance, stops_hourly: bool) -> list[str]:
    calls, items, points = plan.total(CALLS), plan.total(ITEMS), plan.total(POINTS)
    return [
        f"The day: {limits.stop_at:,} calls of {limits.daily:,} for this load "
        f"({limits.share:.0%}); about {calls:,} calls take {calls / limits.stop_at:.2f} day(s); "
        "every call counts, refused ones too; reset 00:00 UTC, then the same command resumes.",
        f"The ingest hour: {items:,} items at {limits.items_per_hour:,} an hour take at least "
        f"{items / limits.items_per_hour:.2f} h"
        + (
            f"; MONDAY_MAX_WAIT_S={limits.max_wait:,.0f} s is under an hour, so the load stops "
            "(exit 14) when the hour is spent and each rerun re-reads the boards."
            if stops_hourly and items > limits.items_per_hour
            else "."
        ),
        f"The minute: {points:,} complexity points at {limits.per_minute:,} a minute "
        f"(≥ {points / limits.per_minute:.1f} min, waited for inside the run); points by the "
        "decided model (10 000 a mutation, 10 an item read, 100 a board).",
        "Rows whose value became empty go as mutations, not ingest (an empty cell clears "
        "nothing): a few more calls than counted here.",
    ]


def _held_after(rows: EntityRows | None) -> int:
    return 0 if rows is None else rows.held + rows.created


# -- record counts --------------------------------------------------------------------------


def rows_from_inventory(records: Mapping[str, int]) -> dict[str, EntityRows]:
    """Upper bounds from ``bizmig scope``'s inventory: a Practitioners item per practitioner
    and staff member, a Services item per service, a Contacts item per client, an item per
    payment and session, seven Availability items per availability id (one per weekday),
    and a note (update) per client."""
    clients = records.get("clients", 0)
    counts = {
        "practitioner": records.get("practitioners", 0) + records.get("staffs", 0),
        "service": records.get("services", 0),
        "contact": clients,
        "payment": records.get("payments", 0),
        "session": records.get("sessions", 0),
        "availability": 7 * records.get("availability", 0),
        "update": clients,
    }
    return {name: EntityRows(n) for name, n in counts.items()}


def schema_to_create(duckdb_path: Path | None, service_groups: int) -> tuple[int, int, int]:
    """Boards, groups and columns a first load creates: the seeds' boards, a group per board
    (a group per service group on Services), the seed's columns (``bizstim_id`` among them)."""
    boards = [r for r in seed_rows(duckdb_path, "monday_boards") if r.get("board")]
    columns = seed_rows(duckdb_path, "monday_columns")
    groups = len(boards) - 1 + service_groups if boards else 0
    return len(boards), groups, len(columns)


def mart_figures(duckdb_path: Path | None) -> tuple[int, int] | None:
    """(service groups, Contacts items with notes) from the built marts, None if unreadable."""
    if duckdb_path is None or not duckdb_path.exists():
        return None
    try:
        with duckdb.connect(str(duckdb_path), read_only=True) as con:
            groups = con.execute(
                "select count(distinct group_title) from marts.monday__services"
            ).fetchone()
            noted = con.execute(
                "select count(distinct item__external_id) from marts.monday__updates"
            ).fetchone()
    except duckdb.Error:  # not built yet, or held open by this process's ledger
        return None
    return max(1, int(groups[0])) if groups else 1, int(noted[0]) if noted else 0


# -- the plans the CLI prints ---------------------------------------------------------------


def scope_plan(inventory: Mapping[str, int], duckdb_path: Path | None) -> MondayCostPlan:
    """``bizmig scope --to monday``: exact from the marts when built (a first load into an
    account without the boards), else the inventory's upper bounds."""
    counts = mart_counts(duckdb_path, [spec.relation for spec in LOAD_ORDER])
    figures = mart_figures(duckdb_path)
    if counts is not None and figures is not None:
        rows = {s.singular: EntityRows(counts[s.relation]) for s in LOAD_ORDER}
        basis = "the built marts (exact, first load)"
        service_groups, noted = figures
    else:
        rows = rows_from_inventory(inventory)
        basis = "the Bizstim inventory (≤ estimate)"
        service_groups = max(1, rows["service"].created)
        noted = min(rows["contact"].created, rows["update"].created)
    return monday_plan(
        rows,
        budget.allowance(),
        basis,
        schema_to_create(duckdb_path, service_groups),
        noted,
        service_groups,
        small_below=threshold(),
    )


def dry_run_plan(destination: Any, results: Sequence[ObjectResult]) -> MondayCostPlan:
    """``bizmig load --dry-run --to monday``: the rows the load would send, against the client's
    day as counted so far (:class:`~load.monday.budget.DailyCalls`); the schema as an upper
    bound (a dry run does not create it, so it is counted as if every board were missing)."""
    client = getattr(destination, "client", None)
    daily = getattr(client, "daily", None)
    limits = getattr(client, "allowance", None)
    if not isinstance(limits, budget.Allowance):
        limits = budget.allowance()
    used = daily.used if isinstance(daily, budget.DailyCalls) else 0
    rows = rows_from_results(results)
    staging = getattr(getattr(destination, "ledger", None), "path", None)
    figures = mart_figures(Path(staging)) if staging else None
    contacts = rows.get("contact", EntityRows(0))
    notes = rows.get("update", EntityRows(0))
    service_groups, noted = figures or (
        max(1, rows.get("service", EntityRows(0)).created),
        min(contacts.created + contacts.held, notes.created + notes.held),
    )
    return monday_plan(
        rows,
        limits,
        "the dry run (exact: rows the load would send)",
        schema_to_create(None, service_groups),
        noted,
        service_groups,
        used,
        threshold(),
    )
