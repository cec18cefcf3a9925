"""Freshsales' cost model: requests per object, per read and per setup call, and the ETA in hours.

Freshsales counts requests, every one alike, against the account's hour: 1 000 on Free and
Growth, 2 000 on Pro, 5 000 on Enterprise, of which the loader keeps to 80 %
(:mod:`load.freshsales.budget`). Every record is one call: an upsert on ``cf_bizstim_id`` for
contacts, sales accounts and deals (``POST /api/<module>/upsert``), a create or a ``PUT`` by id
for CPQ products, appointments and notes, which have no upsert; unchanged rows cost nothing.
At 800 requests an hour a 20 000-record account is a day of loading (destinations-2.md §3.2: "10 h
per 10k contacts"), so ``bizmig scope --to freshsales`` and ``bizmig load --dry-run --to
freshsales`` print the plan before the first write: per object the calls it takes, and beside
them what the loader reads first: ``GET /api/<module>/filters`` and one view page per 100
records held for contacts, sales accounts and deals, one page per 100 for products (the id map
a lost answer is settled from), nothing for appointments and notes (the API lists neither; the
ledger is their id map).

Besides the objects: the fields of the four custom-field modules (``GET /api/settings/<module>/
fields`` every run); the custom fields the seed asks for are a checklist an admin works through
in Freshsales' settings (0 requests), or, behind ``FRESHSALES_FIELDS_API=1``, a ``POST`` each and
the fields read again; ``GET /api/selector/owners`` twice a run (the key check before anything
is read, then the load's client, which maps owners by e-mail); and, for ``bizmig migrate``, the
reconcile: owners once more, the four listings again, one ``GET /api/contacts/{id}?include=
notes,appointments`` per contact with appointments and again per contact with notes (each
module reads its own), and the spot checks' one ``GET`` a sampled record. Measured on a
2 087-record run: the reconcile's 189 requests were 1 + 13 + 94 + 36 - 4 (two refused
contacts) + 50, where a plan of "listings and one read per contact" said 107.
Behind ``FRESHSALES_BULK_UPSERT=1`` (its body shape is unconfirmed, §7) the three upsert modules
go 100 records a ``bulk_upsert`` job, each job polled about twice at ``/api/job_statuses``.

Whether the ETA costs re-reads depends on ``FRESHSALES_MAX_WAIT_S``: at its default (4 000 s,
more than the hour) the loader waits inside one run for its rolling hour to free up, so nothing
is read twice; below an hour it stops (exit 14) when the hour is spent, and every rerun starts
with the fields, owners and listings over what is written by then, and one ``GET`` of each contact
whose appointments or notes are written (they have no listing; the 20 113-record benchmark's five
resumes read 3 127 contacts so), charged to every later hour.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from common.settings import _lookup
from load.core.cost import (
    Allowance,
    CostLine,
    CostPlan,
    EntityRows,
    mart_counts,
    payments_target,
    rows_from_results,
    seed_rows,
)
from load.core.loader import ObjectResult
from load.core.reconcile import reconcile
from load.freshsales.budget import HOUR, HourlyPacer, RequestAllowance, request_allowance
from load.freshsales.client import PAGE
from load.freshsales.specs import KEY_FIELD, LOAD_ORDER, MODULES

REQUESTS = "requests"
BULK_BATCH = 100  # records a bulk_upsert job takes (one client's figure, §3.2)
POLLS_PER_JOB = 2  # the adapter polls at once, then after a backoff
OWNER_READS = 2  # a run's key check (preflight), then the load's client
RECONCILE_SAMPLE: int = inspect.signature(reconcile).parameters["sample"].default
SETTINGS_SEED = "freshsales_settings"
FIELD_MODULES = tuple(m.fields_module for m in MODULES.values() if m.fields_module)


def flag(name: str) -> bool:
    """A FRESHSALES_* switch (environment or ``.dlt`` TOML), off unless 1/true/yes."""
    return str(_lookup(name.lower()) or "").strip().lower() in ("1", "true", "yes")


def listing_requests(singular: str, held: int) -> int:
    """What the id map of ``singular`` costs over ``held`` records: the views' filters call
    and a page per 100 (an empty listing is still one request); 0 where the API lists none."""
    module = MODULES[singular]
    if module.listed_as is None:
        return 0
    return max(1, math.ceil(held / PAGE)) + (1 if module.upsert else 0)


def entity_line(singular: str, rows: EntityRows, bulk: bool = False) -> CostLine:
    """One call a record sent (or a bulk job per 100 and its polls), and the listing."""
    module = MODULES[singular]
    sent = rows.created + rows.changed
    listing = listing_requests(singular, rows.held)
    if not sent:
        writes, path = 0, "nothing to send"
    elif bulk and module.upsert:
        jobs = math.ceil(sent / BULK_BATCH)
        writes, path = jobs * (1 + POLLS_PER_JOB), f"{jobs:,} bulk_upsert + {jobs * 2:,} polls"
    elif module.upsert:
        writes, path = sent, f"{sent:,} upsert"
    else:
        calls = ((rows.created, "POST"), (rows.changed, "PUT"))
        writes, path = sent, " + ".join(f"{n:,} {method}" for n, method in calls if n)
    read = f"listing {listing} request(s)" if listing else "no listing (ledger is the id map)"
    return CostLine(singular, sent, path, {REQUESTS: writes}, {REQUESTS: listing}, read)


def fields_line(fields_wanted: int, create_by_api: bool) -> CostLine:
    """The four fields reads; the seed's fields as the admin's checklist, or POSTed (flag)."""
    reads = len(FIELD_MODULES)
    if create_by_api:
        return CostLine(
            "(custom fields)",
            0,
            f"{reads} GET fields + ≤{fields_wanted} POST (FRESHSALES_FIELDS_API) + {reads} again",
            {REQUESTS: fields_wanted},
            {REQUESTS: 2 * reads},
        )
    return CostLine(
        "(custom fields)",
        0,
        f"{reads} GET fields; {fields_wanted} fields: checklist for an admin, 0 requests",
        {},
        {REQUESTS: reads},
    )


def freshsales_plan(
    rows: Mapping[str, EntityRows],
    allowance: RequestAllowance,
    basis: str,
    fields_wanted: int,
    used_now: int = 0,
    reconcile_contacts: int | None = None,
    reconcile_sample: int = RECONCILE_SAMPLE,
    bulk: bool = False,
    create_fields: bool = False,
) -> CostPlan:
    """The plan for ``rows`` per object (objects absent cost their listing only); with
    ``reconcile_contacts`` (contacts with appointments plus contacts with notes), the
    reconcile ``bizmig migrate`` runs after the load, in the same hour's requests."""
    setup = fields_line(fields_wanted, create_fields)
    owners = CostLine(
        "(owners)", 0, f"{OWNER_READS} GET /api/selector/owners", {}, {REQUESTS: OWNER_READS}
    )
    lines = [setup, owners]
    lines += [
        entity_line(s.singular, rows.get(s.singular, EntityRows(0)), bulk) for s in LOAD_ORDER
    ]
    after = {s.singular: _held_after(rows.get(s.singular)) for s in LOAD_ORDER}
    listings = sum(listing_requests(name, held) for name, held in after.items())
    if reconcile_contacts is not None:
        listed = sum(held for name, held in after.items() if MODULES[name].listed_as)
        spots = min(reconcile_sample, sum(after.values()))
        lines.append(
            CostLine(
                "(reconcile)",
                0,
                f"owners + {listed:,} records listed again + {reconcile_contacts:,} contact "
                f"reads + {spots} spot checks",
                {},
                {REQUESTS: 1 + listings + reconcile_contacts + spots},
            )
        )
    total = sum(line.total(REQUESTS) for line in lines)
    waits = allowance.max_wait >= HOUR
    # appointments and notes are found again through their contacts (no listing of their own)
    parents = reconcile_contacts
    if parents is None:
        parents = parents_at_most({name: EntityRows(0, 0, held) for name, held in after.items()})
    reread = 0 if waits else len(FIELD_MODULES) + OWNER_READS + listings + parents
    notes = [
        "One request a record: an upsert on cf_bizstim_id for contacts, sales accounts and "
        "deals, a POST or PUT for products, appointments and notes (no upsert); unchanged rows "
        "cost nothing. Listings also page through the account's own records, so this is the "
        "least the load costs."
        + (
            f" FRESHSALES_BULK_UPSERT=1: {BULK_BATCH} records a bulk_upsert job, "
            f"{POLLS_PER_JOB} polls each (format unconfirmed)."
            if bulk
            else ""
        ),
        f"The hour: {allowance.stop_at:,} requests of {allowance.hourly:,} for this load, so "
        f"sending about {total:,} requests takes at least {total / allowance.stop_at:.1f} h"
        + (
            f" (and {total / allowance.per_minute:.0f} min at {allowance.per_minute} a minute)."
            if allowance.per_minute
            else "."
        ),
        f"FRESHSALES_MAX_WAIT_S={allowance.max_wait:,.0f} s: the loader waits for its rolling "
        "hour inside one run; nothing is read twice."
        if waits
        else f"FRESHSALES_MAX_WAIT_S={allowance.max_wait:,.0f} s is under an hour: the load "
        f"stops (exit 14) when the hour is spent, and each rerun first reads up to {reread:,} "
        "requests again (fields, owners, listings, the contacts of appointments and notes), "
        "charged to every later hour.",
    ]
    allowances = [
        Allowance(REQUESTS, allowance.hourly, HOUR, allowance.share, used_now, allowance.source)
    ]
    return CostPlan("freshsales", basis, lines, allowances, notes, {REQUESTS: reread}, waits)


def _held_after(rows: EntityRows | None) -> int:
    return 0 if rows is None else rows.held + rows.created


# -- record counts --------------------------------------------------------------------------


def rows_from_marts(counts: Mapping[str, int]) -> dict[str, EntityRows]:
    """Mart row counts (``relation → rows``) as a first load into an account without them."""
    return {spec.singular: EntityRows(counts.get(spec.relation, 0)) for spec in LOAD_ORDER}


def rows_from_inventory(records: Mapping[str, int], payments_as: str) -> dict[str, EntityRows]:
    """Upper bounds from ``bizmig scope``'s inventory, before any mart exists: a sales account
    per client at most (the routing seed chooses the households), a contact per client,
    practitioner and staff member, a product per service, an appointment per session, a note
    per client, and a note (or a deal, by ``payments_as``) per payment."""
    clients, payments = records.get("clients", 0), records.get("payments", 0)
    counts = {
        "sales_account": clients,
        "contact": clients + records.get("practitioners", 0) + records.get("staffs", 0),
        "product": records.get("services", 0),
        "deal": payments if payments_as == "deals" else 0,
        "appointment": records.get("sessions", 0),
        "note": clients + (0 if payments_as == "deals" else payments),
    }
    return {name: EntityRows(n) for name, n in counts.items()}


def wanted_field_count(duckdb_path: Path | None) -> int:
    """Custom fields the seed asks for, plus ``cf_bizstim_id`` per custom-field module (from
    the built seed where it is built, else ``seeds/freshsales_fields.csv``)."""
    wanted = {(m, KEY_FIELD) for m in FIELD_MODULES}
    wanted |= {
        (str(r.get("module")), str(r.get("name")))
        for r in seed_rows(duckdb_path, "freshsales_fields")
    }
    return len(wanted)


def contacts_with_children(duckdb_path: Path | None) -> int | None:
    """Contact reads of the reconcile: the contacts appointments point at plus those notes
    point at (each module reads its own; None when the marts cannot be read)."""
    marts = [f"marts.freshsales__{m}" for m in ("appointments", "notes")]
    try:
        if duckdb_path is None or mart_counts(duckdb_path, marts) is None:
            return None
        with duckdb.connect(str(duckdb_path), read_only=True) as con:
            return sum(
                int(
                    con.execute(f"select count(distinct contact__external_id) from {m}").fetchone()[
                        0
                    ]
                )
                for m in marts
            )
    except duckdb.Error:  # held open by this process's ledger, or marts of another shape
        return None


def parents_at_most(rows: Mapping[str, EntityRows]) -> int:
    """Contact reads of the reconcile where the marts cannot tell: at most one per contact, or
    per appointment or note where they are fewer, for each of the two modules."""
    contact = rows.get("contact", EntityRows(0))
    contacts = contact.created + contact.held
    children = (rows.get(m, EntityRows(0)) for m in ("appointment", "note"))
    return sum(min(contacts, c.created + c.held) for c in children)


# -- the plans the CLI prints ---------------------------------------------------------------


def scope_plan(inventory: Mapping[str, int], duckdb_path: Path | None) -> CostPlan:
    """``bizmig scope --to freshsales``: exact from the marts when they are built (a first
    load), else the inventory's upper bounds, against the configured hour."""
    counts = mart_counts(duckdb_path, [spec.relation for spec in LOAD_ORDER])
    if counts is not None:
        rows, basis = rows_from_marts(counts), "the built marts (exact, first load)"
        contacts = contacts_with_children(duckdb_path) or 0
    else:
        rows = rows_from_inventory(inventory, payments_target(duckdb_path, SETTINGS_SEED))
        basis = "the Bizstim inventory (≤ estimate)"
        contacts = parents_at_most(rows)
    return freshsales_plan(
        rows,
        request_allowance(),
        basis,
        wanted_field_count(duckdb_path),
        reconcile_contacts=contacts,
        bulk=flag("FRESHSALES_BULK_UPSERT"),
        create_fields=flag("FRESHSALES_FIELDS_API"),
    )


def dry_run_plan(destination: Any, results: Sequence[ObjectResult]) -> CostPlan:
    """``bizmig load --dry-run --to freshsales``: exactly the rows the load would send, against
    the client's hour and what the account reported as used in it. The reconcile's contact
    reads are counted over the marts of the ledger's staging file, else as an upper bound
    (:func:`parents_at_most`); the fields over the seed's CSV."""
    pacer = getattr(getattr(destination, "client", None), "pacer", None)
    if isinstance(pacer, HourlyPacer):
        allowance, used = pacer.allowance, pacer.used_this_hour
    else:
        allowance, used = request_allowance(), 0
    rows = rows_from_results(results)
    staging = getattr(getattr(destination, "ledger", None), "path", None)
    contacts = contacts_with_children(Path(staging)) if staging else None
    if contacts is None:
        contacts = parents_at_most(rows)
    return freshsales_plan(
        rows,
        allowance,
        "the dry run (exact: rows the load would send)",
        wanted_field_count(None),
        used,
        contacts,
        bulk=flag("FRESHSALES_BULK_UPSERT"),
        create_fields=flag("FRESHSALES_FIELDS_API"),
    )
