"""What the Twenty workspace is: read from its own metadata, never from a flag.

Server generations differ (twenty-api.md §0, §3.4, §7): the batch cap (60 before late 2025,
200 after), the note-target join columns (``personId`` on v1, morph ``targetPersonId`` on v2),
the name of the rich-text type (``RICH_TEXT_V2`` on v1, ``RICH_TEXT`` in the 2.x generated
schema) and the metadata envelope (legacy ``{"data": {"objects": [...]}}`` or the newer
``{"data": [...]}``). All of it is read from ``GET /rest/metadata/objects``; the batch cap is
then confirmed by the server itself: a batch refused with "Maximum number of records to upsert
is N" sets the cap to N for the rest of the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from load.twenty.client import TwentyClient

CAP_MESSAGE = re.compile(r"Maximum number of records to upsert is (\d+)")


@dataclass
class ObjectMeta:
    id: str
    name_singular: str
    name_plural: str
    is_custom: bool
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → field metadata


@dataclass
class Workspace:
    objects: dict[str, ObjectMeta]  # by nameSingular
    generation: str
    batch_cap: int
    note_target_person_field: str  # join column on noteTargets: personId | targetPersonId
    rich_text_type: str
    envelope: str  # "legacy" | "list"

    def plural(self, singular: str) -> str:
        return self.objects[singular].name_plural

    def has_field(self, singular: str, name: str) -> bool:
        return singular in self.objects and name in self.objects[singular].fields

    def adopt_cap_from(self, message: str) -> bool:
        """Take the cap a refusal names; True when the cap changed."""
        match = CAP_MESSAGE.search(message)
        if match and int(match.group(1)) != self.batch_cap:
            self.batch_cap = int(match.group(1))
            return True
        return False


def _objects_from(body: Any) -> tuple[list[dict[str, Any]], str]:
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict) and isinstance(data.get("objects"), list):
        return data["objects"], "legacy"
    if isinstance(data, list):
        return data, "list"
    raise ValueError("unrecognised metadata envelope from GET /rest/metadata/objects")


def read_objects(client: TwentyClient) -> tuple[dict[str, ObjectMeta], str]:
    objects: dict[str, ObjectMeta] = {}
    cursor: str | None = None
    envelope = "legacy"
    while True:
        params: dict[str, Any] = {"limit": 1000}
        if cursor:
            params["starting_after"] = cursor
        body = client.request("GET", "/rest/metadata/objects", params=params)
        items, envelope = _objects_from(body)
        for item in items:
            meta = ObjectMeta(
                id=item["id"],
                name_singular=item["nameSingular"],
                name_plural=item["namePlural"],
                is_custom=bool(item.get("isCustom")),
                fields={f["name"]: f for f in item.get("fields") or []},
            )
            objects[meta.name_singular] = meta
        info = body.get("pageInfo") or {}
        cursor = info.get("endCursor")
        if not info.get("hasNextPage") or not items or not cursor:
            return objects, envelope


def introspect(client: TwentyClient) -> Workspace:
    objects, envelope = read_objects(client)
    note_target = objects.get("noteTarget")
    if note_target is None:
        raise RuntimeError("the workspace has no noteTarget object: is this a Twenty workspace?")
    if "targetPerson" in note_target.fields:
        generation, person_field, cap = "v2", "targetPersonId", 200
    elif "person" in note_target.fields:
        generation, person_field, cap = "v1", "personId", 60
    else:
        raise RuntimeError("noteTarget has neither targetPerson nor person: unknown generation")
    note = objects.get("note")
    body_type = (note.fields.get("bodyV2") or {}).get("type") if note else None
    return Workspace(
        objects=objects,
        generation=generation,
        batch_cap=cap,
        note_target_person_field=person_field,
        rich_text_type=body_type or ("RICH_TEXT" if generation == "v2" else "RICH_TEXT_V2"),
        envelope=envelope,
    )
