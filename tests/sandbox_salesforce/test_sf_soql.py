"""SOQL read-back (destinations-2.md §1.7): pages with nextRecordsUrl, SOQL's own semantics
and the errors a hand-written query meets."""

from __future__ import annotations

import httpx

from tests.sandbox_salesforce.sf_helpers import V, create, errors, query, unique


def test_pages_follow_next_records_url(api: httpx.Client) -> None:
    marker = unique("page")
    for _ in range(2):
        records = [{"attributes": {"type": "Lead"}, "LastName": marker, "Company": f"C{n}"}
                   for n in range(110)]
        assert all(r["success"] for r in api.post(f"{V}/composite/sobjects",
                                                  json={"records": records}).json())
    soql = f"SELECT Id, Company FROM Lead WHERE LastName = '{marker}' ORDER BY Company DESC"
    first = api.get(f"{V}/query", params={"q": soql},
                    headers={"Sforce-Query-Options": "batchSize=200"}).json()
    assert (first["totalSize"], first["done"], len(first["records"])) == (220, False, 200)
    assert first["nextRecordsUrl"].startswith(f"{V}/query/")
    assert first["nextRecordsUrl"].endswith("-200")
    second = api.get(first["nextRecordsUrl"]).json()
    assert second["done"] is True and "nextRecordsUrl" not in second
    ids = [r["Id"] for r in first["records"] + second["records"]]
    assert len(set(ids)) == 220
    companies = [r["Company"] for r in first["records"] + second["records"]]
    assert companies == sorted(companies, reverse=True)
    assert first["records"][0]["attributes"]["type"] == "Lead"


def test_soql_semantics(api: httpx.Client) -> None:
    marker = unique("sem")
    with_mail = create(api, "Contact", LastName=marker, Email="Ann@Example.com",
                       Title="Dr")
    without = create(api, "Contact", LastName=marker)
    base = f"SELECT Id FROM Contact WHERE LastName = '{marker.upper()}'"

    def ids(soql: str) -> set[str]:
        return {r["Id"] for r in query(api, soql)["records"]}

    assert ids(base) == {with_mail, without}  # string comparison ignores case
    assert ids(f"{base} AND Email LIKE 'ann@%'") == {with_mail}
    assert ids(f"{base} AND Email != 'ann@example.com'") == {without}  # != matches null
    assert ids(f"{base} AND (Email = null OR Title = 'Dr')") == {with_mail, without}
    assert ids(f"{base} AND Id IN ('{with_mail[:15]}')") == {with_mail}
    counted = query(api, f"SELECT COUNT() FROM Contact WHERE LastName = '{marker}'")
    assert (counted["totalSize"], counted["records"]) == (2, [])
    ordered = query(api, f"SELECT Id, Email FROM Contact WHERE LastName = '{marker}' "
                         "ORDER BY Email DESC NULLS LAST")["records"]
    assert [r["Id"] for r in ordered] == [with_mail, without]


def test_malformed_queries_are_refused_like_an_org(api: httpx.Client) -> None:
    cases = {
        "SELECT Id FROM Contact WHERE LastName = 'a' AND Title = 'b' OR Email = null":
            "MALFORMED_QUERY",
        "SELECT Id FROM Contact WHERE Birthdate = '2020-01-01'": "INVALID_FIELD",
        "SELECT Id FROM Contact WHERE LastName = 5": "INVALID_FIELD",
        "SELECT Id FROM Contact WHERE AccountId = 'abc'": "INVALID_QUERY_FILTER_OPERATOR",
        "SELECT Nope__c FROM Contact": "INVALID_FIELD",
        "SELECT Id FROM Nothing__c": "INVALID_TYPE",
        "SELECT Id FROM Contact OFFSET 2001": "NUMBER_OUTSIDE_VALID_RANGE",
        "SELECT Id, FROM Contact": "MALFORMED_QUERY",
    }
    for soql, code in cases.items():
        resp = api.get(f"{V}/query", params={"q": soql})
        assert errors(resp)[0]["errorCode"] == code, soql
    dated = query(api, "SELECT Id FROM Contact WHERE Birthdate < 2020-01-01 AND "
                       "CreatedDate = LAST_N_DAYS:3 LIMIT 1")
    assert dated["done"] is True
