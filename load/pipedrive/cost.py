"""Pipedrive's cost model: tokens per object, per read and per setup call, and the ETA in days.

Pipedrive has no bulk record write (destinations-2.md §2.2): every record is one call, 5 tokens
for a v2 create or update and 10 for a v1 note, against a day of 30 000 * plan multiplier *
seats tokens of which the loader keeps to 80 % (:mod:`load.pipedrive.budget`). The 20 113-record
benchmark account is 125 762 tokens (benchmarks/RESULTS.md): one day of a five-seat Growth
account, three of a one-seat one, and nothing but the arithmetic tells which before the first
write. So ``bizmig scope --to pipedrive`` and ``bizmig load --dry-run --to pipedrive`` print,
per object, the records and the calls they take (one a record: ``POST`` what is new,
``PATCH``/``PUT`` what changed, nothing for unchanged rows), priced by
:mod:`load.pipedrive.token_costs`, and beside the writes what the loader reads first: one
listing of the entity (10 tokens a page of 500, a v1 notes page 20), which is the id map the
plan matches on; never a search (20 a record).

Besides the objects: custom-field setup (a ``GET *Fields`` per entity with custom fields and
5 tokens a field the account lacks: the seed's fields plus "Bizstim ID" per entity; a rerun
creates none), the users (``GET /v1/users/me`` proves the token, 2 tokens; ``GET /v1/users``
matches owners by e-mail, 20), and, for ``bizmig migrate``, the reconcile after the load
(every entity listed again and a sample fetched one by one).
A day after the first starts with the same reads over what is written by then (the schema,
the users, every listing): :meth:`~load.core.cost.CostPlan.windows` charges it to every later
day. Listings page through the account's own records of the entity too, which the plan cannot
know before reading them: it counts the migration's, so it is the least a load can cost.

The allowance is the configured plan and seats (or ``PIPEDRIVE_DAILY_TOKENS``), or Lite with one
seat where nothing is configured; a dry run adds what the account reported as spent today
where it reports it. The 2 s burst (20-120 requests by plan) is printed as the least time the
sending can take: for a 20 000-record account on Lite, 2 000 s at 20 requests per 2 s.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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
from load.pipedrive.budget import TokenAllowance, TokenPacer, allowance_for, token_allowance
from load.pipedrive.specs import ENTITIES, KEY, LOAD_ORDER
from load.pipedrive.token_costs import (
    cost_of,
    create_cost,
    page_cost,
    page_size,
    update_cost,
    update_method,
)

TOKENS = "tokens"
DAY = 86_400.0
USERS = "/v1/users"
SETTINGS_SEED = "pipedrive_settings"
RECONCILE_SAMPLE: int = inspect.signature(reconcile).parameters["sample"].default
FIELD_ENTITIES = tuple(name for name, e in ENTITIES.items() if e.custom_fields)


def pages(path: str, records: int) -> int:
    """Pages of a listing over ``records`` (an empty listing is still one request)."""
    return max(1, math.ceil(records / page_size(path)))


def entity_line(singular: str, rows: EntityRows) -> CostLine:
    """One call a record sent, and the listing that finds what the account holds."""
    path = ENTITIES[singular].path
    create, update = create_cost(path), update_cost(path)
    listing = pages(path, rows.held)
    sent = ((rows.created, "POST"), (rows.changed, update_method(path)))
    calls = [f"{n:,} {method}" for n, method in sent if n]
    return CostLine(
        singular,
        rows.created + rows.changed,
        " + ".join(calls) or "nothing to send",
        {TOKENS: rows.created * create + rows.changed * update},
        {TOKENS: listing * page_cost(path)},
        f"{create} tokens a create, {update} an update; listing {listing} page(s) of "
        f"{page_size(path)} at {page_cost(path)}",
    )


def schema_line(fields_to_create: int) -> CostLine:
    """A ``GET *Fields`` per entity with custom fields, a ``POST`` per field missing."""
    listings = sum(cost_of("GET", ENTITIES[e].fields_path or "") for e in FIELD_ENTITIES)
    post = cost_of("POST", ENTITIES[FIELD_ENTITIES[0]].fields_path or "")
    return CostLine(
        "(custom fields)",
        0,
        f"{len(FIELD_ENTITIES)} GET *Fields + {fields_to_create} fields POSTed",
        {TOKENS: fields_to_create * post},
        {TOKENS: listings},
    )


def pipedrive_plan(
    rows: Mapping[str, EntityRows],
    allowance: TokenAllowance,
    basis: str,
    fields_to_create: int,
    used_today: int = 0,
    reconcile_sample: int | None = None,
) -> CostPlan:
    """The plan for ``rows`` per entity (entities absent or empty cost their listing only);
    with ``reconcile_sample``, the reconcile ``bizmig migrate`` runs after the load, in the same
    day's tokens."""
    setup = schema_line(fields_to_create)
    users = cost_of("GET", f"{USERS}/me") + cost_of("GET", USERS)  # the token, then owners
    owners = CostLine("(users)", 0, f"GET {USERS}/me + GET {USERS}", {}, {TOKENS: users})
    lines = [setup, owners]
    lines += [entity_line(s.singular, rows.get(s.singular, EntityRows(0))) for s in LOAD_ORDER]
    after = {s.singular: _held_after(rows.get(s.singular)) for s in LOAD_ORDER}
    listings = sum(
        pages(ENTITIES[name].path, held) * page_cost(ENTITIES[name].path)
        for name, held in after.items()
    )
    reread = setup.reads[TOKENS] + owners.reads[TOKENS] + listings
    if reconcile_sample is not None:
        held = sum(after.values())
        spot = min(reconcile_sample, held) * max(
            cost_of("GET", f"{ENTITIES[s.singular].path}/{{id}}") for s in LOAD_ORDER
        )
        lines.append(
            CostLine(
                "(reconcile)",
                0,
                f"list {held:,} again + {reconcile_sample} spot checks",
                {},
                {TOKENS: listings + spot},
            )
        )
    requests = len(FIELD_ENTITIES) + fields_to_create + 2  # *Fields listings, POSTs, users
    for spec in LOAD_ORDER:
        sent = rows.get(spec.singular, EntityRows(0))
        requests += sent.created + sent.changed + pages(ENTITIES[spec.singular].path, sent.held)
        if reconcile_sample is not None:
            requests += pages(ENTITIES[spec.singular].path, after[spec.singular])
    if reconcile_sample is not None:
        requests += min(reconcile_sample, sum(after.values()))
    floor = requests * 2.0 / allowance.burst
    notes = [
        "One call a record (Pipedrive has no bulk write): 5 tokens a v2 create or update, "
        "10 a v1 note; before writing, one listing per entity (10 tokens a page of 500, 20 a "
        "page of v1 notes), never a search (20 tokens a record). Listings also page through "
        "the account's own records, so this is the least the load costs.",
        f"A day after the first starts by reading again what is written by then: up to "
        f"{reread:,} tokens (fields, users, every listing), charged to every later day.",
        f"Burst: {allowance.burst} requests per 2 s, so sending about {requests:,} requests takes "
        f"at least {_duration(floor)}.",
    ]
    allowances = [
        Allowance(TOKENS, allowance.daily, DAY, allowance.share, used_today, allowance.source)
    ]
    return CostPlan("pipedrive", basis, lines, allowances, notes, {TOKENS: reread})


def _held_after(rows: EntityRows | None) -> int:
    return 0 if rows is None else rows.held + rows.created


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7_200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3_600:.1f} h"


# -- record counts --------------------------------------------------------------------------


def rows_from_marts(counts: Mapping[str, int]) -> dict[str, EntityRows]:
    """Mart row counts (``relation → rows``) as a first load into an account without them."""
    return {spec.singular: EntityRows(counts.get(spec.relation, 0)) for spec in LOAD_ORDER}


def rows_from_inventory(records: Mapping[str, int], payments_as: str) -> dict[str, EntityRows]:
    """Upper bounds from ``bizmig scope``'s inventory (records per Bizstim endpoint), before
    any mart exists: an organization per client at most (the routing seed chooses which
    households become one), a person per client, practitioner and staff member, a product per
    service, an activity per session, a note per client, and a note (or a deal, by
    ``payments_as``) per payment. Availability goes into person fields: no records."""
    clients, payments = records.get("clients", 0), records.get("payments", 0)
    counts = {
        "organization": clients,
        "person": clients + records.get("practitioners", 0) + records.get("staffs", 0),
        "product": records.get("services", 0),
        "deal": payments if payments_as == "deals" else 0,
        "activity": records.get("sessions", 0),
        "note": clients + (0 if payments_as == "deals" else payments),
    }
    return {name: EntityRows(n) for name, n in counts.items()}


def wanted_field_count(duckdb_path: Path | None) -> int:
    """Custom fields a fresh account lacks: the seed's, plus "Bizstim ID" per entity (read from
    the built seeds where they are built, else from ``seeds/pipedrive_fields.csv``)."""
    rows = seed_rows(duckdb_path, "pipedrive_fields")
    wanted = {(e, KEY) for e in FIELD_ENTITIES}
    wanted |= {(str(r.get("entity")), str(r.get("field_key"))) for r in rows}
    return len(wanted)


# -- the plans the CLI prints ---------------------------------------------------------------


def scope_plan(
    inventory: Mapping[str, int], duckdb_path: Path | None, daily_tokens: int | None = None
) -> CostPlan:
    """``bizmig scope --to pipedrive``: exact from the marts when they are built (a first
    load), else the inventory's upper bounds; the configured allowance (``daily_tokens``, from
    ``--daily-api-requests``, wins)."""
    counts = mart_counts(duckdb_path, [spec.relation for spec in LOAD_ORDER])
    if counts is not None:
        rows, basis = rows_from_marts(counts), "the built marts (exact, first load)"
    else:
        rows = rows_from_inventory(inventory, payments_target(duckdb_path, SETTINGS_SEED))
        basis = "the Bizstim inventory (≤ estimate)"
    allowance = token_allowance()
    if daily_tokens is not None:
        chosen = allowance_for(daily_tokens=daily_tokens, share=allowance.share)
        allowance = TokenAllowance(
            chosen.daily,
            allowance.burst,
            allowance.share,
            "configured (--daily-api-requests, in tokens)",
        )
    fields = wanted_field_count(duckdb_path)
    return pipedrive_plan(rows, allowance, basis, fields, reconcile_sample=RECONCILE_SAMPLE)


def dry_run_plan(destination: Any, results: Sequence[ObjectResult]) -> CostPlan:
    """``bizmig load --dry-run --to pipedrive``: exactly the rows the load would send, against
    the client's allowance and what the account reported as spent today. Custom fields are
    counted as a fresh account needs them (at most ``wanted_field_count``: 5 tokens each)."""
    pacer = getattr(getattr(destination, "client", None), "pacer", None)
    if isinstance(pacer, TokenPacer):
        allowance, used = pacer.allowance, pacer.used_today
    else:
        allowance, used = token_allowance(), 0
    return pipedrive_plan(
        rows_from_results(results),
        allowance,
        "the dry run (exact: rows the load would send)",
        wanted_field_count(None),
        used,
        RECONCILE_SAMPLE,
    )
