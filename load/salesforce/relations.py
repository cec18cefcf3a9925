"""A mart's ``<Name>__external_id`` columns as Salesforce lookups, read from describe.

The mart names a lookup by its *relationship name* (``Account__external_id`` → ``AccountId``,
``Contact__r__external_id`` → ``Contact__c``, ``Who__external_id`` → ``WhoId``): the describe
of the child object says which field carries that relationship and which objects it may point
at, so nothing here is a hand-kept list of Salesforce's lookups. A lookup that can point at
several migrated objects (``Event.WhoId``: Contact or Lead; ``ContentDocumentLink.
LinkedEntityId``) is polymorphic: the core tries each candidate (``Contact|Lead``). A note's
ContentDocument is the ContentNote the migration wrote (a note's id *is* its document's id).

When every row of a write names a parent and the parent is keyed by ``Bizstim_Id__c`` (one
candidate object), the parent goes to Salesforce as a reference by external id
(``Account.Bizstim_Id__c`` in a Bulk header, ``"Account": {"Bizstim_Id__c": …}`` in JSON): the
org resolves it, and a parent a concurrent job just created is found. Otherwise (polymorphic,
ContentNote, a row with no parent) the Salesforce id from the ledger is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from load.salesforce.specs import LOAD_ORDER, has_external_id

MIGRATED = {spec.singular for spec in LOAD_ORDER}
STANDS_FOR = {"ContentDocument": "ContentNote"}  # what a lookup target is, in our specs


@dataclass(frozen=True)
class Relation:
    name: str  # the mart's prefix: Account, Contact__r, Who
    field: str  # the lookup field: AccountId, Contact__c, WhoId
    targets: tuple[str, ...]  # migrated objects it may point at

    @property
    def target(self) -> str:
        """The core's form: ``Contact|Lead`` for a polymorphic lookup."""
        return "|".join(self.targets)

    @property
    def by_external_id(self) -> bool:
        return len(self.targets) == 1 and has_external_id(self.targets[0])

    @property
    def reference(self) -> str:
        """``Account.Bizstim_Id__c`` / ``Contact__r.Bizstim_Id__c`` (Bulk header form)."""
        return f"{self.name}.Bizstim_Id__c"


class Relations:
    """Relations per object, from the object's describe (fetched once through ``describe``)."""

    def __init__(
        self,
        describe: Callable[[str], dict[str, Any] | None],
        seeded: dict[tuple[str, str], str] | None = None,
    ) -> None:
        self.describe = describe
        self.seeded = seeded or {}  # (object, custom lookup field) → target, from the seed
        self._cache: dict[tuple[str, str], Relation] = {}

    def of(self, obj: str, name: str) -> Relation:
        found = self._cache.get((obj, name))
        if found is not None:
            return found
        body = self.describe(obj) or {}
        for field in body.get("fields", []):
            if str(field.get("relationshipName") or "").lower() != name.lower():
                continue
            targets = [STANDS_FOR.get(t, t) for t in field.get("referenceTo") or []]
            migrated = tuple(t for t in targets if t in MIGRATED)
            relation = Relation(name, str(field["name"]), migrated or tuple(targets))
            self._cache[(obj, name)] = relation
            return relation
        custom = f"{name.removesuffix('__r')}__c"
        if name.endswith("__r") and (obj, custom) in self.seeded:
            # not created yet (a dry run before schema setup): the seed says what it will be
            relation = Relation(name, custom, (self.seeded[(obj, custom)],))
            self._cache[(obj, name)] = relation
            return relation
        raise RuntimeError(
            f"{obj} has no lookup whose relationship name is {name} (the mart's column "
            f"{name}__external_id): check the mart, or the field's visibility"
        )
