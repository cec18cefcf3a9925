"""Processing one Bulk API 2.0 ingest job: header, internal batches, row outcomes (rules 6, 10-12,
19).

The job's CSV (``bulk_csv``) becomes engine rows: an empty cell is left out (no change), ``#N/A``
is None (set null), a ``Rel.ExtField`` column (``Account.Bizstim_Id__c``,
``Contact__r.Bizstim_Id__c``, polymorphic ``Contact:Who.Bizstim_Id__c``) becomes the nested
reference ``{"Account": {"Bizstim_Id__c": "A-17"}}`` the record engine resolves, exactly as
for JSON. Rows go to the engine in internal batches of 10 000, each spending one
DailyBulkApiBatches unit (destinations-2.md §1.2: "one internal batch per 10,000 records").

Choices where the reference is silent:

* Header names are matched exactly (case included: the reference says "exact header names"); an
  unknown or invisible field, an unknown relationship, or a parent field that is not an
  External ID (or ``Id``) fails the whole job with ``InvalidBatch : Field name not found : X``
  and nothing is processed (every row is in ``unprocessedrecords``). A delete job takes only
  the ``Id`` column.
* Rule 6 across the job: in an upsert job every row whose key value occurs twice or more (case
  folded unless the field is case-sensitive) fails with
  ``DUPLICATE_VALUE:Duplicate external id specified: v`` before any batch runs, whichever
  batch it is in (the engine's ``norm`` compares, as its own per-call check does).
* The daily batch cap: a batch that finds the allowance spent fails the job with
  ``ExceededQuota : ApiBatchItems Limit exceeded.`` (Bulk's quota wording); earlier batches
  stay done, that batch and the rest are unprocessed.
* Lock simulation (rule 12), off by default, seeded per job from ``--seed`` and the job id (so a
  retry job rolls afresh, and the draws do not depend on other requests):
  ``--lock-contention`` P — a row whose parent (a lookup value, by Id or by external id) was
  already touched by an earlier internal batch of the same job fails with probability P;
  ``--lock-failure-rate`` F — any row fails with probability F, so a loader's retry path runs at
  small sizes. Both answer ``UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this
  record`` and the row is not written.
* ``sf__Error`` is ``CODE:message`` of the row's first error; ``sf__Id`` is the record id when
  known (a failed update names its target). Result rows are shuffled with a seeded RNG
  (rule 11: "order … not guaranteed"), so a loader that joins on position fails here.
* Progress is saved after every internal batch, so a stand-in killed mid-job resumes at the
  next batch on restart (a batch cut by the kill itself may be written twice).

``bulk.py`` calls this module, so it reads the job from ``bulk_job.py`` and sees the org
through :class:`BulkOrg` (what a run reads of it) rather than importing ``bulk``/``org``: those
imports closed an import circle (tests/test_layers.py counts type-hint imports too).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from sandbox.salesforce.bulk_csv import CsvJobError, CsvRow, parse_uploads
from sandbox.salesforce.bulk_job import Job
from sandbox.salesforce.errors import Outcome as RowOutcome
from sandbox.salesforce.errors import RowError, SfError
from sandbox.salesforce.ledger import norm
from sandbox.salesforce.limits import Limits
from sandbox.salesforce.org_settings import Settings
from sandbox.salesforce.schema import FieldDef, ObjectDef
from sandbox.salesforce.values import coerce

BATCH_SIZE = 10_000
NULL = "#N/A"
LOCKED = "UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record"
QUOTA = "ExceededQuota : ApiBatchItems Limit exceeded."


class BulkEngine(Protocol):
    """What a job run uses of the record engine (``records.Engine`` is one)."""

    def find(self, sobject: str) -> ObjectDef | None: ...

    def visible_field(self, obj: ObjectDef, name: str) -> FieldDef | None: ...

    def save(self, sobject: str, rows: list[dict[str, Any]], operation: str,
             external_field: str | None = None, all_or_none: bool = False,
             strings: bool = False) -> list[RowOutcome]: ...


class BulkOrg(Protocol):
    """What a job run reads of the org (``org.Org`` is one)."""

    @property
    def engine(self) -> BulkEngine: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def limits(self) -> Limits: ...

    @property
    def lock(self) -> AbstractContextManager[Any]: ...  # the org's one re-entrant lock

    @property
    def integration_user_id(self) -> str: ...


class JobFailure(Exception):
    """The job cannot run at all (errorMessage of a Failed job)."""


@dataclass
class Outcome:
    header: list[str] = field(default_factory=list)
    successful: list[list[str]] = field(default_factory=list)
    failed: list[list[str]] = field(default_factory=list)
    unprocessed: list[list[str]] = field(default_factory=list)
    raw: str | None = None  # the uploads as sent, when they could not be read as CSV
    error_message: str | None = None
    batches_done: int = 0

    @property
    def processed(self) -> int:
        return len(self.successful) + len(self.failed)

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Outcome:
        return cls(**doc)


@dataclass
class Column:
    header: str
    field: FieldDef
    parent_field: str | None = None  # Rel.ExtField columns: the parent's key field
    parent_type: str | None = None  # Type:Rel.ExtField (polymorphic lookups)


# -- what the org says ------------------------------------------------------------------------

def _visible(org: BulkOrg, obj: ObjectDef, fdef: FieldDef) -> bool:
    """Exists for the integration user: a field without FieldPermissions reads as absent."""
    return org.engine.visible_field(obj, fdef.name) is not None


def is_external_id(org: BulkOrg, sobject: str, field_name: str | None) -> bool:
    obj = org.engine.find(sobject)
    fdef = obj.fields.get(field_name) if obj is not None and field_name else None
    return fdef is not None and fdef.external_id and _visible(org, obj, fdef)


def hard_delete_allowed(org: BulkOrg) -> bool:
    return bool(org.settings.hard_delete_permission)


def user_id(org: BulkOrg) -> str:
    return str(org.integration_user_id)


# -- header -----------------------------------------------------------------------------------

def _not_found(header: str) -> JobFailure:
    return JobFailure(f"InvalidBatch : Field name not found : {header}")


def _column(org: BulkOrg, obj: ObjectDef, header: str) -> Column:
    if "." not in header:
        fdef = obj.fields.get(header)
        if fdef is None or not _visible(org, obj, fdef):
            raise _not_found(header)
        return Column(header, fdef)
    path, _, parent_field = header.partition(".")
    parent_type, _, relationship = path.rpartition(":")
    lookup = next((f for f in obj.fields.values() if f.relationship_name == relationship), None)
    if lookup is None or not _visible(org, obj, lookup) or "." in parent_field:
        raise _not_found(header)
    targets = [parent_type] if parent_type else lookup.reference_to
    if (parent_type and parent_type not in lookup.reference_to) or len(targets) != 1:
        raise _not_found(header)
    parent = org.engine.find(targets[0])
    key = parent.fields.get(parent_field) if parent is not None else None
    if key is None or not (key.external_id or key.name == "Id") or \
            not _visible(org, parent, key):
        raise _not_found(header)
    return Column(header, lookup, parent_field, parent_type or None)


def resolve_header(org: BulkOrg, job: Job, header: list[str]) -> list[Column]:
    obj = org.engine.find(job.object)
    if obj is None:
        raise JobFailure(f"InvalidJob : Unable to find object: {job.object}")
    if job.operation in ("delete", "hardDelete"):
        extra = next((h for h in header if h != "Id"), None)
        if extra is not None or "Id" not in header:
            raise JobFailure("InvalidBatch : A delete job takes one column, Id" +
                             (f"; found {extra}" if extra else ""))
    columns = [_column(org, obj, name) for name in header]
    seen = Counter(c.field.name if c.parent_field is None else c.header for c in columns)
    twice = next((name for name, n in seen.items() if n > 1), None)
    if twice:
        raise JobFailure(f"InvalidBatch : Duplicate field name: {twice}")
    return columns


def _record(columns: list[Column], values: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column, value in zip(columns, values, strict=True):
        if value == "":
            continue  # an empty cell changes nothing
        if column.parent_field is None:
            record[column.field.name] = None if value == NULL else value
        elif value == NULL:
            record[column.field.name] = None
        else:
            ref: dict[str, Any] = {column.parent_field: value}
            if column.parent_type:
                ref = {"attributes": {"type": column.parent_type}, **ref}
            record[str(column.field.relationship_name)] = ref
    return record


# -- rows that never reach the engine ---------------------------------------------------------

def _duplicates(job: Job, columns: list[Column], rows: list[CsvRow]) -> dict[int, str]:
    """Row index -> the repeated upsert key (rule 6, across the whole job)."""
    at = next((i for i, c in enumerate(columns)
               if c.parent_field is None and c.field.name == job.external_id_field), None)
    if job.operation != "upsert" or at is None:
        return {}
    fdef = columns[at].field

    def key(value: str) -> Any:
        try:
            return norm(fdef, coerce(fdef, value))
        except RowError:
            return ("unreadable", value)

    values = {i: r.values[at] for i, r in enumerate(rows)
              if r.error is None and r.values[at] not in ("", NULL)}
    counts = Counter(key(v) for v in values.values())
    return {i: v for i, v in values.items() if counts[key(v)] > 1}


def _locked(columns: list[Column], rows: list[CsvRow], contention: float, rate: float,
            rng: random.Random) -> set[int]:
    """Rows the lock simulation fails (see the module docstring)."""
    if contention <= 0 and rate <= 0:
        return set()
    lookups = [i for i, c in enumerate(columns) if c.field.type == "reference"]
    first_batch: dict[tuple[int, str], int] = {}
    failing: set[int] = set()
    for index, row in enumerate(rows):
        if row.error is not None:
            continue
        batch = index // BATCH_SIZE
        if rate > 0 and rng.random() < rate:
            failing.add(index)
            continue
        for at in lookups:
            value = row.values[at]
            if value in ("", NULL):
                continue
            owner = first_batch.setdefault((at, value.lower()), batch)
            if owner != batch and contention > 0 and rng.random() < contention:
                failing.add(index)
                break
    return failing


# -- the job ----------------------------------------------------------------------------------

def _rng(org: BulkOrg, job: Job, purpose: str) -> random.Random:
    return random.Random(f"{org.settings.seed}/{job.id}/{purpose}")


def read_uploads(job: Job, chunks: list[bytes]) -> Outcome:
    """Everything uploaded, none of it attempted (aborted jobs, unreadable ones, not yet run)."""
    try:
        header, rows = parse_uploads(chunks, job.column_delimiter, job.line_ending)
    except CsvJobError:
        return Outcome(raw=b"".join(chunks).decode("utf-8", errors="replace"))
    return Outcome(header, unprocessed=[r.values for r in rows])


def _error_text(errors: list[dict[str, Any]]) -> str:
    first = errors[0] if errors else {"statusCode": "UNKNOWN_EXCEPTION", "message": ""}
    return f"{first['statusCode']}:{first['message']}"


def run(org: BulkOrg, job: Job, chunks: list[bytes], outcome: Outcome,
        save_progress: Callable[[Outcome], None]) -> Outcome:
    """Process the job from ``outcome.batches_done`` on; ``save_progress(outcome)`` after each
    internal batch."""
    try:
        header, rows = parse_uploads(chunks, job.column_delimiter, job.line_ending)
        with org.lock:
            columns = resolve_header(org, job, header)
    except (CsvJobError, JobFailure) as exc:
        failed = read_uploads(job, chunks)
        failed.error_message = str(exc)
        return failed
    outcome.header = header
    duplicates = _duplicates(job, columns, rows)
    settings = org.settings
    locked = _locked(columns, rows, settings.lock_contention, settings.lock_failure_rate,
                     _rng(org, job, "locks"))
    batches = range(0, len(rows), BATCH_SIZE)
    for number, start in enumerate(batches):
        if number < outcome.batches_done:
            continue
        chunk = range(start, min(start + BATCH_SIZE, len(rows)))
        with org.lock:
            if not org.limits.spend_bulk_batches(1):
                outcome.error_message = QUOTA
                outcome.unprocessed = [r.values for r in rows[start:]]
                break
            try:
                _run_batch(org, job, columns, rows, chunk, duplicates, locked, outcome)
            except SfError as exc:  # the call itself refused (a key field hidden since)
                outcome.error_message = f"InvalidBatch : {exc.message}"
                outcome.unprocessed = [r.values for r in rows[start:]]
                break
        outcome.batches_done = number + 1
        if outcome.batches_done < len(batches):
            save_progress(outcome)
    shuffle = _rng(org, job, "results")
    shuffle.shuffle(outcome.successful)
    shuffle.shuffle(outcome.failed)
    return outcome


def _run_batch(org: BulkOrg, job: Job, columns: list[Column], rows: list[CsvRow], chunk: range,
               duplicates: dict[int, str], locked: set[int], outcome: Outcome) -> None:
    """One internal batch; ``outcome`` changes only once the engine has answered."""
    id_at = next((i for i, c in enumerate(columns) if c.header == "Id"), None)
    refused: list[list[str]] = []
    pending: list[int] = []
    for index in chunk:
        row = rows[index]
        if row.error is not None:
            refused.append(["", row.error, *row.values])
        elif index in duplicates:
            error = f"DUPLICATE_VALUE:Duplicate external id specified: {duplicates[index]}"
            refused.append(["", error, *row.values])
        elif index in locked:
            known_id = row.values[id_at] if id_at is not None else ""
            refused.append([known_id, LOCKED, *row.values])
        else:
            pending.append(index)
    results = []
    if pending:
        records = [_record(columns, rows[i].values) for i in pending]
        results = org.engine.save(job.object, records, job.operation,
                                  external_field=job.external_id_field, strings=True)
    outcome.failed.extend(refused)
    for index, result in zip(pending, results, strict=True):
        values = rows[index].values
        if result.success:
            outcome.successful.append([result.id or "", str(bool(result.created)).lower(),
                                       *values])
        else:
            outcome.failed.append([result.id or "", _error_text(result.errors), *values])
