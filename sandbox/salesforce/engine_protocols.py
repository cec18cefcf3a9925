"""The record engine and the org as the modules under them see them: two ``typing.Protocol``s.

Why: the save rules (``rules.py``), the Recycle Bin (``recycle.py``) and the transaction layer
(``ledger.py``) run inside ``records.Engine``, and the engine inside ``org.Org``; they call a
dozen of the engine's methods and read six things of the org. Importing ``Engine`` and ``Org``
for those type hints (under ``TYPE_CHECKING``, which still counts) joined seven modules in one
import circle — ledger, oauth, org, records, recycle, rules, security (tests/test_layers.py) —
so a change in any of them could break loading the others. The rule modules sit below the
engine; they see it through these protocols so the import graph stays a tree. ``Engine`` and
``Org`` satisfy them by shape, without naming them; a member used below must be listed here.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from sandbox.salesforce.org_settings import Settings
from sandbox.salesforce.schema import FieldDef, ObjectDef, Schema
from sandbox.salesforce.security import PermissionRows
from sandbox.salesforce.store import Store

Row = dict[str, Any]


class EngineOrg(Protocol):
    """What the engine and its rules read of the org (``org.Org`` is one)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def schema(self) -> Schema: ...

    @property
    def store(self) -> Store: ...

    @property
    def lock(self) -> AbstractContextManager[Any]: ...  # the org's one re-entrant lock

    @property
    def integration_user_id(self) -> str: ...

    @property
    def standard_pricebook_id(self) -> str: ...

    def now(self) -> datetime: ...  # the org clock


class RuleEngine(PermissionRows, Protocol):
    """What the row rules and the Recycle Bin use of the engine (``records.Engine`` is one):
    its indexes (kept by ``ledger.Ledger``), its row builders and its visibility checks."""

    schema: Schema
    store: Store
    counters: dict[str, int]
    unique: dict[tuple[str, str], dict[Any, set[str]]]
    children: dict[str, set[tuple[str, str, str]]]  # parent id → (table, child id, field)
    groups: dict[str, set[tuple[str, str]]]  # deleted root id → rows its delete took along
    cleared: dict[str, set[tuple[str, str]]]  # parent id → rows whose lookup it cleared

    @property
    def org(self) -> EngineOrg: ...

    def object(self, sobject: str) -> ObjectDef: ...

    def table_object(self, table: str) -> ObjectDef: ...

    def visible_field(self, obj: ObjectDef, name: str) -> FieldDef | None: ...

    def editable(self, obj: ObjectDef, fdef: FieldDef) -> bool: ...

    def match(self, obj: ObjectDef, fdef: FieldDef, value: Any) -> list[str]: ...

    def new_id(self, prefix: str) -> str: ...

    def fresh(self, obj: ObjectDef, values: Row) -> Row: ...

    def check_unique(self, obj: ObjectDef, row: Row) -> None: ...

    def put(self, obj: ObjectDef, row: Row) -> None: ...

    def remove(self, table: str, rid: str) -> None: ...

    def begin(self) -> None: ...

    def commit(self) -> None: ...
