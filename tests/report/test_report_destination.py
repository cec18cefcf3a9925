"""The report's counts and words are the chosen destination's, in a file that fed several.

Twenty, Pipedrive and Freshsales all name objects ``person``/``note``, and the closing story of
a Freshsales run said "66 refused by Twenty" (benchmark of stop 27): the ledger's counts were
read across destinations and the story's wording was fixed to Twenty.
"""

from __future__ import annotations

import duckdb

from report.db import ReportDb
from report.objects import ledger_counts, story


def _db() -> ReportDb:
    con = duckdb.connect()
    con.execute("create schema migration")
    con.execute(
        "create table migration.ledger_current as select * from (values "
        "('twenty', 'person', 'created'), ('twenty', 'person', 'created'), "
        "('freshsales', 'person', 'created'), ('freshsales', 'person', 'quarantined')) "
        "t(destination, object, action)"
    )
    return ReportDb(con)


def test_ledger_counts_are_the_destinations_own() -> None:
    db = _db()
    assert dict(ledger_counts(db, "twenty")["person"]) == {"created": 2}
    assert dict(ledger_counts(db, "freshsales")["person"]) == {"created": 1, "quarantined": 1}


def test_the_story_names_the_destination_that_refused() -> None:
    o = {
        "excluded": 0,
        "dbt_quarantined": 0,
        "merges": [],
        "merged": 0,
        "load_quarantined": 66,
        "not_loaded": 0,
        "loaded_available": True,
        "source_rows": 100,
        "mart_rows": 100,
        "loaded": 34,
        "destination_name": "Freshsales",
    }
    assert "66 refused by Freshsales" in story(o)
    assert "Twenty" not in story(o)
