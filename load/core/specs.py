"""A loader spec: one destination object, the mart that feeds it, how a record is recognised.

Most objects are recognised by the mart's ``external_id`` stored in a unique external-id field
of the destination (Twenty ``bizstimId``, Salesforce ``Bizstim_Id__c``, a Pipedrive custom
field...). Some cannot carry custom fields (Twenty's note targets are system rows): those are
keyed by an id derived from the external id (a UUIDv5), which is just as idempotent. Relations
come from the mart's ``<field>__external_id`` columns and are resolved from the ledger.
Which mart columns are fields is the destination's naming rule (``payload_names``: Twenty's
camelCase by default, Salesforce's API names; :mod:`load.core.marts`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from load.core.marts import PAYLOAD_NAME


@dataclass(frozen=True)
class LoadSpec:
    singular: str
    mart: str
    deterministic_id: bool = False  # keyed by a UUIDv5 of the external id, not by bizstimId
    payload_names: re.Pattern[str] = field(default=PAYLOAD_NAME, compare=False)

    @property
    def upserts(self) -> bool:
        """Keyed on the external-id field (as opposed to a deterministic ``id``)."""
        return not self.deterministic_id

    @property
    def relation(self) -> str:
        return f"marts.{self.mart}"
