"""A loader spec: one destination object, the mart that feeds it, how a record is recognised.

Most objects are recognised by the mart's ``external_id`` stored in a unique external-id field
of the destination (Twenty ``bizstimId``, Salesforce ``Bizstim_Id__c``, a Pipedrive custom
field...). Some cannot carry custom fields (Twenty's note targets are system rows): those are
keyed by an id derived from the external id (a UUIDv5), which is just as idempotent. Relations
come from the mart's ``<field>__external_id`` columns and are resolved from the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadSpec:
    singular: str
    mart: str
    deterministic_id: bool = False  # keyed by a UUIDv5 of the external id, not by bizstimId

    @property
    def upserts(self) -> bool:
        """Keyed on the external-id field (as opposed to a deterministic ``id``)."""
        return not self.deterministic_id

    @property
    def relation(self) -> str:
        return f"marts.{self.mart}"
