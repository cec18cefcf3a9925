"""`bizmig reconcile`: prove the load, object by object, against Twenty itself.

Per object: source rows and mart rows (dbt's ``migration__reconciliation`` and the mart),
records loaded earlier whose source rows are gone (listed, not a mismatch: they stay in
Twenty until ``--archive-missing``),
quarantined rows (dbt's quarantine + records Twenty refused), ledger rows (records the ledger
says are live in Twenty) and records found in Twenty (listed through the API). Then a
field-by-field spot check of random records fetched back from Twenty against their mart row,
compared the way Twenty stores values (:mod:`load.twenty.normalise`: e-mails lower-cased, ``[]`` as
null, canonical link origins, phones as calling code + national number), and a relationship
check: every relation of every loaded record points at the Twenty record
the ledger holds for the mart's foreign external id. Any mismatch → non-zero exit.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from load.core.ledger import LIVE_ACTIONS
from load.core.loader import Loader
from load.core.marts import MartRow, read_mart
from load.core.plan import deterministic_id
from load.twenty.catalog import EXTERNAL_ID_FIELD
from load.twenty.normalise import normalise
from load.twenty.specs import LoadSpec


@dataclass
class ObjectCheck:
    object: str
    source_rows: int
    mart_rows: int
    dbt_quarantined: int
    load_quarantined: int
    ledger_live: int
    in_twenty: int
    missing_in_twenty: list[str] = field(default_factory=list)
    gone_from_source: list[str] = field(default_factory=list)  # still in Twenty, not archived
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

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.objects) and not any(s.differences for s in self.spot_checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
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
            "| ledger | in Twenty | relations | ok |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for o in self.objects:
            lines.append(
                f"| {o.object} | {o.source_rows} | {o.mart_rows} | {o.dbt_quarantined} | "
                f"{o.load_quarantined} | {o.ledger_live} | {o.in_twenty} | "
                f"{len(o.relation_mismatches)} bad | {'yes' if o.ok else '**no**'} |"
            )
        bad = [s for s in self.spot_checks if s.differences]
        lines += ["", f"Spot check: {len(self.spot_checks)} records, {len(bad)} with differences."]
        for s in bad:
            lines.append(f"- {s.object} {s.external_id}: {'; '.join(s.differences)}")
        return "\n".join(lines) + "\n"


def _same(expected: Any, actual: Any) -> bool:
    if expected in (None, "", []) and actual in (None, "", []):
        return True
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(_same(v, actual.get(k)) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(map(_same, expected, actual))
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return abs(expected - actual) < 1e-6
    if isinstance(expected, str) and isinstance(actual, str) and "T" in actual:
        return expected.replace("Z", "") == actual.replace(".000Z", "").replace("Z", "")
    return bool(expected == actual)


def compare(
    payload: dict[str, Any], record: dict[str, Any], types: dict[str, str] | None = None
) -> list[str]:
    """Differences between a mart payload and Twenty's record, both sides first normalised
    the way Twenty stores values (:mod:`load.twenty.normalise`; ``types``: field → Twenty type)."""
    types = types or {}
    return [
        f"{name}: mart {value!r} ≠ Twenty {record.get(name)!r}"
        for name, value in payload.items()
        if not _same(
            normalise(types.get(name), value), normalise(types.get(name), record.get(name))
        )
    ]


def _counts_from_dbt(loader: Loader) -> dict[str, dict[str, int]]:
    with loader.ledger.connect() as con:
        cursor = con.execute("select * from migration.migration__reconciliation")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = out.setdefault(str(row.get("object_name")), {"source": 0, "quarantined": 0})
        entry["source"] += int(row.get("source_rows") or 0)
        entry["quarantined"] += int(row.get("quarantined") or 0)
    return out


def _listed(loader: Loader, spec: LoadSpec, keep: set[str]) -> dict[str, dict[str, Any]]:
    """Twenty's records of one object, id → only the fields the checks read."""
    plural = loader.workspace.plural(spec.singular)
    return {
        record["id"]: {k: record.get(k) for k in keep}
        for batch in loader.client.pages(plural)
        for record in batch
    }


def _picked_rows(
    loader: Loader, picked: list[tuple[LoadSpec, str]]
) -> list[tuple[LoadSpec, MartRow]]:
    """The sampled mart rows, in sample order (each mart read once more)."""
    wanted: dict[str, set[str]] = {}
    for spec, ext in picked:
        wanted.setdefault(spec.relation, set()).add(ext)
    found = {
        (relation, row.external_id): row
        for relation, exts in wanted.items()
        for row in read_mart(loader.ledger, relation)
        if row.external_id in exts
    }
    return [(spec, found[(spec.relation, ext)]) for spec, ext in picked]


def reconcile(
    loader: Loader, specs: list[LoadSpec], sample: int = 50, seed: int = 7
) -> Reconciliation:
    dbt_counts = _counts_from_dbt(loader)
    checks: list[ObjectCheck] = []
    # only (spec, external id) is kept across objects: holding every mart row and Twenty record
    # of a 2-million-record account at once took 11 GB; the 50 sampled rows are read again
    candidates: list[tuple[LoadSpec, str]] = []
    for spec in specs:
        rows = read_mart(loader.ledger, spec.relation)
        ledger = loader.ledger.current(spec.singular)
        in_mart = {row.external_id for row in rows}
        live_all = {
            ext: row["twenty_id"] for ext, row in ledger.items() if row["action"] in LIVE_ACTIONS
        }
        live_ids = {ext: t for ext, t in live_all.items() if ext in in_mart}
        for ext, twenty_id in live_all.items():
            loader.ids[(spec.singular, ext)] = twenty_id
        quarantined = sum(1 for row in ledger.values() if row["action"] == "quarantined")
        columns = {loader.relation_target(spec, name)[0] for row in rows for name in row.relations}
        records = _listed(loader, spec, {"id", EXTERNAL_ID_FIELD, *columns})
        check = ObjectCheck(
            spec.singular,
            source_rows=dbt_counts.get(spec.singular, {}).get("source", 0),
            mart_rows=len(rows),
            dbt_quarantined=dbt_counts.get(spec.singular, {}).get("quarantined", 0),
            load_quarantined=quarantined,
            ledger_live=len(live_ids),
            in_twenty=sum(1 for twenty_id in live_ids.values() if twenty_id in records),
        )
        check.missing_in_twenty = [e for e, t in live_ids.items() if t not in records][:20]
        check.gone_from_source = sorted(e for e in live_all if e not in in_mart)
        for row in rows:
            twenty_id = live_ids.get(row.external_id)
            record = records.get(twenty_id) if twenty_id else None
            if record is None:
                continue
            if spec.upserts and record.get(EXTERNAL_ID_FIELD) != row.external_id:
                check.relation_mismatches.append(f"{row.external_id}: bizstimId differs")
            if not spec.upserts and record["id"] != deterministic_id(
                spec.singular, row.external_id
            ):
                check.relation_mismatches.append(f"{row.external_id}: id differs")
            payload, problem = loader.payload_for(spec, row)
            for name in row.relations:
                column, _ = loader.relation_target(spec, name)
                if problem is None and record.get(column) != payload.get(column):
                    check.relation_mismatches.append(
                        f"{row.external_id}.{column}: Twenty {record.get(column)} ≠ "
                        f"{payload.get(column)}"
                    )
            candidates.append((spec, row.external_id))
        checks.append(check)
    rng = random.Random(seed)
    picked = rng.sample(candidates, min(sample, len(candidates)))
    spots = []
    for spec, row in _picked_rows(loader, picked):
        plural = loader.workspace.plural(spec.singular)
        twenty_id = loader.ids[(spec.singular, row.external_id)]
        fetched = loader.client.get(f"/rest/{plural}/{twenty_id}")
        record = next(iter(fetched["data"].values()))
        types = {f.name: f.type for f in loader.catalog.fields_of(spec.singular)}
        differences = compare(row.payload, record, types)
        spots.append(SpotCheck(spec.singular, row.external_id, differences))
    return Reconciliation(checks, spots)


def write_reports(result: Reconciliation, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = out_dir / "reconciliation.md", out_dir / "reconciliation.json"
    md.write_text(result.markdown())
    js.write_text(json.dumps(result.as_json(), indent=2, default=str))
    return md, js
