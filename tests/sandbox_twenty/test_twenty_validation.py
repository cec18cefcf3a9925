"""Validation of every composite shape and scalar type (reference §4)."""

from __future__ import annotations

import pytest

from tests.sandbox_twenty.twenty_helpers import created, error_message, person


@pytest.mark.parametrize(
    "emails",
    [
        {"primaryEmail": "nope"},
        {"primaryEmail": "a@b.com", "additionalEmails": ["bad address"]},
        {"primaryEmail": "a@b.com", "additionalEmails": "c@d.com"},
        {"primaryMail": "a@b.com"},
        "a@b.com",
    ],
)
def test_emails_rejected(api, emails):
    assert error_message(api.post("/rest/people", json=person(emails=emails)))


def test_emails_accepted_with_additional(api):
    body = person()
    body["emails"]["additionalEmails"] = ["x@example.org"]
    row = created(api.post("/rest/people", json=body), "createPerson")
    assert row["emails"]["additionalEmails"] == ["x@example.org"]


@pytest.mark.parametrize(
    "phones",
    [
        {"primaryPhoneNumber": "06 12 34"},
        {"primaryPhoneNumber": "612345678", "primaryPhoneCountryCode": "France"},
        {"primaryPhoneNumber": "612345678", "primaryPhoneCallingCode": "33"},
        {
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCountryCode": "FR",
            "primaryPhoneCallingCode": "+49",
        },
        {"additionalPhones": [{"number": "1", "country": "FR"}]},
    ],
)
def test_phones_rejected(api, phones):
    assert error_message(api.post("/rest/people", json=person(phones=phones)))


def test_phones_accepted(api):
    phones = {
        "primaryPhoneNumber": "612345678",
        "primaryPhoneCountryCode": "FR",
        "primaryPhoneCallingCode": "+33",
        "additionalPhones": [{"number": "301234567", "countryCode": "DE", "callingCode": "+49"}],
    }
    assert (
        created(api.post("/rest/people", json=person(phones=phones)), "createPerson")["phones"]
        == phones
    )


@pytest.mark.parametrize("name", [{"firstName": 1}, {"first": "A"}, "Ada Lovelace"])
def test_full_name_rejected(api, name):
    assert error_message(api.post("/rest/people", json=person(name=name)))


@pytest.mark.parametrize("address", [{"addressCity": 3}, {"addressLat": "48.8"}, {"city": "x"}])
def test_address_rejected(api, address):
    assert error_message(api.post("/rest/companies", json={"name": "A", "address": address}))


def test_address_accepted(api):
    address = {
        "addressStreet1": "1 Rue",
        "addressCity": "Paris",
        "addressLat": 48.85,
        "addressLng": 2.35,
        "addressCountry": "France",
    }
    row = created(
        api.post("/rest/companies", json={"name": "A", "address": address}), "createCompany"
    )
    assert row["address"]["addressCity"] == "Paris" and row["address"]["addressStreet2"] is None


@pytest.mark.parametrize(
    "amount",
    [
        {"amountMicros": 1.5, "currencyCode": "EUR"},
        {"amountMicros": "12abc", "currencyCode": "EUR"},
        {"amountMicros": 1000000, "currencyCode": "EURO"},
        {"amount": 1, "currencyCode": "EUR"},
    ],
)
def test_currency_rejected(api, amount):
    assert error_message(api.post("/rest/opportunities", json={"name": "o", "amount": amount}))


def test_currency_integerish_accepted(api):
    for micros in (1500000000, 1500000000.0, "1500000000"):
        row = created(
            api.post(
                "/rest/opportunities",
                json={"name": "o", "amount": {"amountMicros": micros, "currencyCode": "EUR"}},
            ),
            "createOpportunity",
        )
        assert row["amount"] == {"amountMicros": 1500000000, "currencyCode": "EUR"}


@pytest.mark.parametrize(
    "links",
    [
        {"primaryLinkUrl": "not a url"},
        {"primaryLinkUrl": "https://a.com", "secondaryLinks": [{"href": "https://b.com"}]},
        {"primaryLinkUrl": "https://a.com", "secondaryLinks": {"url": "https://b.com"}},
    ],
)
def test_links_rejected(api, links):
    assert error_message(api.post("/rest/companies", json={"name": "L", "linkedinLink": links}))


def test_rich_text_body_must_be_object(api):
    assert error_message(api.post("/rest/notes", json={"title": "t", "bodyV2": "# plain"}))
    assert error_message(api.post("/rest/notes", json={"title": "t", "bodyV2": {"html": "<p>"}}))
    row = created(
        api.post("/rest/notes", json={"title": "t", "bodyV2": {"markdown": "# Hi"}}), "createNote"
    )
    assert row["bodyV2"] == {"blocknote": None, "markdown": "# Hi"}


def test_select_must_be_a_defined_option(api):
    assert error_message(api.post("/rest/opportunities", json={"name": "o", "stage": "WON"}))
    row = created(api.post("/rest/opportunities", json={"name": "o"}), "createOpportunity")
    assert row["stage"] == "NEW"  # default of a non-nullable SELECT
    assert error_message(api.patch(f"/rest/opportunities/{row['id']}", json={"stage": None}))
    resp = api.patch(f"/rest/opportunities/{row['id']}", json={"stage": "PROPOSAL"})
    assert resp.json()["data"]["updateOpportunity"]["stage"] == "PROPOSAL"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "o", "closeDate": "2024-13-01T00:00:00Z"},
        {"name": "o", "closeDate": "2024"},
        {"name": "o", "closeDate": 20240101},
    ],
)
def test_date_time_rejected(api, body):
    assert error_message(api.post("/rest/opportunities", json=body))


def test_date_time_normalised_to_utc(api):
    row = created(
        api.post(
            "/rest/opportunities", json={"name": "o", "closeDate": "2026-01-13T10:30:00+02:00"}
        ),
        "createOpportunity",
    )
    assert row["closeDate"] == "2026-01-13T08:30:00.000Z"


def test_scalar_types_checked(api):
    assert error_message(api.post("/rest/companies", json={"name": "A", "employees": "12"}))
    assert error_message(
        api.post("/rest/companies", json={"name": "A", "idealCustomerProfile": "yes"})
    )
    assert error_message(api.post("/rest/companies", json={"name": 12}))
    assert error_message(api.post("/rest/people", json=[person()]))  # one record, not an array
