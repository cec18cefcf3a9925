"""The bad-input corpus: every hostile class reaches its expected outcome and, for the records
it touched, source rows = loaded + quarantined + excluded by a named rule."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.bizstim.hostile import CATALOG
from tests.hostile.conftest import PLURALS, Migrated

EMPTY = (None, "", [], {})


def _at(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def test_the_corpus_has_at_least_30_classes_each_with_an_outcome():
    assert len(CATALOG) >= 30
    outcomes = {"loaded", "repaired", "quarantined", "excluded", "recovered"}
    assert all(c.outcome in outcomes and c.rule for c in CATALOG.values())


def test_the_migration_finishes_and_reconciles(migrated: Migrated):
    assert migrated.exit_code == 0
    assert set(migrated.manifest["classes"]) == set(CATALOG)
    uneven = migrated.sql("select object_name, source_table, source_rows, mapped, quarantined, "
                          "excluded from migration.migration__reconciliation where not adds_up")
    assert uneven == []


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_class_outcome(migrated: Migrated, outcome_table: list[dict[str, Any]], name: str):
    spec = CATALOG[name]
    outcome = migrated.outcome(name)
    outcome_table.append(outcome.row())
    assert outcome.touches, "the class touched no record"
    # every touched source row is accounted for
    unaccounted = {t: f for t, f in outcome.fates.items()
                   if f[0] not in ("loaded", "quarantined", "excluded")}
    assert unaccounted == {}
    assert len(outcome.touches) == sum(outcome.count(f) for f in
                                       ("loaded", "quarantined", "excluded"))
    deleted = {("payment", "payments", e["deleted"]) for e in migrated.events
               if e["class"] == "deleted_mid_extraction"}
    for touch, (fate, rule) in outcome.fates.items():
        if touch in deleted:
            assert (fate, rule) == ("excluded", "not_in_current_snapshot")
        elif spec.outcome in ("quarantined", "excluded"):
            assert (fate, rule) == (spec.outcome, spec.rule), touch
        else:
            assert fate == "loaded", (touch, fate, rule)
    value_rules = {r for *_, r, impact in migrated.quarantine if impact == "value_kept_raw"}
    if spec.outcome == "repaired" and spec.rule in value_rules | {"value_not_typed_left_empty"}:
        ids = {i for _, _, i in outcome.touches} | {f"client:{i}" for _, _, i in outcome.touches}
        reported = {i for o, _, i, r, _ in migrated.quarantine if r == spec.rule and i in ids}
        assert reported, f"no {spec.rule} row in migration__quarantine for {ids}"
    for plural, bizstim_id, path, expected in migrated.manifest["classes"][name]["checks"]:
        record = migrated.records(plural).get(bizstim_id)
        assert record is not None, f"{bizstim_id} is not in Twenty"
        value = _at(record, path)
        if expected is None:
            assert value in EMPTY, (bizstim_id, path, value)
        elif path in ("rawEmails", "rawPhones"):
            assert expected in (value or ""), (bizstim_id, path, value)
        else:
            assert value == expected, (bizstim_id, path, value)


def test_every_loaded_touch_is_in_twenty(migrated: Migrated):
    """The ledger says loaded; the Twenty stand-in must hold the record too."""
    for name in CATALOG:
        for touch, (fate, _) in migrated.outcome(name).fates.items():
            if fate != "loaded":
                continue
            target = migrated.dispositions[touch][2]
            assert target in migrated.records(PLURALS[touch[0]]), (name, touch)


def _pages(migrated: Migrated, method: str) -> list[dict[str, Any]]:
    return [r for r in migrated.requests if r["path"].startswith(f"/api/{method}/")]


def test_shifting_pages_are_listed_again_and_nothing_is_lost(migrated: Migrated):
    passes = dict(migrated.sql("select table_name, passes from raw_bizstim._bizmig_list_passes"))
    assert passes["payments"] >= 2  # total changed between pages: listed again
    assert all(n == 1 for t, n in passes.items() if t != "payments")
    listed = migrated.sql("select count(*) from staging.stg_bizstim__payments "
                          "where is_in_current_snapshot")[0][0]
    from sandbox.bizstim.store import counts

    assert listed == counts(migrated.bizstim_db)["payments"]  # every payment, once
    pages = [r for r in _pages(migrated, "payments") if r["path"].endswith("/100")]
    assert len(pages) > -(-listed // 100)


def test_html_answers_are_retried(migrated: Migrated):
    services = [r for r in _pages(migrated, "services") if r["path"] == "/api/services/0/100"]
    assert [r["status"] for r in services][:2] == [200, 200] and len(services) == 2
    target = migrated.manifest["wire"]["html_error_page_502"]["id"]
    details = [r["status"] for r in migrated.requests if r["path"] == f"/api/client/{target}"]
    assert details == [502, 200]


def test_unknown_fields_land_raw_and_are_ignored(migrated: Migrated):
    target = migrated.manifest["wire"]["unknown_extra_fields"]["id"]
    rows = migrated.sql(f"select legacy_portal_pin from raw_bizstim.clients where id = '{target}'")
    assert rows == [("0042",)]
