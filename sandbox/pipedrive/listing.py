"""v2 lists (§2.11 rule 12) and the cursor they share with the Fields API.

``limit`` ≤ 500 (default 100), an opaque ``cursor``, ``additional_data.next_cursor`` null on
the last page, ``ids`` (≤ 100), ``updated_since``/``updated_until`` (RFC 3339) and
``custom_fields=`` (a comma list of field codes: only those appear under ``custom_fields``,
which is how the loader reads its "Bizstim ID" map cheaply, destinations-2.md §2.3).

Choices where the reference is silent: a limit above 500 or below 1, more than 100 ids, an
id that is not a number, a time that is not RFC 3339, an unknown ``custom_fields`` code and
a cursor the stand-in did not issue are all 400 ``ERR_SCHEMA_VALIDATION_FAILED`` naming the
parameter. The cursor is keyset (the last row's sort value and id, base64url JSON), so rows
added or deleted between pages neither repeat nor vanish. Filters served: ``owner_id``,
``org_id``, ``person_id``, ``deal_id``, ``done`` (activities), ``status`` (deals);
``status=deleted`` lists the deals deleted in the last 30 days (the spec offers the value;
the other kinds have no way to list their deleted records); ``sort_by``
id/add_time/update_time (+ ``name`` for products, ``due_date`` for activities) and
``sort_direction``. ``filter_id`` (saved filters) is not served: 400.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from sandbox.pipedrive import fields, values
from sandbox.pipedrive.accounts import Account
from sandbox.pipedrive.entities import Entity, render
from sandbox.pipedrive.errors import invalid

MAX_LIMIT, DEFAULT_LIMIT, MAX_IDS = 500, 100, 100
FILTERS = ("owner_id", "org_id", "person_id", "deal_id")
SORTS = {"id", "add_time", "update_time", "name", "due_date"}
Query = dict[str, list[str]]


def param(query: Query, name: str) -> str | None:
    found = query.get(name)
    return found[-1] if found else None


def limit_of(query: Query) -> int:
    text = param(query, "limit")
    if text is None or text == "":
        return DEFAULT_LIMIT
    if not text.lstrip("-").isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise invalid(f"limit: Must be an integer between 1 and {MAX_LIMIT}")
    return int(text)


def encode_cursor(key: Any, record_id: Any) -> str:
    raw = json.dumps([key, record_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[Any, Any]:
    try:
        key, record_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise invalid("cursor: Invalid cursor") from exc
    return key, record_id


def page(
    rows: list[Any], query: Query, sort_key: Any, descending: bool = False
) -> tuple[list[Any], str | None]:
    """One page of ``rows`` (already filtered) after the query's cursor, and the next cursor."""
    size = limit_of(query)
    rows = sorted(rows, key=sort_key, reverse=descending)
    cursor = param(query, "cursor")
    if cursor:
        after = tuple(decode_cursor(cursor))
        try:
            rows = [r for r in rows if (sort_key(r) < after if descending else sort_key(r) > after)]
        except TypeError as exc:
            raise invalid("cursor: Invalid cursor") from exc
    chunk = rows[:size]
    more = len(rows) > size
    return chunk, (encode_cursor(*sort_key(chunk[-1])) if more and chunk else None)


def list_records(
    account: Account, entity: Entity, query: Query
) -> tuple[list[dict[str, Any]], str | None]:
    # deals?status=deleted lists the deleted deals not yet purged, and only them
    deleted = entity.kind == "deal" and param(query, "status") == "deleted"
    rows = [
        d for d in account.store.kind(entity.kind).values() if bool(d.get("is_deleted")) == deleted
    ]
    if param(query, "filter_id"):
        raise invalid("filter_id: Saved filters are not served by the stand-in")
    ids = _ids(param(query, "ids"))
    if ids is not None:
        rows = [d for d in rows if d["id"] in ids]
    for name in FILTERS:
        text = param(query, name)
        if text is not None and text != "":
            if not text.isdigit():
                raise invalid(f"{name}: Expected 'number' as value")
            rows = [d for d in rows if d.get(name) == int(text)]
    rows = _by_time(rows, query)
    if entity.kind == "activity" and param(query, "done") not in (None, ""):
        done = param(query, "done") in ("true", "1")
        rows = [d for d in rows if bool(d.get("done")) == done]
    if entity.kind == "deal" and param(query, "status") not in (None, "", "deleted"):
        rows = [d for d in rows if d.get("status") == param(query, "status")]
    selected = _selected(account, entity, param(query, "custom_fields"))
    sort_by = param(query, "sort_by") or "id"
    if sort_by not in SORTS:
        raise invalid(f"sort_by: Must be one of {', '.join(sorted(SORTS))}")
    descending = (param(query, "sort_direction") or "asc") == "desc"
    chunk, cursor = page(
        rows,
        query,
        lambda d: (d.get(sort_by) or "", d["id"]) if sort_by != "id" else (d["id"], d["id"]),
        descending,
    )
    return [render(entity, account, d, selected) for d in chunk], cursor


def _ids(text: str | None) -> set[int] | None:
    if text is None or text == "":
        return None
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() for p in parts):
        raise invalid("ids: Expected a comma-separated list of numbers")
    if len(parts) > MAX_IDS:
        raise invalid(f"ids: At most {MAX_IDS} ids are allowed")
    return {int(p) for p in parts}


def _by_time(rows: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    for name, keep in (
        ("updated_since", lambda t, b: t >= b),
        ("updated_until", lambda t, b: t < b),
    ):
        text = param(query, name)
        if text is None or text == "":
            continue
        moment = values.parse_rfc3339(text)
        if moment is None:
            raise invalid(
                f"{name}: Expected a date-time in RFC 3339 format (e.g. 2025-01-01T10:20:00Z)"
            )
        bound = values.timestamp(name, text)
        rows = [d for d in rows if keep(d["update_time"], bound)]
    return rows


def _selected(account: Account, entity: Entity, text: str | None) -> list[str] | None:
    if text is None or not entity.has_custom_fields:
        return None
    codes = [c.strip() for c in text.split(",") if c.strip()]
    known = {f["field_code"] for f in fields.custom_fields(account, entity.kind)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise invalid(f"custom_fields: Field with key '{unknown[0]}' does not exist")
    return codes


def list_fields(
    account: Account, entity: str, query: Query
) -> tuple[list[dict[str, Any]], str | None]:
    include = fields.included(param(query, "include_fields"))
    built = len(fields.BUILT_IN[entity])
    # keyset by a rank that deleting a field does not shift: built-ins by position, custom
    # fields after them by creation order
    ranks = list(range(built)) + [built + f["order"] for f in fields.custom_fields(account, entity)]
    rows = list(zip(ranks, fields.all_fields(account, entity, include), strict=True))
    chunk, cursor = page(rows, query, lambda pair: (pair[0], pair[0]))
    return [row for _, row in chunk], cursor
