"""The mapping produces what real Twenty stores (issue 12, part 3; twenty-real-rules.md 1, 3, 4).

Two clients whose e-mails differ only by case are one address for Twenty's unique index, so the
build must settle who owns it (lowest id here) instead of letting Twenty clash or merge them.
Phones come out parsed (national number + country + calling code) or as text with a reason,
never unparseable in PHONES; links come out lower-cased in scheme/host without trailing slash.
Runs `dbt build` on a private copy of the session warehouse with planted raw values.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from sandbox.staging import run_dbt
from tests.dbt.conftest import Warehouse


def _plant_and_build(warehouse: Warehouse, tmp_path: Path) -> tuple[Path, list[int]]:
    db = tmp_path / "bizmig.duckdb"
    shutil.copy(warehouse.duckdb_path, db)
    with duckdb.connect(str(db)) as con:
        ids = [
            int(r[0])
            for r in con.execute(
                'select "bizstimClientId" from marts.twenty__people '
                'where "bizstimClientId" is not null order by 1 limit 4'
            ).fetchall()
        ]
        planted = {
            ids[0]: ("Case.Twin@Example.IO", "Canada", "(905) 454-6464"),
            ids[1]: ("case.twin@example.io", None, "905 454 6465"),
            ids[2]: ("third@example.io", "United States", "+33 6 12 34 56 78"),
            ids[3]: ("fourth@example.io", "Canada", "ask mom"),
        }
        for client_id, (email, country, phone) in planted.items():
            con.execute(
                "update raw_bizstim.clients set email = ?, country = ?, p_phone = ?, "
                "s_phone = null, text_phone = null where cast(id as integer) = ?",
                [email, country, phone, client_id],
            )
        con.execute(
            "update raw_bizstim.client_details set meeting_url = 'HTTPS://Zoom.US/j/AbC/' "
            "where cast(id as integer) = ?",
            [ids[0]],
        )
    build = run_dbt(["build"], db)
    assert build.returncode == 0, build.stdout[-4000:]
    return db, ids


def test_case_twins_phones_and_links_come_out_as_twenty_stores_them(
    warehouse: Warehouse, tmp_path: Path
):
    db, ids = _plant_and_build(warehouse, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                'select "bizstimClientId", emails, "emailShared", phones, "rawPhones", '
                '"meetingUrl" from marts.twenty__people where "bizstimClientId" in (?, ?, ?, ?)',
                ids,
            ).fetchall()
        }
        owners = con.execute(
            "select count(*) from marts.twenty__people "
            "where lower(emails.primaryEmail) = 'case.twin@example.io'"
        ).fetchone()[0]
    first, second, third, fourth = (rows[i] for i in ids)
    # e-mails: one owner (the lower id), the twin keeps it as an additional e-mail, flagged
    assert owners == 1
    assert first[0]["primaryEmail"] == "case.twin@example.io" and first[1] is False
    assert second[0]["primaryEmail"] != "case.twin@example.io"
    assert second[0]["additionalEmails"] == ["case.twin@example.io"] and second[1] is True
    # phones: national with country; national without country (var default_phone_region CA)
    assert (first[2]["primaryPhoneNumber"], first[2]["primaryPhoneCountryCode"]) == (
        "9054546464",
        "CA",
    )
    assert first[2]["primaryPhoneCallingCode"] == "+1"
    assert (second[2]["primaryPhoneNumber"], second[2]["primaryPhoneCallingCode"]) == (
        "9054546465",
        "+1",
    )
    # E.164 keeps its own country whatever the record says
    assert (third[2]["primaryPhoneNumber"], third[2]["primaryPhoneCountryCode"]) == (
        "612345678",
        "FR",
    )
    assert third[2]["primaryPhoneCallingCode"] == "+33"
    # unparseable: not in PHONES, kept as text with its reason
    assert fourth[2]["primaryPhoneNumber"] is None
    assert fourth[3] == "p_phone: ask mom (not a phone number)"
    # links
    assert first[4] == "https://zoom.us/j/AbC"
