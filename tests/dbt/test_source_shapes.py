"""`dbt build` on what a real account may serve: only documented endpoints and fields, and
values the docs allow that the sandbox never generates (tests/dbt/shapes.py).

Both builds must be green, every object must add up, and each planted value must be followed
to its outcome: the mart row, or a quarantine row with a reason that names the problem.
"""

from __future__ import annotations

import pytest

from tests.dbt.conftest import Reshaped, reconciliation_rows
from tests.dbt.shapes import DOCUMENTED_COLUMNS, UNDOCUMENTED_TABLES


@pytest.fixture(params=["documented", "planted"], scope="module")
def built(request, documented_warehouse: Reshaped, planted_warehouse: Reshaped) -> Reshaped:
    return documented_warehouse if request.param == "documented" else planted_warehouse


def test_build_is_green(built: Reshaped):
    assert built.build.returncode == 0, built.build.stdout[-5000:]
    assert "ERROR=0" in built.build.stdout


def test_every_object_adds_up(built: Reshaped):
    rows = reconciliation_rows(built.query)
    assert {r[0] for r in rows} >= {"person", "tutoringSession", "payment", "availabilityWindow"}
    raw_sessions = built.query("select count(*) from raw_bizstim.sessions")[0][0]
    sessions = next(r for r in rows if r[1] == "sessions")
    assert sessions[2] == raw_sessions > 0


# ---- documented-only account -----------------------------------------------------------------
def test_sessions_without_served_times_are_quarantined_naming_the_fields(
    documented_warehouse: Reshaped,
):
    rows = documented_warehouse.query(
        "select rule, reason from migration.migration__quarantine "
        "where object_name = 'tutoringSession' and impact = 'record_not_migrated'"
    )
    current = documented_warehouse.query(
        "select count(*) from staging.stg_bizstim__sessions where is_in_current_snapshot"
    )[0][0]
    assert len(rows) == current > 0
    assert {rule for rule, _ in rows} == {"session_time_not_served"}
    assert all("session_date, start_time, end_time" in reason for _, reason in rows)
    assert documented_warehouse.query("select count(*) from marts.twenty__sessions") == [(0,)]


def test_optional_absent_fields_leave_values_empty_and_the_people_load(
    documented_warehouse: Reshaped,
):
    practitioners = documented_warehouse.query(
        'select count(*), count("bizstimStatus"), count("wageTier"), count("hireDate") '
        'from marts.twenty__people where "bizstimPractitionerId" is not null'
    )
    raw = documented_warehouse.query("select count(*) from raw_bizstim.practitioners")[0][0]
    assert practitioners == [(raw, 0, 0, 0)]
    clients = documented_warehouse.query(
        'select count(*), count("bizstimStatus"), count("clientStartDate") '
        'from marts.twenty__people where "bizstimClientId" is not null'
    )[0]
    assert clients[0] > 0 and clients[1:] == (0, 0)
    profiles = documented_warehouse.query(
        "select distinct rule from intermediate.int_migration__dispositions "
        "where source_table = 'meetourstaff'"
    )
    assert profiles == [("profile_users_id_not_served",)]
    notes = documented_warehouse.query(
        "select distinct rule from intermediate.int_migration__dispositions "
        "where object_name = 'note'"
    )
    assert notes == [("notes_not_served",)]


def test_source_columns_agree_with_the_reference(documented_warehouse: Reshaped):
    """The documented flag of every expected column (from _bizstim__sources.yml) matches the
    reference's field tables, and the account served exactly the documented ones."""
    rows = documented_warehouse.query(
        "select raw_table, column_name, column_status, is_documented, is_table_landed "
        "from migration.migration__source_columns where column_status <> 'extra'"
    )
    for table, column, status, documented, landed in rows:
        if table in UNDOCUMENTED_TABLES:
            assert (documented, landed, status) == (False, False, "absent"), (table, column)
            continue
        expected = column in DOCUMENTED_COLUMNS[table]
        assert documented == expected or (table, column) == ("meetourstaff", "id")
        assert status == ("present" if expected else "absent"), (table, column)
    extra = documented_warehouse.query(
        "select raw_table, column_name, note from migration.migration__source_columns "
        "where column_status = 'extra'"
    )
    assert {t for t, _, _ in extra} == {"client_details"}  # the list fields, read from clients
    assert all("clients list" in note for _, _, note in extra)


def test_time_zone_falls_back_to_the_var_and_says_so(documented_warehouse: Reshaped):
    settings = documented_warehouse.query(
        "select time_zone, time_zone_source, time_zone_note "
        "from migration.migration__account_settings"
    )
    assert len(settings) == 1
    zone, source, note = settings[0]
    assert (zone, source) == ("UTC", "var default_account_timezone")
    assert "serves no time zone" in note


# ---- values the docs allow ---------------------------------------------------------------------
def _payment(built: Reshaped, payment_id: int) -> list[tuple]:
    return built.query(
        'select amount."amountMicros", "isRefund" from marts.twenty__payments '
        f'where "bizstimPaymentId" = {payment_id}'
    )


def _quarantine(built: Reshaped, source_table: str, like: str) -> list[tuple]:
    return built.query(
        "select source_id, rule, impact, reason from migration.migration__quarantine "
        f"where destination = 'twenty' and source_table = '{source_table}' "
        f"and source_id like '{like}' order by source_id"
    )


def test_a_refund_keeps_its_sign_and_is_marked(built: Reshaped):
    assert _payment(built, built.planted.refund) == [(-5_000_000, True)]
    assert built.query(
        "select count(*) from marts.twenty__payments "
        'where "isRefund" <> (amount."amountMicros" < 0)'
    ) == [(0,)]
    assert built.query(
        "select count(*) from migration.migration__field_catalog "
        "where object_name = 'payment' and field_name = 'isRefund' and twenty_type = 'BOOLEAN'"
    ) == [(1,)]


def test_six_decimals_convert_exactly_seven_are_quarantined(built: Reshaped):
    assert _payment(built, built.planted.six_decimals) == [(12_345_000, False)]
    seven = built.planted.seven_decimals
    assert _payment(built, seven) == []
    [(_, rule, impact, reason)] = _quarantine(built, "payments", str(seven))
    assert (rule, impact) == ("amount_more_than_six_decimals", "record_not_migrated")
    assert '"12.3456789" has 7 decimals' in reason


def test_an_amount_beyond_twelve_digits_is_quarantined_not_overflowed(built: Reshaped):
    huge = built.planted.thirteen_digits
    assert _payment(built, huge) == []
    [(_, rule, impact, reason)] = _quarantine(built, "payments", str(huge))
    assert (rule, impact) == ("amount_missing", "record_not_migrated")
    assert '"1234567890123" is not an amount' in reason and "12 digits" in reason


def test_a_zero_dated_schedule_loads_open_ended_with_a_note(built: Reshaped):
    schedule = built.planted.zero_dated_schedule
    windows = built.query(
        'select external_id, "validFrom" from marts.twenty__availability_windows '
        f'where "bizstimAvailabilityId" = {schedule} order by 1'
    )
    assert windows and all(valid_from is None for _, valid_from in windows)
    notes = _quarantine(built, "availability (schedule x weekday)", f"{schedule}:%")
    assert [f"availability:{n[0]}" for n in notes] == [w[0] for w in windows]
    for _, rule, impact, reason in notes:
        assert (rule, impact) == ("zero_date_left_empty", "value_kept_raw")
        assert '"0000-00-00"' in reason and "validFrom" in reason


def test_a_schedule_ending_before_it_starts_is_quarantined(built: Reshaped):
    schedule = built.planted.inverted_schedule
    assert built.query(
        "select count(*) from marts.twenty__availability_windows "
        f'where "bizstimAvailabilityId" = {schedule}'
    ) == [(0,)]
    rows = _quarantine(built, "availability (schedule x weekday)", f"{schedule}:%")
    assert rows
    for _, rule, impact, reason in rows:
        assert (rule, impact) == ("schedule_ends_before_start", "record_not_migrated")
        assert "ends on 2024-01-01, before it starts on 2024-06-30" in reason
