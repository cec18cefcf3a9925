"""`bizmig reconcile`: prove the load, object by object, against the destination itself.

Per object: source rows and mart rows (dbt's ``migration__reconciliation`` and the mart),
records loaded earlier whose source rows are gone (listed, not a mismatch: they stay in the
destination until ``--archive-missing``), quarantined rows (dbt's quarantine + records the
destination refused), ledger rows (records the ledger says are live there) and records found
in the destination (listed through its API). Then a field-by-field spot check of random
records fetched back against their mart row, compared the way the destination stores values
(its adapter's ``differences``; Twenty: :mod:`load.twenty.normalise`, e-mails lower-cased,
``[]`` as null, canonical link origins, phones as calling code + national number), and a
relationship check: every relation of every loaded record points at the record the ledger
holds for the mart's foreign external id. A loaded record the destination no longer lists is
asked about once more (:meth:`Destination.deleted_records`, only when some are absent, so a
clean reconcile costs no request more): one someone deleted after the load still sits in the
destination's bin (Salesforce's Recycle Bin keeps it 15 days, ``queryAll`` sees it) and is
counted as *deleted in the destination*, apart from a record that is simply missing; neither
counts as live. Any mismatch → non-zero exit. (The JSON keeps the
names ``in_twenty`` / ``missing_in_twenty`` that reports written before other destinations
existed read; they mean "in the destination".)
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from load.core.ledger import LIVE_ACTIONS
from load.core.loader import Loader, forget_unneeded, relation_targets
from load.core.marts import RELATION_SUFFIX, MartRow, mart_chunks, mart_columns
from load.core.specs import LoadSpec

T = TypeVar("T")


@dataclass
class ObjectCheck:
    object: str
    source_rows: int
    mart_rows: int
    dbt_quarantined: int
    load_quarantined: int
    ledger_live: int
    in_twenty: int
    in_bin: int = 0  # loaded, then deleted in the destination: restorable from its bin
    deleted_in_destination: list[str] = field(default_factory=list)  # their external ids
    missing_in_twenty: list[str] = field(default_factory=list)
    gone_from_source: list[str] = field(default_factory=list)  # still there, not archived
    relation_mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        expected = self.mart_rows - self.load_quarantined
        return (
            self.ledger_live == expected == self.in_twenty
            and not self.missing_in_twenty
            and not self.relation_mismatches
        )


@dataclass
class SpotCheck:
    object: str
    external_id: str
    differences: list[str]


@dataclass
class Reconciliation:
    objects: list[ObjectCheck]
    spot_checks: list[SpotCheck]
    destination: str = "Twenty"  # display name
    bin_name: str = "trash"  # where the destination keeps deleted records

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.objects) and not any(s.differences for s in self.spot_checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "destination": self.destination,
            "objects": [{**asdict(o), "ok": o.ok} for o in self.objects],
            "spot_checks": [asdict(s) for s in self.spot_checks],
        }

    def markdown(self) -> str:
        lines = [
            "# Reconciliation",
            "",
            f"Result: **{'OK' if self.ok else 'MISMATCH'}**",
            "",
            "| object | source rows | mart rows | quarantined (dbt) | quarantined (load) "
            f"| ledger | in {self.destination} | relations | ok |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for o in self.objects:
            lines.append(
                f"| {o.object} | {o.source_rows} | {o.mart_rows} | {o.dbt_quarantined} | "
                f"{o.load_quarantined} | {o.ledger_live} | {o.in_twenty} | "
                f"{len(o.relation_mismatches)} bad | {'yes' if o.ok else '**no**'} |"
            )
        for o in self.objects:
            if o.in_bin:
                lines.append(
                    f"- {o.object}: {o.in_bin} loaded record(s) deleted in {self.destination} "
                    f"after the load (in its {self.bin_name}, restorable): "
                    f"{', '.join(o.deleted_in_destination)}"
                )
            if o.missing_in_twenty:
                lines.append(
                    f"- {o.object}: loaded record(s) missing from {self.destination} (not in "
                    f"its {self.bin_name} either): {', '.join(o.missing_in_twenty)}"
                )
        bad = [s for s in self.spot_checks if s.differences]
        lines += ["", f"Spot check: {len(self.spot_checks)} records, {len(bad)} with differences."]
        for s in bad:
            lines.append(f"- {s.object} {s.external_id}: {'; '.join(s.differences)}")
        return "\n".join(lines) + "\n"


def _counts_from_dbt(loader: Loader) -> dict[str, dict[str, int]]:
    """dbt's source and quarantined rows per object of this loader's destination only: the
    reconciliation holds every destination's rows, and Twenty and Pipedrive both name objects
    ``person`` and ``note`` (summed together, each would show the other's rows too)."""
    with loader.ledger.connect() as con:
        columns = {
            str(r[0])
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'migration' and table_name = 'migration__reconciliation'"
            ).fetchall()
        }
        mine = "destination = ?" if "destination" in columns else "true"  # older: Twenty's only
        cursor = con.execute(
            f"select * from migration.migration__reconciliation where {mine}",
            [loader.destination.name] if "destination" in columns else [],
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = out.setdefault(str(row.get("object_name")), {"source": 0, "quarantined": 0})
        entry["source"] += int(row.get("source_rows") or 0)
        entry["quarantined"] += int(row.get("quarantined") or 0)
    return out


def _picked_rows(
    loader: Loader, picked: list[tuple[LoadSpec, str, str]]
) -> list[tuple[LoadSpec, MartRow, str]]:
    """The sampled mart rows, in sample order (just those rows read again)."""
    wanted: dict[str, list[str]] = {}
    specs: dict[str, LoadSpec] = {}
    for spec, ext, _ in picked:
        wanted.setdefault(spec.relation, []).append(ext)
        specs[spec.relation] = spec
    found = {
        (relation, row.external_id): row
        for relation, exts in wanted.items()
        for chunk in mart_chunks(loader.ledger, relation, specs[relation].payload_names, only=exts)
        for row in chunk
    }
    return [(spec, found[(spec.relation, ext)], rid) for spec, ext, rid in picked]


def _ledger_view(loader: Loader, obj: str) -> tuple[dict[str, str], int]:
    """(external id → destination id of every record the ledger holds live, quarantined
    count): two columns, not the ledger rows with their before-images."""
    loader.ledger.flush()
    live = ", ".join(f"'{a}'" for a in LIVE_ACTIONS)
    with loader.ledger.connect() as con:
        rows = con.execute(
            "select external_id, record_id, action from migration.ledger_current "
            f"where destination = ? and object = ? and (action in ({live}) "
            "or action = 'quarantined')",
            [loader.ledger.destination, obj],
        ).fetchall()
    return {str(e): r for e, r, a in rows if a != "quarantined"}, sum(
        1 for *_, a in rows if a == "quarantined"
    )


def _mart_ids(loader: Loader, relation: str) -> set[str]:
    with loader.ledger.connect() as con:
        return {str(r[0]) for r in con.execute(f"select external_id from {relation}").fetchall()}


class Reservoir(Generic[T]):
    """A uniform random sample of ``size`` items from a stream of unknown length, in
    ``size`` slots (reservoir sampling, Algorithm R): the n-th item offered replaces a random
    slot with chance size/n, so every item offered is kept with the same chance."""

    def __init__(self, size: int, seed: int) -> None:
        self.size, self.seen = size, 0
        self.items: list[T] = []
        self._rng = random.Random(seed)

    def offer(self, item: T) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
        elif (slot := self._rng.randrange(self.seen)) < self.size:
            self.items[slot] = item


def reconcile(
    loader: Loader, specs: list[LoadSpec], sample: int = 50, seed: int = 7
) -> Reconciliation:
    dbt_counts = _counts_from_dbt(loader)
    checks: list[ObjectCheck] = []
    # one object at a time, its mart a chunk at a time; of every checked row only the sampled
    # (spec, external id, destination id) stay (reservoir sampling): holding every mart row and
    # destination record of a 2-million-record account at once took 11 GB
    picked: Reservoir[tuple[LoadSpec, str, str]] = Reservoir(sample, seed)
    needs = [relation_targets(loader, spec) for spec in specs]
    for index, spec in enumerate(specs):
        names = [  # mart_columns first: a mart not built is "run `dbt build`", not a crash
            c[: -len(RELATION_SUFFIX)]
            for c in mart_columns(loader.ledger, spec.relation)
            if c.endswith(RELATION_SUFFIX)
        ]
        live_all, quarantined = _ledger_view(loader, spec.singular)
        in_mart = _mart_ids(loader, spec.relation)
        live_ids = {ext: t for ext, t in live_all.items() if ext in in_mart}
        if any(n is None or spec.singular in n for n in needs[index:]):
            # only an object some relation points at needs its ids kept (1.1 M sessions: none)
            for ext, record_id in live_all.items():
                loader.ids[(spec.singular, ext)] = record_id
        dest = loader.destination
        records = dest.list_records(spec, {dest.relation_target(spec, n)[0] for n in names})
        check = ObjectCheck(
            spec.singular,
            source_rows=dbt_counts.get(spec.singular, {}).get("source", 0),
            mart_rows=len(in_mart),
            dbt_quarantined=dbt_counts.get(spec.singular, {}).get("quarantined", 0),
            load_quarantined=quarantined,
            ledger_live=len(live_ids),
            in_twenty=sum(1 for record_id in live_ids.values() if record_id in records),
        )
        absent = [e for e, t in live_ids.items() if t not in records]
        binned = dest.deleted_records(spec, [live_ids[e] for e in absent]) if absent else set()
        check.in_bin = sum(1 for e in absent if live_ids[e] in binned)
        check.deleted_in_destination = [e for e in absent if live_ids[e] in binned][:20]
        check.missing_in_twenty = [e for e in absent if live_ids[e] not in binned][:20]
        check.gone_from_source = sorted(e for e in live_all if e not in in_mart)
        del in_mart, live_all
        for chunk in mart_chunks(loader.ledger, spec.relation, spec.payload_names):
            for row in chunk:
                record_id = live_ids.get(row.external_id)
                record = records.get(record_id) if record_id else None
                if record is None or record_id is None:
                    continue
                check.relation_mismatches += _relation_problems(loader, spec, row, record)
                picked.offer((spec, row.external_id, record_id))
        checks.append(check)
        del records, live_ids
        forget_unneeded(loader, specs, needs, index)
    spots = []
    for spec, row, record_id in _picked_rows(loader, picked.items):
        record = loader.destination.fetch(spec, record_id)
        differences = loader.destination.differences(spec, row.payload, record)
        spots.append(SpotCheck(spec.singular, row.external_id, differences))
    return Reconciliation(
        checks, spots, loader.destination.display_name, loader.destination.bin_name
    )


def _relation_problems(
    loader: Loader, spec: LoadSpec, row: MartRow, record: dict[str, Any]
) -> list[str]:
    """The record's identity and every relation against what the mart and ledger say."""
    dest = loader.destination
    problems = []
    identity = dest.identity_problem(spec, row, record)
    if identity:
        problems.append(identity)
    payload, problem = loader.payload_for(spec, row)
    for name in row.relations:
        column, _ = dest.relation_target(spec, name)
        if problem is None and record.get(column) != payload.get(column):
            problems.append(
                f"{row.external_id}.{column}: {dest.display_name} "
                f"{record.get(column)} ≠ {payload.get(column)}"
            )
    return problems


def write_reports(result: Reconciliation, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = out_dir / "reconciliation.md", out_dir / "reconciliation.json"
    md.write_text(result.markdown())
    js.write_text(json.dumps(result.as_json(), indent=2, default=str))
    return md, js
