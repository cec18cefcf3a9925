"""What a destination must provide to the core: the adapter contract, as a typed protocol.

The five destinations write in different ways (load/README.md has the table): a synchronous
batch upsert keyed on a unique field (Twenty, Salesforce Collections ≤ 200), asynchronous bulk
jobs whose result file comes back unordered (Salesforce Bulk API 2.0, monday ``ingest_items``),
one call per record without upsert (Pipedrive), a per-record upsert (Freshsales). What they
share is what the core owns: the plan (row hash against the ledger, and a read of the
destination), the ledger, relations resolved from the ledger, pacing by a declared budget,
bisecting refused batches, resume after ``kill -9``, dry run, reconcile and rollback.

So the contract is small and shaped by the core's needs, not by any one API: read what the
destination holds (:meth:`Destination.read`), shape a payload, write a batch and answer with
the records it holds now (paired by key in the core, never by position: Twenty answers updated
rows first, Bulk API result files in any order), read back what an answer left out, archive,
destroy and revert for rollback, and compare values the way the destination stores them.
A batch the destination refuses *as a whole* raises :class:`BatchRefused` and the core
bisects it until the refused record is alone and quarantined; a destination whose write path
reports per-record outcomes (Bulk API, Collections with ``allOrNone=false``) answers the
records that landed and lists the refused ones in :attr:`WriteAnswer.refused`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from load.core.ledger import Ledger
from load.core.marts import MartRow
from load.core.pacing import RequestStats
from load.core.plan import Planned, Snapshot
from load.core.specs import LoadSpec


class ListedRecords(Mapping[str, dict[str, Any]]):
    """Records listed back for reconcile, record id → {field: value}, held as one tuple of the
    listed fields each and made a dict only when asked for. Reconcile holds one object's
    records at a time; at 2 003 496 source records that is 1.1 M sessions, and a dict per record
    costs ~170 bytes more than a tuple of the same values: ~190 MB of the 2 095 MB peak."""

    def __init__(self, fields: Sequence[str]) -> None:
        self.fields = tuple(fields)
        self._rows: dict[str, tuple[Any, ...]] = {}

    def add(self, record_id: str, record: Mapping[str, Any]) -> None:
        self._rows[record_id] = tuple(record.get(name) for name in self.fields)

    def __getitem__(self, record_id: str) -> dict[str, Any]:
        return dict(zip(self.fields, self._rows[record_id], strict=True))

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class BatchRefused(RuntimeError):
    """The destination refused a batch as a whole (all-or-nothing): bisect it."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class CapChanged(RuntimeError):
    """The destination named a smaller batch cap than the one used: split and send again."""


class SchemaConflict(RuntimeError):
    """A field the mapping needs exists in the destination with another type or meaning."""


class NotBuilt(RuntimeError):
    """A destination the CLI names whose adapter this version does not have yet."""


@dataclass
class WriteAnswer:
    records: list[dict[str, Any]] = field(default_factory=list)  # what the destination holds
    refused: dict[int, str] = field(default_factory=dict)  # batch index → destination message


@dataclass
class SetupReport:
    created_objects: list[str] = field(default_factory=list)
    created_fields: list[str] = field(default_factory=list)
    reused: int = 0
    requests: int = 0
    checklist: list[str] = field(default_factory=list)  # what a human must do in the UI first


@dataclass
class OwnerMatch:
    matched: list[dict[str, Any]]
    unmatched: list[dict[str, Any]]
    skipped: str | None = None  # why no matching was attempted


class Destination(Protocol):
    """One CRM. ``name`` is what ``--to`` takes and what the ledger records."""

    name: str
    display_name: str
    user_noun: str  # who owns records there, for messages: "workspace member", "active User"
    bin_name: str  # where a deleted record waits to be restored: "Recycle Bin", "trash"
    url: str
    generation: str  # the server generation / API version the adapter detected
    specs: tuple[LoadSpec, ...]  # every object, in dependency order
    stats: RequestStats
    ledger: Ledger

    def facts(self) -> dict[str, Any]:
        """What the adapter detected, for ``load --json`` (Twenty: generation, batch cap)."""

    def describe(self) -> str:
        """One line for the terminal before a load: where, which generation, which cap."""

    def unconfirmed_mappings(self) -> list[str]:
        """Custom-field mappings nobody confirmed yet (the load refuses to start)."""

    # -- schema and owners ------------------------------------------------------------------
    def setup_schema(self, run_id: str) -> SetupReport: ...

    def remove_schema(self) -> list[str]: ...

    def match_owners(self, run_id: str | None = None) -> OwnerMatch: ...

    def use_owners(self, members: Mapping[str, str]) -> None:
        """Bizstim user external id → destination user id, for the records' owner field."""

    # -- plan -------------------------------------------------------------------------------
    def has_object(self, spec: LoadSpec) -> bool: ...

    def read(self, spec: LoadSpec) -> Snapshot:
        """Every record of the object the destination holds, live and deleted (if it keeps
        deleted records an upsert can match), indexed by the keys an upsert matches on."""

    def relation_target(self, spec: LoadSpec, name: str) -> tuple[str, str]:
        """(payload column, target object) of a mart's ``<name>__external_id`` column; a
        polymorphic lookup names its candidate objects joined by ``|`` (``Contact|Lead``)."""

    def shape(self, spec: LoadSpec, row: MartRow, related: Mapping[str, str | None]) -> dict:
        """The payload for one mart row, relations already resolved to destination ids."""

    def unchanged_outside_hash(self, payload: dict[str, Any], record: dict[str, Any]) -> bool:
        """False when a value resolved at load time (not in ``row_hash``) differs."""

    def landed_id(self, spec: LoadSpec, external_id: str, snapshot: Snapshot) -> str | None:
        """The destination id of a record a killed run may have written, if it landed."""

    # -- write ------------------------------------------------------------------------------
    def batch_cap(self, spec: LoadSpec) -> int: ...

    def answer_key(self, spec: LoadSpec) -> str:
        """The payload key answers are paired by (``bizstimId``, ``id``, an external id)."""

    def key_value(self, key: str, value: Any) -> Any:
        """A key value as the destination stores and compares it."""

    def write(self, spec: LoadSpec, batch: Sequence[Planned]) -> WriteAnswer: ...

    def read_back(self, spec: LoadSpec, key: str, wanted: Sequence[Any]) -> dict[Any, dict]: ...

    def archive(self, spec: LoadSpec, record_ids: Sequence[str]) -> None: ...

    # -- reconcile --------------------------------------------------------------------------
    def list_records(self, spec: LoadSpec, fields: set[str]) -> Mapping[str, dict[str, Any]]: ...

    def deleted_records(self, spec: LoadSpec, record_ids: Sequence[str]) -> set[str]:
        """Which of ``record_ids`` the destination holds deleted but restorable (Salesforce's
        Recycle Bin for 15 days, Twenty's soft-deleted rows): reconcile tells a record someone
        deleted after the load apart from one that is gone."""

    def fetch(self, spec: LoadSpec, record_id: str) -> dict[str, Any]: ...

    def differences(self, spec: LoadSpec, payload: dict, record: dict) -> list[str]:
        """Payload vs record, both normalised the way the destination stores values."""

    def identity_problem(self, spec: LoadSpec, row: MartRow, record: dict) -> str | None:
        """Why ``record`` is not the one ``row`` should have become (external id differs)."""

    # -- rollback ---------------------------------------------------------------------------
    def destroy(self, spec: LoadSpec, record_ids: Sequence[str]) -> None: ...

    def revert(self, spec: LoadSpec, record_id: str, before: dict, was_deleted: bool) -> None: ...

    def unarchive(self, spec: LoadSpec, record_id: str) -> None: ...

    def close(self) -> None: ...
