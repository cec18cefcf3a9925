"""A delta run that mixes updates and creates in one batch links every record to the right
person (twenty-real-rules.md rule 8: real Twenty answers matched rows first).

Load, then change some people and add new ones whose external ids sort between them (so one
batch holds both, creates before updates), move payments, sessions, availability windows and
note targets onto the new people, add payments, load again. Every relation Twenty stores must
then be the Twenty id the ledger holds for the mart's foreign external id, and that id must be
the record carrying that person's ``bizstimId``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.load.conftest import Twenty, load

# (mart, relation column in the mart, Twenty plural)
PERSON_RELATIONS = [
    ("twenty__payments", "client", "payments"),
    ("twenty__sessions", "client", "tutoringSessions"),
    ("twenty__sessions", "practitioner", "tutoringSessions"),
    ("twenty__availability_windows", "person", "availabilityWindows"),
    ("twenty__note_targets", "targetPerson", "noteTargets"),
]
SPEC_OF = {
    "twenty__payments": "payment",
    "twenty__sessions": "tutoringSession",
    "twenty__availability_windows": "availabilityWindow",
    "twenty__note_targets": "noteTarget",
}


def _change_and_add(staging: Path) -> tuple[int, int]:
    """Update every second person, add one new person after each of the others; move one
    record of each person relation per new person; add payments. Returns (updated, new)."""
    with duckdb.connect(str(staging)) as con:
        people = [
            r[0]
            for r in con.execute(
                "select external_id from marts.twenty__people order by external_id"
            ).fetchall()
        ]
        updated, sources = people[0::2], people[1::2]
        con.execute(
            "update marts.twenty__people set \"jobTitle\" = 'Changed by delta', "
            "row_hash = row_hash || '-delta' where external_id in (select unnest(?))",
            [updated],
        )
        con.execute(
            "insert into marts.twenty__people select * replace ("
            "external_id || '-new' as external_id, row_hash || '-new' as row_hash, "
            "{'primaryEmail': 'delta-' || md5(external_id) || '@example.com', "
            "'additionalEmails': []::varchar[]} as emails) "
            "from marts.twenty__people where external_id in (select unnest(?))",
            [sources],
        )
        for mart, relation, _ in PERSON_RELATIONS:
            column = f"{relation}__external_id"
            con.execute(
                f'update marts.{mart} m set "{column}" = m."{column}" || \'-new\', '
                "row_hash = row_hash || '-moved' where m.external_id in ("
                f'select min(external_id) from marts.{mart} where "{column}" '
                'in (select unnest(?)) group by "' + column + '")',
                [sources],
            )
        con.execute(
            "insert into marts.twenty__payments select * replace ("
            "external_id || '-new' as external_id, row_hash || '-new' as row_hash, "
            '"bizstimPaymentId" + 1000000 as "bizstimPaymentId") '
            "from marts.twenty__payments where client__external_id in (select unnest(?))",
            [updated],
        )
    return len(updated), len(sources)


def _ledger(staging: Path) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(staging), read_only=True) as con:
        rows = con.execute(
            "select object, external_id, record_id from migration.ledger_current "
            "where action in ('created', 'updated', 'restored', 'unchanged')"
        ).fetchall()
    return {(o, e): t for o, e, t in rows}


def test_delta_run_mixing_updates_and_creates_links_every_record_to_the_right_person(
    staging: Path, twenty: Twenty
) -> None:
    assert load(staging, twenty).returncode == 0
    n_updated, n_new = _change_and_add(staging)
    second = load(staging, twenty)
    assert second.returncode == 0, second.stderr[-2000:]
    people = second.json()["objects"]["person"]
    assert (people["updated"], people["created"], people["quarantined"]) == (n_updated, n_new, 0)
    assert second.json()["objects"]["payment"]["created"] > 0
    ledger = _ledger(staging)
    # the ledger's id for each person is the Twenty record carrying that person's bizstimId
    in_twenty = {r["id"]: r for r in twenty.all_records("people")}
    persons = {e: t for (o, e), t in ledger.items() if o == "person"}
    assert len(persons) == len(in_twenty)
    assert all(in_twenty[t]["bizstimId"] == e for e, t in persons.items())
    checked = moved = 0
    for mart, relation, plural in PERSON_RELATIONS:
        records = {r["id"]: r for r in twenty.all_records(plural)}
        column = next(
            c for c in (f"{relation}Id", "personId") if any(c in r for r in records.values())
        )
        with duckdb.connect(str(staging), read_only=True) as con:
            rows = con.execute(
                f'select external_id, "{relation}__external_id" from marts.{mart}'
            ).fetchall()
        for external_id, person in rows:
            record = records[ledger[(SPEC_OF[mart], external_id)]]
            expected = ledger[("person", person)] if person is not None else None
            assert record[column] == expected, (mart, external_id, relation)
            checked += 1
            moved += bool(person and person.endswith("-new"))
    assert 0 < moved < checked


def test_two_people_one_record_over_http_are_settled_by_reading_back(
    staging: Path, twenty: Twenty
) -> None:
    """Rule 9 on the stand-in: a new person carrying an existing person's e-mail in upper case
    and that person's own change go in one batch; Twenty updates one record with both and
    answers once. The unanswered input is read back by its bizstimId, found gone, and
    quarantined with the reason, never given the other one's id."""
    assert load(staging, twenty).returncode == 0
    with duckdb.connect(str(staging)) as con:
        existing = con.execute(
            "select external_id from marts.twenty__people where emails.primaryEmail is not null "
            "order by external_id limit 1"
        ).fetchone()[0]
        con.execute(
            "update marts.twenty__people set row_hash = row_hash || '-delta', "
            "\"jobTitle\" = 'Changed' where external_id = ?",
            [existing],
        )
        con.execute(
            "insert into marts.twenty__people select * replace (external_id || '-dup' as "
            "external_id, row_hash || '-dup' as row_hash, {'primaryEmail': "
            "upper(emails.primaryEmail), 'additionalEmails': []::varchar[]} as emails) "
            "from marts.twenty__people where external_id = ?",
            [existing],
        )
    start = len(twenty.server.requests())
    second = load(staging, twenty)
    assert second.returncode == 0, second.stderr[-2000:]
    people = second.json()["objects"]["person"]
    assert (people["updated"], people["quarantined"], people["created"]) == (1, 1, 0)
    reads = [
        r
        for r in twenty.server.requests(start)
        if r["method"] == "GET" and "bizstimId" in str(r.get("query") or r.get("path"))
    ]
    assert len(reads) == 1  # exactly the one unanswered input was read back
    ledger = _ledger(staging)
    with duckdb.connect(str(staging), read_only=True) as con:
        action, message = con.execute(
            "select action, message from migration.ledger_current where object = 'person' "
            "and external_id = ?",
            [existing],
        ).fetchone()
    assert action == "quarantined" and "rule 9" in message
    (record,) = [
        r for r in twenty.all_records("people") if r["id"] == ledger[("person", existing + "-dup")]
    ]
    assert record["bizstimId"] == existing + "-dup"
    assert ("person", existing) not in ledger
