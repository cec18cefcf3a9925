"""``PUT /v1/persons/{id}/merge`` (§2.11 rule 14, 40 tokens): the clean-up after duplicates.

v1 persons are otherwise "gone" (out of support since 1 Aug 2026), but merge has no v2
equivalent and stays in the v1 spec, so it is served here. It is the only way to fold a
duplicate person (a lost create re-sent, destinations-2.md §2.3) into the one the loader
keeps, and at 40 tokens it is the costliest call the loader may make.

The spec's one hint on direction: ``merge_with_id`` is "the ID of the person that will not
be overwritten. This person's data will be prioritized in case of conflict". So the person
``merge_with_id`` survives under its own id and the person in the URL is merged into it:

* a root value of the survivor wins; an unset one (``org_id``, ``marketing_status``...)
  takes the merged person's; ``emails``/``phones`` are joined (the survivor's first, values
  compared case-insensitively, the merged person's never primary), ``label_ids`` joined;
  custom fields as root values, per field code;
* deals, activities and notes of the merged person move to the survivor;
* the merged person is deleted as a v2 DELETE deletes (404 from then on, purged after 30
  days); there is no un-merge.

Choices where the reference is silent: merging a person with itself, a missing or deleted
person, or a ``merge_with_id`` that is not a number are v1 errors (400, 404); the answer is
the survivor in the v1 ``mergePersonItem`` shape with ``merge_what_id`` = the merged id and
the counts the stand-in can know (activities, notes, deals); message/file/follower counts 0.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.pipedrive.accounts import V1_TIME, V2_TIME, Account
from sandbox.pipedrive.errors import v1_bad, v1_not_found
from sandbox.pipedrive.store import Doc

JOINED = ("emails", "phones")
KEPT = ("name", "org_id", "owner_id", "visible_to", "marketing_status")
CHILDREN = ("deal", "activity", "note")


def merge(account: Account, person_id: str, body: Any) -> dict[str, Any]:
    """Fold person ``person_id`` into ``body["merge_with_id"]``; the survivor, v1 shape."""
    if not isinstance(body, dict) or "merge_with_id" not in body:
        raise v1_bad("merge_with_id is required", '"merge_with_id" is required')
    keep_id = body["merge_with_id"]
    if not isinstance(keep_id, int) or isinstance(keep_id, bool):
        raise v1_bad("provided dataset is not valid", '"merge_with_id" must be a number')
    if str(keep_id) == person_id:
        raise v1_bad("Cannot merge a person with itself")
    merged, kept = _live(account, person_id), _live(account, keep_id)
    now = account.v2_now()
    for key in KEPT:
        if kept.get(key) is None and merged.get(key) is not None:
            kept[key] = merged[key]
    for key in JOINED:
        kept[key] = _joined(kept.get(key) or [], merged.get(key) or [])
    kept["label_ids"] = list(
        dict.fromkeys([*kept.get("label_ids", []), *merged.get("label_ids", [])])
    )
    custom = dict(kept.get("custom_fields") or {})
    for code, value in (merged.get("custom_fields") or {}).items():
        if custom.get(code) is None:
            custom[code] = value
    kept["custom_fields"] = custom
    kept["update_time"] = now
    for kind in CHILDREN:
        for child in account.store.kind(kind).values():
            if child.get("person_id") == merged["id"]:
                child["person_id"] = kept["id"]
                account.store.save(kind, child["id"], child)
    merged["is_deleted"], merged["delete_time"] = True, now
    account.store.save("person", merged["id"], merged)
    account.store.save("person", kept["id"], kept)
    return _render(account, kept, merged["id"])


def _live(account: Account, person_id: str | int) -> Doc:
    doc = account.store.get("person", person_id) if str(person_id).isdigit() else None
    if doc is None or doc.get("is_deleted"):
        raise v1_not_found("Person")
    return doc


def _joined(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = {item["value"].casefold() for item in first}
    out = [dict(item) for item in first]
    for item in second:
        if item["value"].casefold() not in seen:
            seen.add(item["value"].casefold())
            out.append({**item, "primary": False if out else item["primary"]})
    if out and not any(item["primary"] for item in out):
        out[0]["primary"] = True
    return out


def _v1_time(stamp: str) -> str:
    return datetime.strptime(stamp, V2_TIME).strftime(V1_TIME)


def _render(account: Account, doc: Doc, merged_id: int) -> dict[str, Any]:
    mine = {
        kind: [c for c in account.store.kind(kind).values() if c.get("person_id") == doc["id"]]
        for kind in CHILDREN
    }
    live_deals = [d for d in mine["deal"] if not d.get("is_deleted")]
    activities = [a for a in mine["activity"] if not a.get("is_deleted")]
    done = sum(1 for a in activities if a.get("done"))
    deals = {s: sum(1 for d in live_deals if d.get("status") == s) for s in ("open", "won", "lost")}
    owner = account.user(doc["owner_id"]) if doc.get("owner_id") else None
    org = account.store.get("organization", doc["org_id"]) if doc.get("org_id") else None
    first, _, last = doc.get("name", "").partition(" ")
    out: dict[str, Any] = {
        "id": doc["id"],
        "company_id": 1,
        "active_flag": True,
        "phone": doc.get("phones") or [],
        "email": doc.get("emails") or [],
        "first_char": doc.get("name", " ")[:1].lower(),
        "add_time": _v1_time(doc["add_time"]),
        "update_time": _v1_time(doc["update_time"]),
        "visible_to": str(doc.get("visible_to", 3)),
        "picture_id": None,
        "label_ids": doc.get("label_ids", []),
        "org_name": org.get("name") if org else None,
        "owner_name": owner["name"] if owner else "",
        "cc_email": None,
        "merge_what_id": merged_id,
        "name": doc.get("name", ""),
        "first_name": first,
        "last_name": last or None,
        "email_messages_count": 0,
        "activities_count": len(activities),
        "done_activities_count": done,
        "undone_activities_count": len(activities) - done,
        "files_count": 0,
        "notes_count": len(mine["note"]),
        "followers_count": 0,
        "open_deals_count": deals["open"],
        "related_open_deals_count": deals["open"],
        "closed_deals_count": deals["won"] + deals["lost"],
        "related_closed_deals_count": deals["won"] + deals["lost"],
        "won_deals_count": deals["won"],
        "related_won_deals_count": deals["won"],
        "lost_deals_count": deals["lost"],
        "related_lost_deals_count": deals["lost"],
        "participant_open_deals_count": 0,
        "participant_closed_deals_count": 0,
    }
    if doc.get("owner_id") is not None:
        out["owner_id"] = doc["owner_id"]
    if doc.get("org_id") is not None:
        out["org_id"] = doc["org_id"]
    return out
