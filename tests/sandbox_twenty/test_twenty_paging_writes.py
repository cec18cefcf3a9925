"""Cursor pagination stays exact when records change between pages.

The stand-in keeps each list's ordered rows between pages (a real Twenty walks an index; the
stand-in used to filter and sort the whole object per page). These tests make sure a write
between two pages is seen by the next page: a created record appears, an updated one moves,
a deleted cursor row still continues after its old place.
"""

from __future__ import annotations

from tests.sandbox_twenty.twenty_helpers import created, unique


def _page(api, params: dict, cursor: str | None = None) -> dict:
    query = dict(params, **({"starting_after": cursor} if cursor else {}))
    resp = api.get("/rest/companies", params=query)
    assert resp.status_code == 200, resp.text
    return resp.json()


def suffixes(body: dict, tag: str) -> list[str]:
    return [c["name"][len(tag) + 1 :] for c in body["data"]["companies"]]


def test_writes_between_pages_are_seen_by_the_next_page(api):
    tag = unique("pw")
    rows = created(
        api.post(
            "/rest/batch/companies",
            json=[{"name": f"{tag}-{i:02d}", "employees": i} for i in range(6)],
        ),
        "createCompanies",
    )
    params = {"filter": f"name[startsWith]:{tag}-", "order_by": "name", "limit": "2"}
    first = _page(api, params)
    assert suffixes(first, tag) == ["00", "01"]
    assert first["totalCount"] == 6

    api.post("/rest/companies", json={"name": f"{tag}-03a", "employees": 99})  # lands mid-list
    api.patch(f"/rest/companies/{rows[5]['id']}", json={"name": f"{tag}-00z"})  # moves back
    second = _page(api, params, first["pageInfo"]["endCursor"])
    assert suffixes(second, tag) == ["02", "03"]
    assert second["totalCount"] == 7  # the created record counts at once

    cursor_row = second["data"]["companies"][-1]
    assert api.delete(f"/rest/companies/{cursor_row['id']}").status_code == 200
    third = _page(api, params, second["pageInfo"]["endCursor"])  # cursor row gone: continues
    assert suffixes(third, tag) == ["03a", "04"]
    assert third["totalCount"] == 6 and third["pageInfo"]["hasNextPage"] is False
