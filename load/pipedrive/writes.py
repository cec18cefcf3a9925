"""One record per call, and a create whose answer was lost is settled by reading, not resent.

Pipedrive has neither a bulk write nor an upsert (destinations-2.md §2.2, §2.3): every record
is one ``POST`` (create) or ``PATCH`` (v2 update; notes ``PUT /v1/notes/{id}``), so the core
sends batches of one. An update is idempotent and is retried like any request. A create is
not: a POST whose connection dropped after Pipedrive committed it would, sent again, make a
second person. So a create is sent without the core's retries and, when its answer is lost (a
dropped connection, a 5xx, a timeout: none says whether it landed), the entity's newest records
are read (one page, 10 tokens, v1 notes 20) for the record carrying its Bizstim ID or marker:
found, it is the answer; absent, the create never landed and is sent again after the core's
backoff, up to the core's number of attempts. A run
killed between the POST and the ledger write is settled the same way by the next run's
listing (``landed_id``). A 4xx refusal is one record's problem: the core quarantines it with
Pipedrive's ``error`` and ``error_info``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from load.core.destination import BatchRefused
from load.core.plan import Planned
from load.pipedrive.client import PipedriveClient, PipedriveError, PipedriveUnavailable
from load.pipedrive.specs import KEY, Entity

REFUSED = (400, 404, 409, 410, 422)  # about this record; 401/403/429 are about the account
CREATE_ATTEMPTS = 8  # as many as the core's loop gives any other request


def body_of(payload: dict[str, Any], entity: Entity) -> dict[str, Any]:
    """What is sent: the payload without the pairing key and without empty values (never
    ``custom_fields`` where the entity has none: Pipedrive refuses the key on activities).
    v2 and v1 bodies declare no field nullable (``org_id``, ``person_id``, ``due_time``...: a
    strict validator refuses ``null``), so a value the mart leaves empty is left out; a custom
    field is cleared with ``null`` inside ``custom_fields``, which Pipedrive documents."""
    body = {k: v for k, v in payload.items() if k != KEY and v is not None}
    if not entity.custom_fields:
        body.pop("custom_fields", None)
    return body


def update_path(entity: Entity, record_id: str) -> tuple[str, str]:
    return ("PUT" if entity.v1 else "PATCH"), f"{entity.path}/{record_id}"


class Writer:
    def __init__(
        self,
        client: PipedriveClient,
        flatten: Callable[[Entity, dict[str, Any]], dict[str, Any]],
        find: Callable[[Entity, str], dict[str, Any] | None],
    ) -> None:
        self.client = client
        self.flatten = flatten  # a Pipedrive record with ``id`` as text and ``bizstim_id``
        self.find = find  # entity, external id → the record holding it, read from a listing
        self.settled_by_reading = 0

    def write(self, entity: Entity, item: Planned) -> dict[str, Any]:
        body = body_of(item.payload, entity)
        external_id = str(item.payload[KEY])
        try:
            if item.record_id is None:
                data = self._create(entity, body, external_id)
            else:
                method, path = update_path(entity, item.record_id)
                data = self.client.data(method, path, json=body)
        except PipedriveError as exc:
            if exc.status in REFUSED:
                raise BatchRefused(f"Pipedrive {exc.status}: {'; '.join(exc.messages)}") from exc
            raise
        return self.flatten(entity, data)

    def _create(self, entity: Entity, body: dict[str, Any], external_id: str) -> dict[str, Any]:
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                return self.client.data("POST", entity.path, json=body, retry_writes=False)
            except PipedriveUnavailable:
                landed = self.find(entity, external_id)
                if landed is not None:
                    self.settled_by_reading += 1
                    return landed
                if attempt == CREATE_ATTEMPTS:
                    raise
                self.client.backoff(attempt)
        raise AssertionError("unreachable: the loop returns or raises")
