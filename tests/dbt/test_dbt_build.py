"""`dbt build` over raw data landed by the real extraction from a real sandbox."""

from __future__ import annotations

import json

import pytest

from tests.dbt.conftest import Warehouse, reconciliation_rows


def test_dbt_build_is_green(warehouse: Warehouse):
    build = warehouse.build
    assert build.returncode == 0, build.stdout[-5000:]
    assert "ERROR=0" in build.stdout and "PASS=" in build.stdout


def test_reconciliation_adds_up_for_every_object(warehouse: Warehouse):
    rows = reconciliation_rows(warehouse.query)
    assert {r[0] for r in rows} >= {
        "person",
        "tutoringSession",
        "payment",
        "availabilityWindow",
        "tutoringService",
        "serviceGroup",
        "serviceLocation",
        "note",
        "noteTarget",
    }
    raw_clients = warehouse.query("select count(*) from raw_bizstim.clients")[0][0]
    recon_clients = next(r for r in rows if r[1] == "clients")
    assert recon_clients[2] == raw_clients


def test_every_quarantined_row_has_an_actionable_reason(warehouse: Warehouse):
    rows = warehouse.query("select rule, reason from migration.migration__quarantine")
    assert rows, "the sandbox account has known bad rows"
    for rule, reason in rows:
        assert rule and reason and len(reason) > 30


def test_primary_emails_are_unique_and_shared_family_addresses_flagged(warehouse: Warehouse):
    dupes = warehouse.query(
        'select emails."primaryEmail", count(*) from marts.twenty__people '
        'where emails."primaryEmail" is not null group by 1 having count(*) > 1'
    )
    assert dupes == []
    flagged = warehouse.query('select count(*) from marts.twenty__people where "emailShared"')
    assert flagged[0][0] > 0


def test_payload_is_the_rest_body(warehouse: Warehouse):
    """to_json of the camelCase columns is what the loader POSTs."""
    payload_sql = (
        'select to_json(struct_pack(name := "name", emails := "emails", '
        "phones := \"phones\")) from marts.twenty__people where external_id like 'client:%' "
        'and phones."primaryPhoneNumber" is not null limit 1'
    )
    body = json.loads(warehouse.query(payload_sql)[0][0])
    assert set(body["name"]) == {"firstName", "lastName"}
    assert set(body["emails"]) == {"primaryEmail", "additionalEmails"}
    assert body["phones"]["primaryPhoneCallingCode"].startswith("+")


@pytest.mark.slow
def test_records_deleted_at_the_source_are_excluded_after_the_next_cycle(warehouse: Warehouse):
    client_id = warehouse.query(
        "select bizstimClientId from marts.twenty__people where bizstimClientId is not null "
        "order by 1 limit 1"
    )[0][0]
    warehouse.mutate("clients", "delete", str(client_id), {})
    warehouse.extract()
    build = warehouse.dbt_build()
    assert build.returncode == 0, build.stdout[-5000:]
    disposition = warehouse.query(
        "select disposition, rule from intermediate.int_migration__dispositions "
        f"where source_table = 'clients' and source_id = '{client_id}'"
    )
    assert disposition == [("excluded", "not_in_current_snapshot")]
    assert warehouse.query(
        f"select count(*) from marts.twenty__people where external_id = 'client:{client_id}'"
    ) == [(0,)]
