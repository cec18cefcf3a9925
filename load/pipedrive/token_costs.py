"""What each call the Pipedrive loader makes costs in tokens, by Pipedrive's own price list.

Pipedrive meters an account in *tokens*, not requests: every operation of its OpenAPI files
carries an ``x-token-cost``, and a day holds 30 000 * plan multiplier * seats of them
(destinations-2.md §2.2, destinations.md §2.4). The prices differ twentyfold between calls a
loader could choose for the same job: a v2 write is 5 tokens, a v2 list page of up to 500 rows
10, a search 20, a v1 notes page 20, so reading 20 000 persons back costs 400 tokens by
listing and 400 000 by searching each. The pacer (:mod:`load.pipedrive.budget`) charges each
request its price before it is sent, and ``scope``'s plan (:mod:`load.pipedrive.cost`) adds
the same prices up, so both need the table, and it is kept here once.

The table holds only the calls the loader makes, keyed by method and path template as the
specs write them (``/api/v2/persons/{id}``, ``/v1/notes``). It is not read from the specs at
run time: the loader must not need Pipedrive's 2.7 MB of YAML to price a request, and a price
that changes in a new spec should fail a test (tests/load_pipedrive/test_token_costs.py reads
the specs and compares every entry), not silently change a plan. A call the table does not
price is refused (:class:`UnpricedCall`) rather than guessed: a guess would let the pacer
overspend a budget the customer shares with their own use of Pipedrive.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

V2 = "/api/v2"
V1 = "/v1"
LIST_PAGE = 500  # v2 lists: "a maximum value of 500 is allowed" (v2 spec, ``limit``)
NOTES_PAGE = 500  # v1 GET /notes pages by start/limit; Pipedrive caps v1 pages at 500 too

# entities written through v2, with their *Fields endpoint (activityFields is GET-only)
V2_ENTITIES = ("persons", "organizations", "products", "deals", "activities")
FIELDS_OF = {
    "persons": "personFields",
    "organizations": "organizationFields",
    "products": "productFields",
    "deals": "dealFields",
    "activities": "activityFields",
}


def _v2_entity(entity: str) -> dict[tuple[str, str], int]:
    return {
        ("GET", f"{V2}/{entity}"): 10,  # a page of up to 500
        ("POST", f"{V2}/{entity}"): 5,
        ("GET", f"{V2}/{entity}/{{id}}"): 1,
        ("PATCH", f"{V2}/{entity}/{{id}}"): 5,
        ("DELETE", f"{V2}/{entity}/{{id}}"): 3,
    }


def _v2_fields(fields: str) -> dict[tuple[str, str], int]:
    listing = {("GET", f"{V2}/{fields}"): 10}
    if fields == "activityFields":  # read-only in the v2 spec (destinations-2.md §2.5)
        return listing
    return {
        **listing,
        ("POST", f"{V2}/{fields}"): 5,
        ("PATCH", f"{V2}/{fields}/{{field_code}}"): 5,
        ("POST", f"{V2}/{fields}/{{field_code}}/options"): 5,
        ("PATCH", f"{V2}/{fields}/{{field_code}}/options"): 5,
        # ``rollback --schema`` removes what setup created
        ("DELETE", f"{V2}/{fields}/{{field_code}}"): 3,
        ("DELETE", f"{V2}/{fields}/{{field_code}}/options"): 3,
    }


TOKEN_COSTS: dict[tuple[str, str], int] = {
    **{call: cost for entity in V2_ENTITIES for call, cost in _v2_entity(entity).items()},
    **{call: cost for f in FIELDS_OF.values() for call, cost in _v2_fields(f).items()},
    # v1: notes and users have no v2 endpoints (destinations-2.md §2.2)
    ("GET", f"{V1}/notes"): 20,
    ("POST", f"{V1}/notes"): 10,
    ("GET", f"{V1}/notes/{{id}}"): 2,
    ("PUT", f"{V1}/notes/{{id}}"): 10,
    ("DELETE", f"{V1}/notes/{{id}}"): 6,
    ("GET", f"{V1}/users"): 20,
    ("GET", f"{V1}/users/me"): 2,
}

_NUMBER = re.compile(r"^\d+$")


class UnpricedCall(KeyError):
    """A call the table does not price: add it (with its spec's ``x-token-cost``) first."""


def template_of(path: str) -> str:
    """``/api/v2/persons/12`` → ``/api/v2/persons/{id}``; ``/api/v2/personFields/<code>/options``
    → ``/api/v2/personFields/{field_code}/options``. A full URL or a query string is cut to
    its path; a real account's base URL (``https://<company>.pipedrive.com``) has no path;
    any segment after ``*Fields`` is a field code (40-hex for custom fields, a word for
    built-in ones)."""
    parts = [p for p in urlsplit(path).path.split("/") if p]
    if parts[:2] == ["api", "v1"]:  # v1 is served under both /v1 and /api/v1
        parts = parts[1:]
    out: list[str] = []
    for i, part in enumerate(parts):
        if i and parts[i - 1].endswith("Fields"):
            out.append("{field_code}")
        elif _NUMBER.match(part):
            out.append("{id}")
        else:
            out.append(part)
    return "/" + "/".join(out)


def cost_of(method: str, path: str) -> int:
    """The tokens one call costs (``path`` concrete or a template, with or without a query)."""
    key = (method.upper(), template_of(path))
    try:
        return TOKEN_COSTS[key]
    except KeyError:
        raise UnpricedCall(
            f"{key[0]} {key[1]} has no token cost in load/pipedrive/token_costs.py; add it with "
            "the x-token-cost of Pipedrive's OpenAPI file before calling it"
        ) from None


def update_method(path: str) -> str:
    """v2 updates by ``PATCH``; v1 notes by ``PUT``."""
    return "PUT" if template_of(path).startswith(f"{V1}/") else "PATCH"


def create_cost(path: str) -> int:
    """One record created at the collection ``path`` (``/api/v2/persons``, ``/v1/notes``)."""
    return cost_of("POST", path)


def update_cost(path: str) -> int:
    return cost_of(update_method(path), f"{path}/{{id}}")


def delete_cost(path: str) -> int:
    return cost_of("DELETE", f"{path}/{{id}}")


def page_size(path: str) -> int:
    """Rows one page of the collection's listing holds."""
    return NOTES_PAGE if template_of(path).startswith(f"{V1}/") else LIST_PAGE


def page_cost(path: str) -> int:
    """One page of the collection's listing."""
    return cost_of("GET", path)
