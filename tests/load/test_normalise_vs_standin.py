"""load/twenty/normalise.py agrees with what a Twenty that follows twenty-real-rules.md stores.

The values a mart sends (mixed-case e-mails, ``[]``, national phones with a country, link
origins in capitals with a trailing slash) are written to the stand-in over HTTP; what it hands
back must normalise to the same thing as what was sent, and a changed value must not.
"""

from __future__ import annotations

from typing import Any

from load.twenty.normalise import normalise
from tests.load.conftest import Twenty

SENT: dict[str, Any] = {
    "name": {"firstName": "Ada", "lastName": "Lovelace"},
    "emails": {"primaryEmail": "Ada.Norm@Example.COM", "additionalEmails": []},
    "phones": {
        "primaryPhoneNumber": "(905) 454-6464",
        "primaryPhoneCountryCode": "CA",
        "additionalPhones": [{"number": "06 12 34 56 78", "countryCode": "FR"}],
    },
    "linkedinLink": {
        "primaryLinkUrl": "HTTPS://LinkedIn.COM/in/Ada/",
        "primaryLinkLabel": "",
        "secondaryLinks": [],
    },
}
TYPES = {"emails": "EMAILS", "phones": "PHONES", "linkedinLink": "LINKS", "name": "FULL_NAME"}


def test_what_twenty_stores_normalises_like_what_was_sent(twenty: Twenty) -> None:
    with twenty.http() as http:
        answer = http.post("/rest/people", json=SENT)
        assert answer.status_code == 201, answer.text
        stored = http.get(f"/rest/people/{answer.json()['data']['createPerson']['id']}")
    record = stored.json()["data"]["person"]
    rewritten = [name for name in TYPES if record[name] != SENT[name]]
    assert set(rewritten) >= {"emails", "phones", "linkedinLink"}  # Twenty did rewrite them
    for name, ftype in TYPES.items():
        assert normalise(ftype, SENT[name]) == normalise(ftype, record[name]), name
    other = {**SENT["phones"], "primaryPhoneNumber": "(905) 454-6465"}
    assert normalise("PHONES", other) != normalise("PHONES", record["phones"])
    assert normalise("EMAILS", {"primaryEmail": "ada@example.com"}) != normalise(
        "EMAILS", record["emails"]
    )
