"""The reconcile spot check compares like Twenty (twenty-real-rules.md rules 1-4).

Real Twenty hands back e-mails lower-cased, ``additionalEmails: []`` as null, link origins
lower-cased without a trailing slash and national phones with their calling code filled in:
none of these may count as a difference, and a real difference must still be caught.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from common.settings import TwentySettings
from load.core.loader import Loader
from load.core.reconcile import reconcile
from load.twenty.normalise import compare, link_url, phone_key, stored_key
from load.twenty.session import open_session
from load.twenty.specs import PEOPLE
from tests.load.conftest import TWENTY_KEY, load

TYPES = {"emails": "EMAILS", "phones": "PHONES", "site": "LINKS", "name": "FULL_NAME"}
MART = {
    "name": {"firstName": "Ada", "lastName": "Lovelace"},
    "emails": {"primaryEmail": "Ada.Lovelace@Example.COM", "additionalEmails": []},
    "phones": {
        "primaryPhoneNumber": "(905) 454-6464",
        "primaryPhoneCountryCode": "CA",
        "primaryPhoneCallingCode": None,
        "additionalPhones": [
            {"number": "06 12 34 56 78", "countryCode": "FR", "callingCode": None}
        ],
    },
    "site": {
        "primaryLinkUrl": "HTTPS://Acme.COM/Path/",
        "primaryLinkLabel": "",
        "secondaryLinks": [],
    },
}
# what real Twenty stores and returns for MART
TWENTY = {
    "name": {"firstName": "Ada", "lastName": "Lovelace"},
    "emails": {"primaryEmail": "ada.lovelace@example.com", "additionalEmails": None},
    "phones": {
        "primaryPhoneNumber": "9054546464",
        "primaryPhoneCountryCode": "CA",
        "primaryPhoneCallingCode": "+1",
        "additionalPhones": [{"number": "612345678", "countryCode": "FR", "callingCode": "+33"}],
    },
    "site": {
        "primaryLinkUrl": "https://acme.com/Path",
        "primaryLinkLabel": "",
        "secondaryLinks": None,
    },
}


def test_twenty_normalised_values_show_no_difference():
    assert compare(MART, TWENTY, TYPES) == []
    # the calling code alone (no country) is enough on Twenty's side
    phones = {**TWENTY["phones"], "primaryPhoneCountryCode": None}
    assert compare(MART, {**TWENTY, "phones": phones}, TYPES) == []


@pytest.mark.parametrize(
    ("field", "changed"),
    [
        ("emails", {"primaryEmail": "ada@example.com", "additionalEmails": None}),
        ("emails", {"primaryEmail": "ada.lovelace@example.com", "additionalEmails": ["x@y.io"]}),
        ("phones", {**TWENTY["phones"], "primaryPhoneNumber": "9054546465"}),
        ("phones", {**TWENTY["phones"], "primaryPhoneCallingCode": "+44"}),
        ("site", {**TWENTY["site"], "primaryLinkUrl": "https://acme.com/path"}),  # path case kept
        ("name", {"firstName": "ada", "lastName": "Lovelace"}),
    ],
)
def test_an_injected_real_difference_is_still_caught(field, changed):
    differences = compare(MART, {**TWENTY, field: changed}, TYPES)
    assert len(differences) == 1 and differences[0].startswith(f"{field}:")


def test_without_types_raw_values_differ():
    """The raw comparison the spot check used to make: it reports Twenty's rewrites."""
    assert len(compare(MART, TWENTY)) == 3


def test_normalisers_follow_twentys_rules():
    assert link_url("HTTP://WWW.Example.org/A/") == "http://www.example.org/A"
    assert link_url("example.org/") == "example.org/"  # not absolute: untouched
    assert phone_key("+33612345678") == phone_key("0612345678", "FR") == ("+33", "612345678")
    assert phone_key("612345678", None, "+33") == ("+33", "612345678")
    assert stored_key("emails.primaryEmail", "A@X.io") == "a@x.io"
    assert stored_key("bizstimId", "Ab-1") == "Ab-1"


def _people_with_email(staging: Path, n: int) -> list[str]:
    with duckdb.connect(str(staging), read_only=True) as con:
        rows = con.execute(
            "select external_id from marts.twenty__people where emails.primaryEmail is not null "
            "order by external_id limit ?",
            [n],
        ).fetchall()
    return [r[0] for r in rows]


def test_spot_check_on_a_workspace_holding_twenty_normalised_values(staging, twenty):
    assert load(staging, twenty).returncode == 0
    chosen = _people_with_email(staging, 4)
    with duckdb.connect(str(staging)) as con:  # the mart keeps the raw Bizstim forms
        con.execute(
            "update marts.twenty__people set emails = {'primaryEmail': upper(emails.primaryEmail), "
            "'additionalEmails': []::varchar[]}, phones = {'primaryPhoneNumber': '(905) 454-6464', "
            "'primaryPhoneCountryCode': 'CA', 'primaryPhoneCallingCode': null, "
            "'additionalPhones': []::struct(number varchar, countryCode varchar, "
            "callingCode varchar)[]} where external_id in (select unnest(?))",
            [chosen],
        )
    records = {r["bizstimId"]: r for r in twenty.all_records("people")}
    with duckdb.connect(str(staging), read_only=True) as con:
        mails = dict(
            con.execute(
                "select external_id, emails.primaryEmail from marts.twenty__people "
                "where external_id in (select unnest(?))",
                [chosen],
            ).fetchall()
        )
    with twenty.http() as http:  # Twenty holds what real Twenty would store for them
        for ext in chosen:
            body = {
                "emails": {"primaryEmail": mails[ext].lower(), "additionalEmails": None},
                "phones": {
                    "primaryPhoneNumber": "9054546464",
                    "primaryPhoneCountryCode": "CA",
                    "primaryPhoneCallingCode": "+1",
                    "additionalPhones": None,
                },
            }
            answer = http.patch(f"/rest/people/{records[ext]['id']}", json=body)
            assert answer.status_code == 200, answer.text
    session = open_session(TwentySettings(twenty.url, TWENTY_KEY), staging, 100000, 1)
    try:
        loader = Loader(session, session.ledger, "-")
        clean = reconcile(loader, [PEOPLE], sample=10_000)
        checked = {s.external_id for s in clean.spot_checks}
        assert set(chosen) <= checked
        assert [s.differences for s in clean.spot_checks if s.differences] == []
        with twenty.http() as http:  # a real difference: another address
            body = {
                "emails": {"primaryEmail": "someone.else@example.com", "additionalEmails": None}
            }
            assert http.patch(f"/rest/people/{records[chosen[0]]['id']}", json=body).is_success
        dirty = reconcile(loader, [PEOPLE], sample=10_000)
        bad = [(s.external_id, s.differences) for s in dirty.spot_checks if s.differences]
        assert len(bad) == 1 and bad[0][0] == chosen[0] and bad[0][1][0].startswith("emails:")
        assert not dirty.ok
    finally:
        session.close()
