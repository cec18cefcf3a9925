"""sObject Collections: up to 200 records per request, one outcome per record, in input order.

Below the Bulk threshold a set is cheaper as Collections (``⌈n / 200⌉`` requests against
about seven for the smallest Bulk job), and Collections is where the rows a Bulk job failed go
for their one retry (destinations-2.md §1.2). ``allOrNone`` is false: a well-formed request
answers HTTP 200 even when rows fail, each with ``{id, success, errors[{statusCode, message,
fields}]}`` in input order (documented for Collections, unlike Bulk result files), so outcomes
are paired by position *within one request* and handed on keyed by external id.

``UNABLE_TO_LOCK_ROW`` is the one row error that is not about the row: another transaction
held its parent for the ~10 s Salesforce waits. Such rows are sent again (a few times, with a
growing pause); every other row error is final and goes back with Salesforce's own message.
An upsert that lost its connection is simply sent again (it matches on the external id); a
create is not (it would make a second record): the caller reads back what landed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from load.salesforce.client import SalesforceClient

CAP = 200  # records per Collections request
LOCK_ERROR = "UNABLE_TO_LOCK_ROW"
LOCK_RETRIES = 3


@dataclass
class RowOutcome:
    record_id: str | None = None
    created: bool = False
    error: str | None = None  # "CODE: message" as Salesforce worded it
    codes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Outcomes:
    rows: list[RowOutcome] = field(default_factory=list)
    lock_retries: int = 0


def _outcome(result: dict[str, Any]) -> RowOutcome:
    if result.get("success"):
        return RowOutcome(str(result.get("id")), bool(result.get("created")))
    errors = result.get("errors") or [{"statusCode": "UNKNOWN", "message": "failed, no message"}]
    codes = tuple(str(e.get("statusCode") or e.get("errorCode") or "") for e in errors)
    words = "; ".join(f"{c}: {e.get('message', '')}" for c, e in zip(codes, errors, strict=True))
    return RowOutcome(result.get("id"), False, words, codes)


class Collections:
    def __init__(self, client: SalesforceClient, sleep: Callable[[float], None] = time.sleep):
        self.client = client
        self.sleep = sleep

    def _send(
        self, method: str, path: str, records: Sequence[dict[str, Any]], retry_writes: bool
    ) -> list[RowOutcome]:
        body = {"allOrNone": False, "records": list(records)}
        answer = self.client.data(method, path, json=body, retry_writes=retry_writes)
        return [_outcome(r) for r in answer]

    def _each(
        self, method: str, path: str, records: Sequence[dict[str, Any]], retry_writes: bool
    ) -> Outcomes:
        """Every record through requests of :data:`CAP`, lock errors sent again."""
        out = Outcomes([RowOutcome() for _ in records])
        todo = list(range(len(records)))
        for attempt in range(LOCK_RETRIES + 1):
            for start in range(0, len(todo), CAP):
                chunk = todo[start : start + CAP]
                answers = self._send(method, path, [records[i] for i in chunk], retry_writes)
                for index, outcome in zip(chunk, answers, strict=True):
                    out.rows[index] = outcome
            todo = [i for i in todo if LOCK_ERROR in out.rows[i].codes]
            if not todo or attempt == LOCK_RETRIES:
                break
            out.lock_retries += len(todo)
            self.sleep(1.0 * 2**attempt)
        return out

    def upsert(self, obj: str, external_field: str, records: Sequence[dict[str, Any]]) -> Outcomes:
        """``PATCH /composite/sobjects/{obj}/{field}``: records carry the external id, no Id."""
        typed = [{"attributes": {"type": obj}, **r} for r in records]
        return self._each("PATCH", f"/composite/sobjects/{obj}/{external_field}", typed, True)

    def create(self, obj: str, records: Sequence[dict[str, Any]], resend: bool = False) -> Outcomes:
        """``POST /composite/sobjects``; not re-sent on an unknown outcome (see above) unless
        ``resend``: records a unique field guards, where a second copy is refused with
        ``DUPLICATE_VALUE`` (permission sets and their rows)."""
        typed = [{"attributes": {"type": obj}, **r} for r in records]
        return self._each("POST", "/composite/sobjects", typed, resend)

    def update(self, obj: str, records: Sequence[dict[str, Any]]) -> Outcomes:
        """``PATCH /composite/sobjects``: records carry their ``id``."""
        typed = [{"attributes": {"type": obj}, **r} for r in records]
        return self._each("PATCH", "/composite/sobjects", typed, True)

    def delete(self, record_ids: Sequence[str]) -> list[RowOutcome]:
        """``DELETE /composite/sobjects?ids=…``: into the Recycle Bin, 200 ids a request."""
        out: list[RowOutcome] = []
        for start in range(0, len(record_ids), CAP):
            ids = ",".join(record_ids[start : start + CAP])
            answer = self.client.data(
                "DELETE", "/composite/sobjects", params={"ids": ids, "allOrNone": "false"}
            )
            out += [_outcome(r) for r in answer]
        return out
