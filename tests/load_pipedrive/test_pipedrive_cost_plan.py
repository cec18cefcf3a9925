"""The Pipedrive token plan (issue 15, Budget): tokens per object, ETA in days.

Checked on known sizes: one call a record at its spec price (a v2 write 5, a v1 note 10), a
listing page per 500 records held, the schema and users reads, a resume's re-read charged to
every later day, and scope reading exact counts from built marts, else the inventory.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

from load.pipedrive.budget import TokenAllowance
from load.pipedrive.cost import (
    TOKENS,
    EntityRows,
    entity_line,
    pipedrive_plan,
    rows_from_inventory,
    scope_plan,
)
from load.pipedrive.specs import LOAD_ORDER


def test_one_call_a_record_at_its_price_and_a_listing_page_per_500_held() -> None:
    persons = entity_line("person", EntityRows(1_200, 300, held=600))
    assert persons.costs == {TOKENS: 1_500 * 5} and persons.reads == {TOKENS: 2 * 10}
    assert persons.path == "1,200 POST + 300 PATCH"
    notes = entity_line("note", EntityRows(1_001, 2, held=501))
    assert notes.costs == {TOKENS: 1_001 * 10 + 2 * 10}  # v1: POST and PUT at 10
    assert notes.reads == {TOKENS: 2 * 20} and notes.path == "1,001 POST + 2 PUT"
    assert entity_line("product", EntityRows(0)).reads == {TOKENS: 10}  # an empty listing


def test_eta_in_days_charges_every_later_day_the_re_read() -> None:
    rows = {"person": EntityRows(10_000)}
    day = TokenAllowance(daily=31_375, burst=20, share=0.8)  # room 25 100 a day
    plan = pipedrive_plan(rows, day, "test", fields_to_create=6)
    setup = 4 * 10 + 6 * 5  # four *Fields listings, six fields created
    listings = 20 * 10 + 4 * 10 + 20  # 10 000 persons: 20 pages; four other v2 lists; notes
    assert plan.total(TOKENS) == setup + 22 + 50_000 + 5 * 10 + 20  # users 2 + 20, a page each
    assert plan.resume_reread == {TOKENS: 40 + 22 + listings}
    per_day = 25_100 - plan.resume_reread[TOKENS]
    # 50 160 tokens: without the re-read two days would hold them; with it, three
    assert plan.eta_windows() == 1 + math.ceil((plan.total(TOKENS) - 25_100) / per_day) == 3
    roomy = TokenAllowance(daily=300_000, burst=40)  # a five-seat Growth account
    assert pipedrive_plan(rows, roomy, "test", 6).eta_windows() == 1


def test_payments_cost_twice_as_notes_as_as_deals() -> None:
    inventory = {"clients": 100, "practitioners": 5, "staffs": 3, "payments": 1_000}
    as_notes = rows_from_inventory(inventory, "notes")
    as_deals = rows_from_inventory(inventory, "deals")
    assert as_notes["person"].created == 108 and as_notes["note"].created == 1_100
    assert (as_deals["deal"].created, as_deals["note"].created) == (1_000, 100)
    day = TokenAllowance(daily=30_000, burst=20)
    gap = pipedrive_plan(as_notes, day, "t", 0).total(TOKENS)
    gap -= pipedrive_plan(as_deals, day, "t", 0).total(TOKENS)
    assert gap == 1_000 * (10 - 5)  # the listings before a first load are one page each


def test_scope_counts_the_built_marts_exactly_and_takes_the_configured_day(
    tmp_path: Path,
) -> None:
    staging = tmp_path / "staging.duckdb"
    with duckdb.connect(str(staging)) as con:
        con.execute("create schema marts")
        for spec in LOAD_ORDER:
            rows = 2_000 if spec.singular == "activity" else 3
            con.execute(f"create table {spec.relation} as select range as i from range({rows})")
    plan = scope_plan({"clients": 999_999}, staging, daily_tokens=9_000)
    assert "exact" in plan.basis
    activity = next(line for line in plan.lines if line.object == "activity")
    assert (activity.records, activity.costs) == (2_000, {TOKENS: 10_000})
    assert plan.lines[-1].object == "(reconcile)"  # bizmig migrate reconciles the same day
    (day,) = plan.allowances
    assert (day.limit, day.room) == (9_000, 7_200) and "configured" in day.source
    assert plan.eta_windows() == 2
