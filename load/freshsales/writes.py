"""One record per call: an upsert where Freshsales has one, a create settled by a read where not.

Contacts, sales accounts and deals have ``POST /api/<module>/upsert`` (destinations-2.md §3.2):
keyed on the unique ``cf_bizstim_id`` it is idempotent, so it is retried like any request, and
its status says what happened (201 created, 200 updated), which sets the record's action.
CPQ products, appointments and notes have no upsert: a POST whose answer was lost (a dropped
connection, a 5xx, a timeout: none says whether it landed) would, sent again, make a second
record. So a create is sent without the core's retries and, when its answer is lost, the
account is read first: products by their listing (``cf_bizstim_id``), appointments and notes
by their contact (``GET /api/contacts/{id}?include=notes,appointments``, one request, the
``[bizstim:<id>]`` marker): found, it is the answer; absent, the create never landed and is
sent again after the core's backoff. A run killed between the POST and the ledger write is
settled the same way by the next run's read (``landed_id``). An update is a PUT by id, which is
idempotent. A 4xx refusal is one record's problem: the core quarantines it with Freshsales'
words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from load.core.destination import BatchRefused
from load.core.plan import Planned
from load.freshsales.client import FreshsalesClient, FreshsalesError, FreshsalesUnavailable
from load.freshsales.payload import body_of, flatten
from load.freshsales.specs import KEY, KEY_FIELD, Module

REFUSED = (400, 404, 409, 410, 422)  # about this record; 401/403/429 are about the account
CREATE_ATTEMPTS = 8  # as many as the core's loop gives any other request


def unwrap(mod: Module, answer: Any) -> dict[str, Any]:
    """The record inside a resource-wrapped answer (an unwrapped one as it is)."""
    if isinstance(answer, dict) and isinstance(answer.get(mod.resource), dict):
        return answer[mod.resource]
    return answer if isinstance(answer, dict) else {}


class Writer:
    def __init__(
        self,
        client: FreshsalesClient,
        find: Callable[[Module, dict[str, Any], str], dict[str, Any] | None],
    ) -> None:
        self.client = client
        self.find = find  # module, body, external id → the record holding it, read back
        self.settled_by_reading = 0
        self.outcomes: dict[int, int] = {}  # upsert status → count (201 created, 200 updated)

    def write(self, mod: Module, item: Planned) -> dict[str, Any]:
        body = body_of(mod, item.payload)
        external_id = str(item.payload[KEY])
        try:
            if mod.upsert:
                record = self._upsert(mod, body, external_id, item)
            elif item.record_id is None:
                record = self._create(mod, body, external_id)
            else:
                answer = self.client.request(
                    "PUT", f"{mod.path}/{item.record_id}", json={mod.resource: body}
                )
                record = flatten(mod, unwrap(mod, answer))
        except FreshsalesError as exc:
            if exc.status in REFUSED:
                raise BatchRefused(f"Freshsales {exc.status}: {'; '.join(exc.messages)}") from exc
            raise
        if record.get(KEY) is None:  # an answer without the custom fields: it is this record
            record[KEY] = external_id
        return record

    def _upsert(
        self, mod: Module, body: dict[str, Any], external_id: str, item: Planned
    ) -> dict[str, Any]:
        request = {"unique_identifier": {KEY_FIELD: external_id}, mod.resource: body}
        retries = self.client.stats.retries
        answer = self.client.request("POST", f"{mod.path}/upsert", json=request)
        status = self.client.last_status
        self.outcomes[status] = self.outcomes.get(status, 0) + 1
        if self.client.stats.retries != retries:
            pass  # sent again after a lost answer: a 200 may be this run's own create
        elif status == 201 and item.action != "created":
            item.action = "created"  # the account did not hold it (deleted since the read)
        elif status == 200 and item.action == "created":
            item.action = "updated"  # the account held it although the read did not show it
        return flatten(mod, unwrap(mod, answer))

    def _create(self, mod: Module, body: dict[str, Any], external_id: str) -> dict[str, Any]:
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                answer = self.client.request(
                    "POST", mod.path, json={mod.resource: body}, retry_writes=False
                )
                return flatten(mod, unwrap(mod, answer))
            except FreshsalesUnavailable:
                landed = self.find(mod, body, external_id)
                if landed is not None:
                    self.settled_by_reading += 1
                    return landed
                if attempt == CREATE_ATTEMPTS:
                    raise
                self.client.backoff(attempt)
        raise AssertionError("unreachable: the loop returns or raises")
