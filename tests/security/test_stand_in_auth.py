"""Both stand-ins refuse every credential but the configured one, and say nothing else.

A stand-in that accepted a near-miss key (another case, a prefix, the key in a query string or
the wrong header) would let a client bug that the real servers refuse pass every test above.
"""

from __future__ import annotations

import httpx
import pytest

from tests.security.conftest import BIZSTIM_KEYS, TWENTY_KEY, Migrated

KEY = BIZSTIM_KEYS[0]
BIZSTIM_BAD = {
    "no header": ({}, ""),
    "unknown key": ({"x-api-key": "not-a-key"}, ""),
    "other case": ({"x-api-key": KEY.upper()}, ""),
    "prefix of the key": ({"x-api-key": KEY[:-1]}, ""),
    "key plus a character": ({"x-api-key": KEY + "0"}, ""),
    "empty key": ({"x-api-key": ""}, ""),
    "bearer header instead": ({"Authorization": f"Bearer {KEY}"}, ""),
    "key in the query string": ({}, f"?x-api-key={KEY}&api_key={KEY}&key={KEY}"),
}
TWENTY_BAD = {
    "no header": ({}, ""),
    "unknown token": ({"Authorization": "Bearer not-a-token"}, ""),
    "prefix of the token": ({"Authorization": f"Bearer {TWENTY_KEY[:-1]}"}, ""),
    "token without the scheme": ({"Authorization": TWENTY_KEY}, ""),
    "basic scheme": ({"Authorization": f"Basic {TWENTY_KEY}"}, ""),
    "x-api-key header instead": ({"x-api-key": TWENTY_KEY}, ""),
    "token in the query string": ({}, f"?token={TWENTY_KEY}&apiKey={TWENTY_KEY}"),
}


def _get(url: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(url, headers=headers, timeout=30)


def test_the_right_credentials_work(migrated: Migrated) -> None:
    """The control: the same requests with the right key return data."""
    clients = _get(f"{migrated.bizstim.url}/api/clients/0/5", {"x-api-key": KEY})
    assert clients.status_code == 200 and len(clients.json()["response"]) == 5
    people = _get(f"{migrated.twenty.url}/rest/people?limit=5",
                  {"Authorization": f"Bearer {TWENTY_KEY}"})  # fmt: skip
    assert people.status_code == 200 and people.json()["data"]["people"]


@pytest.mark.parametrize("case", sorted(BIZSTIM_BAD))
def test_bizstim_sandbox_refuses(migrated: Migrated, case: str) -> None:
    headers, query = BIZSTIM_BAD[case]
    before = len(migrated.bizstim.requests())
    response = _get(f"{migrated.bizstim.url}/api/clients/0/5{query}", headers)
    assert response.status_code == 401
    assert response.json() == {"status": "failure", "response": "Invalid API key"}
    assert KEY not in response.text
    logged = migrated.bizstim.requests(before)
    assert [(r["status"], r["records"]) for r in logged] == [(401, 0)]


@pytest.mark.parametrize("case", sorted(TWENTY_BAD))
def test_twenty_stand_in_refuses(migrated: Migrated, case: str) -> None:
    headers, query = TWENTY_BAD[case]
    for path in ("/rest/people", "/rest/metadata/objects"):
        response = _get(f"{migrated.twenty.url}{path}{query}", headers)
        assert response.status_code == 401, path
        assert "data" not in response.json(), path
        assert TWENTY_KEY not in response.text
    write = httpx.post(f"{migrated.twenty.url}/rest/people{query}", headers=headers,
                       json={"name": {"firstName": "Mallory"}}, timeout=30)  # fmt: skip
    assert write.status_code == 401
    people = _get(f"{migrated.twenty.url}/rest/people?filter=name.firstName[eq]:Mallory",
                  {"Authorization": f"Bearer {TWENTY_KEY}"})  # fmt: skip
    assert people.json()["data"]["people"] == []
