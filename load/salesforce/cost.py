"""Salesforce's cost model: per object the write path, API requests and Bulk batches a load needs.

A Salesforce org allows a number of API requests per rolling 24 h shared by every integration
(115 000 for an Enterprise org with 15 licences, 15 000 for a Developer Edition), and 15 000
Bulk batches per 24 h (one per 10 000 records); the adapter stops itself at 80 % of each
(``SALESFORCE_LIMIT_SHARE``: the same share of requests and of batches) and exits 14, and the
rerun resumes (issue 14 part 4). A load that uses Bulk reads ``GET /limits`` once for the
batches left (one request, again on every resume).
So whether a migration takes one day or five is known before it starts, from three numbers:
records per object, the write path the adapter takes for them, and the org's allocation.

The write path mirrors :mod:`load.salesforce.writes` with its own constants (imported, never
restated): the core hands the adapter batches of :data:`~load.salesforce.bulk.JOB_ROWS` rows;
a batch of at least ``SALESFORCE_BULK_THRESHOLD`` rows is one Bulk API 2.0 job, a smaller one
is ``⌈rows / 200⌉`` sObject Collections requests (:data:`~load.salesforce.collections.CAP`);
ContentNote and ContentDocumentLink always go through Collections (no External ID). A Bulk job
costs at least :data:`BULK_JOB_REQUESTS`: create, upload, close, two polls (the first poll after
closing answers ``InProgress``, so a job is never seen ended before the second), and the three
result files; and ``⌈rows / 10 000⌉`` Bulk batches. Rows a job fails go once more through
Collections: that is above the minimum, so the plan is the least a load can cost. Reading an
object before writing costs a describe and one SOQL page per 2 000 records held
(:data:`READ_PAGE`). Schema setup on a new org (Metadata reads and writes, FieldPermissions) is
not in the lines: it is paid once, before the first object.

Where it is shown, and why both: ``bizmig scope --to salesforce`` answers before anything is
extracted, so its counts are the Bizstim inventory's upper bounds until the marts are built
(then exact for a first load): on the 3 066-record benchmark account the inventory said 4 247
records and 50 requests, the marts 3 584 and 49 — close enough to decide between one day and
five, not to promise. ``bizmig load --dry-run --to salesforce`` knows exactly which rows a load
(or a resume, or the delta cutover) would send, because it has read the org; it costs a
describe and a read per object, which is why scope does not do it.

The allocation is the org's own ``GET /limits`` (``DailyApiRequests``, ``DailyBulkApiBatches``:
max and remaining) when the org is reachable; otherwise the configured or assumed figures,
and the plan says which.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from common.addresses import Unreachable, WrongAddress, check_reachable
from common.settings import DEFAULT_BULK_THRESHOLD, DEFAULT_LIMIT_SHARE, SalesforceSettings
from load.core.cost import Allowance, CostLine, CostPlan, mart_counts
from load.core.loader import ObjectResult
from load.core.reconcile import reconcile
from load.core.transport import DestinationError
from load.salesforce.bulk import JOB_ROWS
from load.salesforce.client import SalesforceClient
from load.salesforce.collections import CAP
from load.salesforce.reads import IN_CHUNK
from load.salesforce.specs import LOAD_ORDER, has_external_id

if TYPE_CHECKING:
    from load.salesforce.adapter import SalesforceDestination

REQUESTS, BATCHES = "API requests", "Bulk batches"
DAY = 86_400.0
# create job, upload, close, 2 polls, successfulResults, failedResults, unprocessedrecords
BULK_JOB_REQUESTS = 8
READ_PAGE = 2_000  # SOQL rows per page
ASSUMED_REQUESTS = 115_000  # Enterprise Edition with 15 licences (destinations.md §1.4)
ASSUMED_BATCHES = 15_000  # Bulk API batches per rolling 24 h (destinations-2.md §1.2)
# objects with create-only fields (PricebookEntry.Product2Id, Pricebook2Id): created and
# updated rows of one batch go as two writes (load/salesforce/writes.py)
SPLIT_ON_UPDATE = ("PricebookEntry",)
# records reconcile fetches one by one (its default; bizmig migrate runs it after the load)
RECONCILE_SAMPLE: int = inspect.signature(reconcile).parameters["sample"].default


@dataclass(frozen=True)
class ObjectRows:
    """Rows the load sends (``created``, ``changed`` = updated or restored) and records of the
    migration the org already holds (what the read before writing pages through)."""

    created: int
    changed: int = 0
    held: int = 0

    @property
    def sent(self) -> int:
        return self.created + self.changed


def write_cost(obj: str, rows: ObjectRows, threshold: int) -> CostLine:
    """The minimum writes and the read for one object."""
    groups = [rows.sent]
    if obj in SPLIT_ON_UPDATE or not has_external_id(obj):
        groups = [rows.created, rows.changed]
    requests = jobs = batches = collections = 0
    for group in groups:
        for start in range(0, group, JOB_ROWS):
            size = min(JOB_ROWS, group - start)
            if has_external_id(obj) and size >= threshold:
                jobs += 1
                requests += BULK_JOB_REQUESTS
                batches += math.ceil(size / JOB_ROWS)
            else:
                collections += math.ceil(size / CAP)
    requests += collections
    path = " + ".join(
        part
        for part in (
            f"Bulk: {jobs} job{'s' * (jobs != 1)}" if jobs else "",
            f"Collections: {collections}" if collections else "",
        )
        if part
    )
    reads = 1 + max(1, math.ceil(rows.held / READ_PAGE))  # describe + SOQL pages
    return CostLine(
        obj,
        rows.sent,
        path or "nothing to send",
        {REQUESTS: requests, BATCHES: batches},
        {REQUESTS: reads},
    )


def salesforce_plan(
    rows: Mapping[str, ObjectRows],
    allowances: list[Allowance],
    basis: str,
    threshold: int = DEFAULT_BULK_THRESHOLD,
    reconcile_sample: int | None = None,
) -> CostPlan:
    """The plan for ``rows`` per object (objects absent or empty cost their read only);
    with ``reconcile_sample``, the reconcile that follows (``bizmig migrate`` runs it, in the
    same daily allocation): every record read back and that many fetched one by one."""
    lines = [
        write_cost(spec.singular, rows.get(spec.singular, ObjectRows(0)), threshold)
        for spec in LOAD_ORDER
    ]
    notes = rows.get("ContentNote", ObjectRows(0))
    link_reads = math.ceil((notes.held + notes.created) / IN_CHUNK)  # links by IN (notes)
    for line in lines:
        if line.object == "ContentDocumentLink":
            line.reads = {REQUESTS: 1 + max(1, link_reads)}
    held_after = sum(r.held + r.created for r in rows.values())
    reread = len(LOAD_ORDER) + math.ceil(held_after / READ_PAGE) + link_reads
    limits = 1 if any(line.costs.get(BATCHES) for line in lines) else 0  # batches left
    if limits:
        lines.append(CostLine("(Bulk batches left)", 0, "GET /limits", {}, {REQUESTS: 1}))
    if reconcile_sample is not None:
        lines.append(
            CostLine(
                "(reconcile)",
                0,
                f"read back {held_after:,} + {reconcile_sample} spot checks",
                {},
                {REQUESTS: reread + min(reconcile_sample, held_after)},
            )
        )
    notes = [
        f"Bulk API 2.0 from {threshold:,} records per object, one job per {JOB_ROWS:,} rows "
        f"(≥ {BULK_JOB_REQUESTS} requests and one Bulk batch each); below, {CAP} records per "
        "Collections request. Minimum: rows Salesforce refuses go once more through "
        "Collections; schema setup on a new org adds its Metadata and permission requests once.",
        f"A resume re-reads what the load already wrote: up to {reread:,} requests "
        f"(a describe per object, a page per {READ_PAGE:,} records, note links {IN_CHUNK} notes "
        "a query), charged to every day after the first. Bulk polls past two a job depend on "
        "how long the org takes (about 4 a job in the 200 000-record benchmark).",
    ]
    return CostPlan("salesforce", basis, lines, allowances, notes, {REQUESTS: reread + limits})


def assumed_allowances(
    share: float = DEFAULT_LIMIT_SHARE,
    daily_requests: int | None = None,
    daily_batches: int | None = None,
) -> list[Allowance]:
    """Without the org: the given allocation ("configured"), else an Enterprise org's."""
    source = "configured" if daily_requests else "assumed (Enterprise, 15 licences)"
    return [
        Allowance(REQUESTS, daily_requests or ASSUMED_REQUESTS, DAY, share, source=source),
        Allowance(
            BATCHES,
            daily_batches or ASSUMED_BATCHES,
            DAY,
            share,
            source="configured" if daily_batches else "assumed (Salesforce's cap)",
        ),
    ]


def org_allowances(client: SalesforceClient, share: float = DEFAULT_LIMIT_SHARE) -> list[Allowance]:
    """The org's own allocation and what is used of it now (one API request: ``GET /limits``)."""
    body = client.data("GET", "/limits")

    def allowance(unit: str, name: str, unit_share: float) -> Allowance:
        entry = body.get(name) or {}
        most = int(entry.get("Max", 0))
        used = most - int(entry.get("Remaining", most))
        return Allowance(unit, most, DAY, unit_share, used, f"the org's /limits ({name})")

    return [
        allowance(REQUESTS, "DailyApiRequests", share),
        allowance(BATCHES, "DailyBulkApiBatches", share),  # the adapter stops at it too
    ]


# -- record counts --------------------------------------------------------------------------


def rows_from_marts(counts: Mapping[str, int]) -> dict[str, ObjectRows]:
    """Mart row counts (``relation → rows``) as a first load into an org without them."""
    return {spec.singular: ObjectRows(counts.get(spec.relation, 0)) for spec in LOAD_ORDER}


def rows_from_inventory(records: Mapping[str, int]) -> dict[str, ObjectRows]:
    """Upper bounds from ``bizmig scope``'s inventory (records per Bizstim endpoint), before
    any mart exists: an Account per client household plus one for the staff; a Contact per
    client, practitioner and staff member (the seed rule routes some clients to Lead instead:
    same total); Product2 and a PricebookEntry per service; a payment record per payment
    (Bizstim_Payment__c or Opportunity, one of them); an Event per session; an availability
    record per weekday of each availability id (7); a note and its link per client."""
    clients = records.get("clients", 0)
    services = records.get("services", 0)
    counts = {
        "Account": clients + 1,
        "Contact": clients + records.get("practitioners", 0) + records.get("staffs", 0),
        "Product2": services,
        "PricebookEntry": services,
        "Bizstim_Payment__c": records.get("payments", 0),
        "Event": records.get("sessions", 0),
        "Bizstim_Availability__c": 7 * records.get("availability", 0),
        "ContentNote": clients,
        "ContentDocumentLink": clients,
    }
    return {obj: ObjectRows(n) for obj, n in counts.items()}


def rows_from_results(results: Sequence[ObjectResult]) -> dict[str, ObjectRows]:
    """What a dry run found: created rows, changed rows, and the migration's records held."""
    out = {}
    for r in results:
        changed = r.actions.get("updated", 0) + r.actions.get("restored", 0)
        held = changed + r.actions.get("unchanged", 0)
        out[r.object] = ObjectRows(r.actions.get("created", 0), changed, held)
    return out


# -- the plans the CLI prints ---------------------------------------------------------------


def scope_plan(
    inventory: Mapping[str, int],
    duckdb_path: Path | None,
    settings: SalesforceSettings | None,
    daily_requests: int | None = None,
) -> CostPlan:
    """``bizmig scope --to salesforce``: exact from the marts when they are built (a first
    load), else the inventory's upper bounds; the org's /limits when it can be asked."""
    counts = mart_counts(duckdb_path, [spec.relation for spec in LOAD_ORDER])
    if counts is not None:
        rows, basis = rows_from_marts(counts), "the built marts (exact, first load)"
    else:
        rows, basis = rows_from_inventory(inventory), "the Bizstim inventory (≤ estimate)"
    share = settings.limit_share if settings else DEFAULT_LIMIT_SHARE
    threshold = settings.bulk_threshold if settings else DEFAULT_BULK_THRESHOLD
    allowances = assumed_allowances(share, daily_requests)
    if settings is not None and daily_requests is None:
        allowances = _org_or(settings, allowances)
    return salesforce_plan(rows, allowances, basis, threshold, RECONCILE_SAMPLE)


def _org_or(settings: SalesforceSettings, fallback: list[Allowance]) -> list[Allowance]:
    from load.salesforce.session import login  # the adapter's own login

    try:
        check_reachable("SALESFORCE_INSTANCE_URL", settings.instance_url)
        client = login(settings)
    except (WrongAddress, Unreachable, DestinationError, OSError) as exc:
        return [replace(a, source=f"{a.source}; the org did not answer: {exc}") for a in fallback]
    try:
        return org_allowances(client, settings.limit_share)
    finally:
        client.close()


def dry_run_plan(destination: SalesforceDestination, results: Sequence[ObjectResult]) -> CostPlan:
    """``bizmig load --dry-run --to salesforce``: exactly the rows the load would send, against
    the org's allocation as ``/limits`` reports it now."""
    settings = destination.settings
    return salesforce_plan(
        rows_from_results(results),
        org_allowances(destination.client, settings.limit_share),
        "the dry run (exact: rows the load would send)",
        settings.bulk_threshold,
        RECONCILE_SAMPLE,
    )
