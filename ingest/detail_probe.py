"""Client details only when they carry something: probe a spread sample, then fetch or skip.

``client/{id}`` costs one GET per client: 93 334 of the 191 213 GETs that extracted the
2 003 496-record benchmark account, i.e. 31 of the 64 hours three keys need at the real
1 000 GETs an hour. What the detail holds is not documented: bizstim-api.md §2.2 only *infers*
"the same fields as the list". The default sandbox serves more (status, notes, start_date,
custom_<id>, ...); the docs-only profile serves exactly the list's fields, and a real account
may do either. So the extraction asks a sample of details first and lets them decide:

* the sample: ``sample`` client ids (25 by default, ``BIZMIG_DETAIL_SAMPLE``) spread evenly over
  the listing in id order, positions ``(i + ½) · n / k``, so old and new clients are both
  asked; the probed details land like any other (nothing is fetched twice: the answers go to
  the spool and the detail run reads them from there);
* a detail is *informative* when it holds a field its list record lacks, even empty (Bizstim is
  PHP/MySQL: an answer carries the row's columns, so a column seen once exists for every client,
  and an empty value in the sample says nothing of the others), or a shared field whose value
  differs (the list may abridge it; a client edited between the two reads also lands here,
  which errs towards fetching);
* every answered probe adds nothing → the other details are skipped (``decision = skip``);
  any probe adds something, or no probe was answered (all 404: no evidence) → all are fetched;
* ``BIZMIG_CLIENT_DETAILS`` = ``auto`` (default) | ``all`` | ``skip`` forces either way; a
  forced ``skip`` still probes, so the report can say what was given up.

The verdict is written per cycle to ``raw_bizstim._bizmig_detail_probes`` (``scope`` writes it
for the cycle the next ``extract`` runs, the extraction for its own), and dbt reads it: in a
cycle whose decision is ``skip`` a client without a detail row is complete from its list
record and is not quarantined as ``client_detail_missing``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from dlt.common.normalizers.naming.snake_case import NamingConvention

from common.errors import ConfigError
from common.settings import setting
from ingest.availability import raw_table_exists
from ingest.endpoints import CLIENT_DETAIL, RAW_SCHEMA

PROBES_TABLE = "_bizmig_detail_probes"
MODES = ("auto", "all", "skip")
DEFAULT_SAMPLE = 25
DLT_FIELDS = frozenset({"_dlt_load_id", "_dlt_id"})
NAMING = NamingConvention()  # dlt's default: how the raw tables name the JSON keys


@dataclass(frozen=True)
class Policy:
    mode: str = "auto"
    sample: int = DEFAULT_SAMPLE


def policy(mode: str | None = None, sample: int | None = None) -> Policy:
    """``BIZMIG_CLIENT_DETAILS`` / ``BIZMIG_DETAIL_SAMPLE`` (or the CLI's), checked."""
    chosen = str(mode or setting("bizmig_client_details") or "auto").strip().lower()
    if chosen not in MODES:
        raise ConfigError(
            f"BIZMIG_CLIENT_DETAILS must be one of {', '.join(MODES)}; got {chosen!r}"
        )
    raw = sample if sample is not None else setting("bizmig_detail_sample")
    try:
        size = DEFAULT_SAMPLE if raw is None else int(str(raw).strip())
    except ValueError:
        size = 0
    if size <= 0:
        raise ConfigError(f"BIZMIG_DETAIL_SAMPLE must be a whole number above 0; got {raw!r}")
    return Policy(chosen, size)


def spread(ids: Sequence[str], k: int) -> list[str]:
    """``k`` ids spread evenly over ``ids`` (all of them when there are fewer)."""
    n = len(ids)
    if n <= k:
        return list(ids)
    return [ids[int((i + 0.5) * n / k)] for i in range(k)]


def _fields(record: dict[str, Any]) -> dict[str, str]:
    """A record's fields as dlt names the raw columns (``minTime`` lands as ``min_time``), with
    the values as text; a NULL column of a raw table row is a field that record did not have."""
    return {
        NAMING.normalize_identifier(name): str(value)
        for name, value in record.items()
        if value is not None and name not in DLT_FIELDS
    }


def compare(listed: dict[str, Any], detail: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(fields the detail adds, shared fields whose value differs); ``listed`` may be the JSON
    list record or its raw DuckDB row."""
    known, answered = _fields(listed), _fields(detail)
    extra = {f for f in answered if f not in known}
    differing = {f for f, v in answered.items() if f in known and known[f] != v}
    return extra, differing


@dataclass
class Verdict:
    mode: str
    sampled: int  # probes asked
    answered: int  # probes answered 200 (a 404 is a client deleted meanwhile: no evidence)
    client_total: int
    extra_fields: list[str] = field(default_factory=list)
    differing_fields: list[str] = field(default_factory=list)
    probed_ids: list[str] = field(default_factory=list)

    @property
    def informative(self) -> bool | None:
        if not self.answered:
            return None
        return bool(self.extra_fields or self.differing_fields)

    @property
    def decision(self) -> str:
        if self.mode in ("all", "skip"):
            return "fetch" if self.mode == "all" else "skip"
        return "skip" if self.informative is False else "fetch"

    def requests(self) -> int:
        """The client/{id} GETs this verdict costs (probes included)."""
        return self.client_total if self.decision == "fetch" else self.sampled

    def reason(self) -> str:
        found = (
            f"{self.answered} of {self.sampled} probed details answered"
            if self.answered < self.sampled
            else f"{self.sampled} probed details"
        )
        if self.informative is None:
            what = f"{found}: no evidence"
        elif self.informative:
            fields = sorted({*self.extra_fields, *self.differing_fields})
            shown = ", ".join(fields[:8]) + (" ..." if len(fields) > 8 else "")
            what = f"{found} add fields beyond the list's ({shown})"
        else:
            what = f"{found} add nothing beyond the list's fields"
        if self.mode == "auto":
            return f"{what} → {'skip the rest' if self.decision == 'skip' else 'fetch all'}"
        return f"{what}; forced by BIZMIG_CLIENT_DETAILS={self.mode}"

    def as_json(self) -> dict[str, Any]:
        body = asdict(self)
        body.pop("probed_ids")
        return {**body, "informative": self.informative, "decision": self.decision,
                "requests": self.requests(), "reason": self.reason()}  # fmt: skip


def probe(
    get: Callable[[str], Any],
    listed: Sequence[dict[str, Any]],
    chosen: Policy,
    client_total: int,
) -> Verdict:
    """Ask the details of a spread sample of ``listed`` (list records in id order) through
    ``get`` (a paced GET of a path) and judge them."""
    sample = spread(list(listed), chosen.sample)
    verdict = Verdict(chosen.mode, len(sample), 0, client_total)
    extra: set[str] = set()
    differing: set[str] = set()
    for record in sample:
        record_id = str(record["id"])
        verdict.probed_ids.append(record_id)
        response = get(f"/{CLIENT_DETAIL.method}/{record_id}")
        if response.status_code == 404:
            continue
        response.raise_for_status()
        detail = response.json().get("response")
        if not isinstance(detail, dict):
            continue
        verdict.answered += 1
        added, changed = compare(record, detail)
        extra |= added
        differing |= changed
    verdict.extra_fields, verdict.differing_fields = sorted(extra), sorted(differing)
    return verdict


# -- bookkeeping (raw_bizstim._bizmig_detail_probes) -------------------------------------------
def record(path: Path, cycle: int, verdict: Verdict, probed_by: str) -> None:
    """Write (replace) the verdict of ``cycle``."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        con.execute(
            f"create table if not exists {RAW_SCHEMA}.{PROBES_TABLE} (cycle integer not null, "
            "endpoint varchar not null, mode varchar not null, sampled integer not null, "
            "answered integer not null, client_total integer not null, informative boolean, "
            "extra_fields varchar, differing_fields varchar, decision varchar not null, "
            "requests integer not null, reason varchar not null, probed_by varchar not null, "
            "probed_ids varchar, checked_at timestamptz not null default now(), "
            "primary key (cycle, endpoint))"
        )
        con.execute(
            f"delete from {RAW_SCHEMA}.{PROBES_TABLE} where cycle = ? and endpoint = ?",
            [cycle, CLIENT_DETAIL.method],
        )
        con.execute(
            f"insert into {RAW_SCHEMA}.{PROBES_TABLE} (cycle, endpoint, mode, sampled, answered, "
            "client_total, informative, extra_fields, differing_fields, decision, requests, "
            "reason, probed_by, probed_ids) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [cycle, CLIENT_DETAIL.method, verdict.mode, verdict.sampled, verdict.answered,
             verdict.client_total, verdict.informative, json.dumps(verdict.extra_fields),
             json.dumps(verdict.differing_fields), verdict.decision, verdict.requests(),
             verdict.reason(), probed_by, json.dumps(verdict.probed_ids)],
        )  # fmt: skip


def decided(path: Path, cycle: int) -> tuple[str, list[str], str] | None:
    """(decision, probed client ids, reason) of ``cycle``'s extraction if it probed already (a
    resumed extraction keeps its verdict: the sample's answers may be committed and purged)."""
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        if not raw_table_exists(con, PROBES_TABLE):
            return None
        row = con.execute(
            f"select decision, probed_ids, reason, requests from {RAW_SCHEMA}.{PROBES_TABLE} "
            "where cycle = ? and endpoint = ? and probed_by = 'extract'",
            [cycle, CLIENT_DETAIL.method],
        ).fetchone()
    if row is None:
        return None
    return str(row[0]), list(json.loads(row[1] or "[]")), f"{row[2]} ({int(row[3]):,} requests)"
