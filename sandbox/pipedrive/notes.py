"""v1 notes (§2.11 rule 7): ``POST/GET /v1/notes``, ``GET/PUT/DELETE /v1/notes/{id}``.

Notes exist only in v1 (destinations-2.md §2.2); the loader writes payments and Bizstim notes
as notes on persons, and recognises its own by the ``[bizstim:<id>]`` marker in ``content``,
so ``content`` is stored exactly as sent. ``content`` is required and non-empty, a note hangs
on at least one of deal/person/org/lead/project/task, ``add_time`` is ``YYYY-MM-DD HH:MM:SS``
(UTC); refusals use the v1 error body. As the spec says, only an admin may name another
author (``user_id``: 403 otherwise), and a ``pinned_to_<x>_flag`` needs the ``<x>`` id.

Choices where the reference is silent: ``content`` is stored as sent (the spec says it is
"subject to sanitization on the back-end" without saying how); a wrong value is 400
"provided dataset is not valid" with an ``error_info`` naming the field (the wording of the
one real example quoted, formie#2491); ids must be JSON numbers; a deal/person/org id must
name a live record (400), lead/project/task ids are kept unchecked (those objects are not
served); ``user_id`` defaults to the token's user. ``DELETE`` removes the note at once (v1
notes have no bin) and answers ``data: true``. Lists page by ``start``/``limit`` (default
100, ≤ 500), ordered by id unless ``sort`` says ``id|add_time|update_time ASC|DESC``, with
``additional_data.pagination`` as the v1 spec shows; filters ``user_id``, ``person_id``,
``deal_id``, ``org_id``, ``lead_id``, ``project_id``, ``task_id``, ``updated_since``,
``start_date``/``end_date`` (on ``add_time``'s date). Notes of a deleted person stay listed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.pipedrive import values
from sandbox.pipedrive.accounts import V1_TIME, Account
from sandbox.pipedrive.errors import PdError, v1_bad, v1_not_found

BAD = "provided dataset is not valid"
PARENTS = {
    "deal_id": ("deal", "deal", "title"),
    "person_id": ("person", "person", "name"),
    "org_id": ("organization", "organization", "name"),
}
UNCHECKED = ("lead_id", "project_id", "task_id")
PINS = tuple(
    f"pinned_to_{p}_flag" for p in ("lead", "deal", "organization", "person", "project", "task")
)
PINNED = dict(
    zip(PINS, ("lead_id", "deal_id", "org_id", "person_id", "project_id", "task_id"), strict=True)
)
KEYS = ("content", "user_id", "add_time", *PARENTS, *UNCHECKED, *PINS)


def render(account: Account, note: dict[str, Any], me: int) -> dict[str, Any]:
    out = {
        k: note[k]
        for k in (
            "id",
            "active_flag",
            "add_time",
            "content",
            "update_time",
            "user_id",
            "last_update_user_id",
            *PARENTS,
            *UNCHECKED,
            *PINS,
        )
        if note.get(k) is not None
    }
    for key, (kind, name, attr) in PARENTS.items():
        parent = account.store.get(kind, note[key]) if note.get(key) else None
        if parent is not None and not parent.get("is_deleted"):
            out[name] = {attr: parent.get(attr, "")}
    user = account.user(note["user_id"])
    if user is not None:
        out["user"] = {
            "email": user["email"],
            "name": user["name"],
            "icon_url": "",
            "is_you": user["id"] == me,
        }
    return out


def create(account: Account, me: int, body: Any) -> dict[str, Any]:
    body = _body(body)
    if not isinstance(body.get("content"), str) or not body["content"].strip():
        raise v1_bad("content is required", '"content" is required and must be a non-empty string')
    if not any(body.get(k) is not None for k in (*PARENTS, *UNCHECKED)):
        raise v1_bad(
            "Note must be attached to a deal, person, organization, lead, project or task",
            "One of deal_id, person_id, org_id, lead_id, project_id or task_id is required",
        )
    now = account.v1_now()
    note = {
        "active_flag": True,
        "add_time": now,
        "update_time": now,
        "user_id": me,
        "last_update_user_id": me,
        **{pin: False for pin in PINS},
    }
    _apply(account, me, note, body)
    note["id"] = account.store.next_id("note")
    account.store.save("note", note["id"], note)
    return render(account, note, me)


def update(account: Account, me: int, note_id: str, body: Any) -> dict[str, Any]:
    note = find(account, note_id)
    body = _body(body)
    if "content" in body and (not isinstance(body["content"], str) or not body["content"].strip()):
        raise v1_bad(BAD, '"content" must be a non-empty string')
    draft = dict(note)
    _apply(account, me, draft, body)
    draft["update_time"] = account.v1_now()
    draft["last_update_user_id"] = me
    account.store.save("note", draft["id"], draft)
    return render(account, draft, me)


def delete(account: Account, note_id: str) -> bool:
    note = find(account, note_id)
    account.store.drop("note", note["id"])
    return True


def find(account: Account, note_id: str | int) -> dict[str, Any]:
    note = account.store.get("note", note_id) if str(note_id).isdigit() else None
    if note is None:
        raise v1_not_found("Note")
    return note


def list_notes(
    account: Account, me: int, query: dict[str, list[str]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    def param(name: str) -> str | None:
        found = query.get(name)
        return found[-1] if found and found[-1] != "" else None

    start, limit = _int(param("start"), "start", 0), _int(param("limit"), "limit", 100)
    if limit < 1 or limit > 500:
        raise v1_bad(BAD, '"limit" must be between 1 and 500')
    rows = list(account.store.kind("note").values())
    for key in ("user_id", *PARENTS, "project_id", "task_id"):
        if param(key) is not None:
            wanted = _int(param(key), key, 0)
            rows = [n for n in rows if n.get(key) == wanted]
    if param("lead_id") is not None:
        rows = [n for n in rows if n.get("lead_id") == param("lead_id")]
    since = param("updated_since")
    if since is not None:
        bound = values.parse_rfc3339(since)
        if bound is None:
            raise v1_bad(BAD, '"updated_since" must be an RFC 3339 date-time')
        text = bound.strftime(V1_TIME)
        rows = [n for n in rows if n["update_time"] >= text]
    for key, keep in (("start_date", lambda d, b: d >= b), ("end_date", lambda d, b: d <= b)):
        if param(key) is not None:
            bound = param(key) or ""
            if not values.DATE.match(bound):
                raise v1_bad(BAD, f'"{key}" must be a date in format YYYY-MM-DD')
            rows = [n for n in rows if keep(n["add_time"][:10], bound)]
    field, _, order = (param("sort") or "id ASC").partition(" ")
    if field not in (
        "id",
        "add_time",
        "update_time",
        "user_id",
        "person_id",
        "deal_id",
        "org_id",
        "content",
    ) or order.strip().upper() not in ("", "ASC", "DESC"):
        raise v1_bad(BAD, '"sort" must be "<field> ASC|DESC"')
    rows.sort(
        key=lambda n: (n.get(field) or 0 if field != "content" else n["content"], n["id"]),
        reverse=order.strip().upper() == "DESC",
    )
    chunk = rows[start : start + limit]
    more = len(rows) > start + limit
    pagination: dict[str, Any] = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return [render(account, n, me) for n in chunk], {"pagination": pagination}


def _body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise v1_bad(BAD, '"value" must be an object')
    unknown = sorted(set(body) - set(KEYS))
    if unknown:
        raise v1_bad(BAD, f'"{unknown[0]}" is not allowed')
    return body


def _apply(account: Account, me: int, note: dict[str, Any], body: dict[str, Any]) -> None:
    author = body.get("user_id")
    if author is not None and author != note["user_id"] and not account.user(me)["is_admin"]:
        raise PdError(403, "Only an admin can change the author of a note", v1=True)
    for key, value in body.items():
        if key == "content":
            note["content"] = value
        elif key == "add_time":
            if not isinstance(value, str) or not _is_v1_time(value):
                raise v1_bad(BAD, '"add_time" must be in format YYYY-MM-DD HH:MM:SS')
            note["add_time"] = value
        elif key in PINS:
            if value not in (0, 1, True, False):
                raise v1_bad(BAD, f'"{key}" must be 0 or 1')
            note[key] = bool(value)
        elif key == "lead_id":
            if value is not None and not isinstance(value, str):
                raise v1_bad(BAD, '"lead_id" must be a string')
            note[key] = value
        elif value is not None and not values.is_int(value):
            raise v1_bad(BAD, f'"{key}" must be a number')
        elif key == "user_id" and value is not None and account.user(value) is None:
            raise v1_bad(BAD, f'"user_id" {value} is not a user of this company')
        elif (
            key in PARENTS
            and value is not None
            and not values.live(account, PARENTS[key][0], value)
        ):
            raise v1_bad(BAD, f'"{key}" {value} does not name a live {PARENTS[key][1]}')
        else:
            note[key] = value
    for pin, parent in PINNED.items():
        if note.get(pin) and note.get(parent) is None:
            raise v1_bad(BAD, f'"{pin}" needs "{parent}"')


def _is_v1_time(text: str) -> bool:
    try:
        datetime.strptime(text, V1_TIME)
    except ValueError:
        return False
    return len(text) == 19


def _int(text: str | None, name: str, default: int) -> int:
    if text is None:
        return default
    if not text.isdigit():
        raise v1_bad(BAD, f'"{name}" must be a number')
    return int(text)
