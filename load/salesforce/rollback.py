"""Undoing writes in Salesforce: delete into the Recycle Bin, write back, undelete.

Collections ``DELETE`` takes 200 ids a request and moves records into the Recycle Bin, where
they stay restorable for 15 days (up to 5 000 records per licence; destinations.md §1.6):
that is the rollback of a created record. A hard delete (Bulk ``hardDelete``) needs the "Bulk
API Hard Delete" permission, off by default and meant for sandboxes, so rollback never uses
it. A record already gone (deleted by hand, or cascaded with its Account) counts as deleted.
An updated record gets its before-image back by ``PATCH /sobjects/{Obj}/{id}``, with only the
fields the migration writes that Salesforce lets an update change. ``undelete`` (SOAP API,
200 ids a call) brings back a record ``--archive-missing`` deleted, with what its delete
cascaded (Salesforce's own rule).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from load.core.specs import LoadSpec
from load.salesforce.client import API_VERSION, SalesforceClient, SalesforceError
from load.salesforce.collections import Collections
from load.salesforce.reads import Reader

GONE = {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND"}
PARTNER = f"/services/Soap/u/{API_VERSION}"
PARTNER_NS = "urn:partner.soap.sforce.com"
ENV = "http://schemas.xmlsoap.org/soap/envelope/"
UNDELETE_CHUNK = 200
FIXED = {"Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate"}


class UndoRefused(RuntimeError):
    """Salesforce refused to delete, restore or undelete a record (id and its message)."""


class Undo:
    def __init__(
        self,
        client: SalesforceClient,
        collections: Collections,
        reader: Reader,
        not_updateable: Callable[[str], set[str]],
    ) -> None:
        self.client = client
        self.collections = collections
        self.reader = reader
        self.not_updateable = not_updateable

    def delete(self, record_ids: Sequence[str]) -> None:
        outcomes = self.collections.delete(list(record_ids))
        refused = [
            f"{record_id}: {outcome.error}"
            for record_id, outcome in zip(record_ids, outcomes, strict=True)
            if not outcome.ok and not GONE & set(outcome.codes)
        ]
        if refused:
            raise UndoRefused(f"Salesforce refused to delete {'; '.join(refused[:5])}")

    def revert(self, spec: LoadSpec, record_id: str, before: dict, was_deleted: bool) -> None:
        writable = set(self.reader.fields(spec)) - FIXED - self.not_updateable(spec.singular)
        if spec.singular == "ContentNote":
            writable &= {"Title"}
        body = {k: v for k, v in before.items() if k in writable}
        if body:
            self.client.data("PATCH", f"/sobjects/{spec.singular}/{record_id}", json=body)
        if was_deleted:
            self.delete([record_id])

    def undelete(self, record_ids: Sequence[str]) -> None:
        for start in range(0, len(record_ids), UNDELETE_CHUNK):
            chunk = record_ids[start : start + UNDELETE_CHUNK]
            ids = "".join(f"<ids>{escape(i)}</ids>" for i in chunk)
            envelope = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                f'<soapenv:Envelope xmlns:soapenv="{ENV}" xmlns="{PARTNER_NS}">'
                f"<soapenv:Header><SessionHeader><sessionId>"
                f"{escape(self.client.session_id())}</sessionId></SessionHeader>"
                f"</soapenv:Header><soapenv:Body><undelete>{ids}</undelete></soapenv:Body>"
                "</soapenv:Envelope>"
            )
            try:
                text = self.client.request(
                    "POST",
                    PARTNER,
                    content=envelope.encode("utf-8"),
                    headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
                )
            except SalesforceError as exc:
                raise UndoRefused(f"Salesforce refused undelete: {exc}") from exc
            for result in ET.fromstring(text).iter():
                if result.tag.rsplit("}", 1)[-1] != "result":
                    continue
                success = next(
                    (c.text for c in result if c.tag.rsplit("}", 1)[-1] == "success"), ""
                )
                message = " ".join(t.strip() for t in result.itertext() if t.strip())
                # UNDELETE_FAILED: the record is not in the Recycle Bin (already restored)
                if success != "true" and "UNDELETE_FAILED" not in message:
                    raise UndoRefused(f"Salesforce refused undelete: {message}")
