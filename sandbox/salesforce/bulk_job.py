"""One Bulk API 2.0 ingest job as the org keeps it: its settings, state and counts (rule 9).

Why a module of its own: the HTTP surface and state machine (``bulk.py``) create and move jobs,
and the processing (``bulk_run.py``, which ``bulk.py`` calls) reads a job's object, operation,
key field and CSV dialect. With the record in ``bulk.py``, ``bulk_run`` imported it back and
the two formed an import circle (tests/test_layers.py); both now import it from here.
``to_doc``/``from_doc`` are the form the org's store keeps (document ``bulk_job``), so a killed
stand-in finds its jobs again; ``info`` is the JSON a client gets for the job.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


@dataclass
class Job:
    id: str
    object: str
    operation: str
    external_id_field: str | None
    line_ending: str
    column_delimiter: str
    api_version: str
    created_by: str
    created: datetime
    modstamp: datetime
    state: str = "Open"
    uploads: int = 0
    upload_base64: int = 0
    ended: datetime | None = None
    processed: int = 0
    failed: int = 0
    error_message: str | None = None
    polled: bool = False  # a GET has answered InProgress since the job was closed
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def to_doc(self) -> dict[str, Any]:
        doc = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "lock"}
        for name in ("created", "modstamp", "ended"):
            doc[name] = doc[name].isoformat() if doc[name] else None
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Job:
        doc = dict(doc)
        for name in ("created", "modstamp", "ended"):
            doc[name] = datetime.fromisoformat(doc[name]) if doc[name] else None
        return cls(**doc)

    def info(self, detail: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id, "operation": self.operation, "object": self.object,
            "createdById": self.created_by, "createdDate": _stamp(self.created),
            "systemModstamp": _stamp(self.modstamp), "state": self.state,
            "concurrencyMode": "Parallel", "contentType": "CSV",
            "apiVersion": float(self.api_version),
            "contentUrl": f"services/data/v{self.api_version}/jobs/ingest/{self.id}/batches",
            "lineEnding": self.line_ending, "columnDelimiter": self.column_delimiter,
        }
        if self.external_id_field:
            body["externalIdFieldName"] = self.external_id_field
        if detail:
            body.update({
                "jobType": "V2Ingest", "numberRecordsProcessed": self.processed,
                "numberRecordsFailed": self.failed, "retries": 0, "totalProcessingTime": 0,
                "apiActiveProcessingTime": 0, "apexProcessingTime": 0,
            })
            if self.error_message:
                body["errorMessage"] = self.error_message
        return body
