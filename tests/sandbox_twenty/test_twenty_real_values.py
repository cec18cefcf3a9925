"""Real Twenty rewrites values on write (twenty-real-rules.md rules 1-5 and 11).

Each test fails against the stand-in that stored what it was sent: a loader that passes here
must survive the clashes, merges, refused batches and rewritten values of a real workspace.
"""

from __future__ import annotations

from tests.sandbox_twenty.twenty_helpers import (
    client_for,
    created,
    email,
    error_message,
    person,
    unique,
)


def _people(api, flt: str) -> list[dict]:
    return api.get("/rest/people", params={"filter": flt}).json()["data"]["people"]


def test_rule1_emails_lower_cased_before_the_unique_index(api):
    local = unique("Case")
    mixed = f"{local}.Person@Example.IO"
    lower = mixed.lower()
    body = person(emails={"primaryEmail": mixed, "additionalEmails": [f"Other.{mixed}"]})
    row = created(api.post("/rest/people", json=body), "createPerson")
    assert row["emails"] == {"primaryEmail": lower, "additionalEmails": [f"other.{lower}"]}
    # A create of the other case clashes with the stored value.
    clash = api.post("/rest/people", json=person(emails={"primaryEmail": lower}))
    assert error_message(clash).startswith("A duplicate entry was detected")
    # An upsert carrying yet another case updates the existing record.
    upsert = [{"emails": {"primaryEmail": mixed.upper()}, "city": "Lyon"}]
    rows = created(api.post("/rest/batch/people", params={"upsert": "true"}, json=upsert),
                   "createPeople")
    assert [(r["id"], r["city"]) for r in rows] == [(row["id"], "Lyon")]
    assert len(_people(api, f"emails.primaryEmail[eq]:{lower}")) == 1


def test_rule1_v1_refuses_upper_case_emails(spawn):
    server = spawn("--generation", "v1", "--rate-limit", "0")
    with client_for(server) as v1:
        address = f"{unique('Upper')}@Example.com"
        msg = error_message(v1.post("/rest/people", json=person(emails={"primaryEmail": address})))
        assert "email field" in msg
        extra = person(emails={"primaryEmail": email(), "additionalEmails": ["B@x.io"]})
        assert error_message(v1.post("/rest/people", json=extra))
        good = created(v1.post("/rest/people", json=person(emails={"primaryEmail": "a@x.io"})),
                       "createPerson")
        assert good["emails"]["primaryEmail"] == "a@x.io"


def test_rule2_empty_additional_emails_stored_as_null(api):
    body = person()
    body["emails"]["additionalEmails"] = []
    row = created(api.post("/rest/people", json=body), "createPerson")
    assert row["emails"]["additionalEmails"] is None
    read = api.get(f"/rest/people/{row['id']}").json()["data"]["person"]
    assert read["emails"]["additionalEmails"] is None


def test_rule3_link_origin_lower_cased_and_trailing_slash_removed(api):
    host = f"{unique('Acme')}.Example.COM"
    sent = {"primaryLinkUrl": f"HTTPS://{host}/", "secondaryLinks": [
        {"url": f"https://{host}/Team/", "label": "team"}]}
    row = created(api.post("/rest/companies", json={"name": "Acme", "domainName": sent}),
                  "createCompany")
    assert row["domainName"]["primaryLinkUrl"] == f"https://{host.lower()}"
    assert row["domainName"]["secondaryLinks"] == [
        {"url": f"https://{host.lower()}/Team", "label": "team"}]
    same = {"name": "Acme again", "domainName": {"primaryLinkUrl": f"https://{host.lower()}"}}
    assert "duplicate entry" in error_message(api.post("/rest/companies", json=same))


def test_rule4_phone_without_country_refuses_the_whole_batch(api):
    good = person()
    bad = person(phones={"primaryPhoneNumber": "9054546464"})  # national, no country
    msg = error_message(api.post("/rest/batch/people", json=[good, bad]))
    assert "phone number is invalid" in msg
    assert _people(api, f"emails.primaryEmail[eq]:{good['emails']['primaryEmail']}") == []


def test_rule4_phones_stored_as_national_number_with_calling_code(api):
    phones = {"primaryPhoneNumber": "06 12 34 56 78", "primaryPhoneCountryCode": "FR",
              "additionalPhones": [{"number": "+4930123456"},
                                   {"number": "(905) 454-6464", "countryCode": "US"}]}
    row = created(api.post("/rest/people", json=person(phones=phones)), "createPerson")
    assert row["phones"] == {
        "primaryPhoneNumber": "612345678", "primaryPhoneCountryCode": "FR",
        "primaryPhoneCallingCode": "+33",
        "additionalPhones": [
            {"number": "30123456", "countryCode": "DE", "callingCode": "+49"},
            {"number": "9054546464", "countryCode": "US", "callingCode": "+1"}]}
    e164 = created(api.post("/rest/people", json=person(
        phones={"primaryPhoneNumber": "+33612345678"})), "createPerson")["phones"]
    assert (e164["primaryPhoneNumber"], e164["primaryPhoneCallingCode"],
            e164["primaryPhoneCountryCode"]) == ("612345678", "+33", "FR")
    only_calling = created(api.post("/rest/people", json=person(phones={
        "primaryPhoneNumber": "0612345678", "primaryPhoneCallingCode": "+33"})),
        "createPerson")["phones"]
    assert only_calling["primaryPhoneNumber"] == "612345678"
    bad_extra = person(phones={"additionalPhones": [{"number": "0612345678"}]})
    assert "phone number is invalid" in error_message(api.post("/rest/people", json=bad_extra))
    conflict = person(phones={"primaryPhoneNumber": "+33612345678",
                              "primaryPhoneCountryCode": "DE"})
    assert "conflicting" in error_message(api.post("/rest/people", json=conflict))


def test_rule5_date_only_accepted_in_date_time_fields(api):
    row = created(api.post("/rest/opportunities", json={"name": unique("deal"),
                                                        "closeDate": "2024-03-01"}),
                  "createOpportunity")
    assert row["closeDate"] == "2024-03-01T00:00:00.000Z"


def test_rule11_v2_partial_emails_update_wipes_primary_email(api, spawn):
    row = created(api.post("/rest/people", json=person()), "createPerson")
    patch = {"emails": {"additionalEmails": ["second@example.org"]}}
    out = api.patch(f"/rest/people/{row['id']}", json=patch).json()["data"]["updatePerson"]
    assert out["emails"] == {"primaryEmail": None, "additionalEmails": ["second@example.org"]}
    phones = {"primaryPhoneNumber": "612345678", "primaryPhoneCountryCode": "FR",
              "additionalPhones": [{"number": "+4930123456"}]}
    row = created(api.post("/rest/people", json=person(phones=phones)), "createPerson")
    out = api.patch(f"/rest/people/{row['id']}",
                    json={"phones": {"primaryPhoneNumber": "698765432"}}).json()
    assert out["data"]["updatePerson"]["phones"]["additionalPhones"] is None
    # The 2025 generation merges the sent sub-fields into the stored value.
    server = spawn("--generation", "v1", "--rate-limit", "0")
    with client_for(server) as v1:
        kept = created(v1.post("/rest/people", json=person()), "createPerson")
        out = v1.patch(f"/rest/people/{kept['id']}", json=patch).json()["data"]["updatePerson"]
        assert out["emails"]["primaryEmail"] == kept["emails"]["primaryEmail"]
