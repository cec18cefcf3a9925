"""Section 1 of the report: every object's numbers, in an order in which they add up.

Seen on a fresh clone: the person bars read 312 source rows / 156 loaded / 0 quarantined /
1 excluded, which add up to nothing a reader can see, and the "204 quarantine rows" tile
counted 103 "value kept raw" notes on records that *were* migrated. Each object now reads as
three equations, all checked by tests against the page:

* source rows = mapped + quarantined + excluded (dbt's ``migration__reconciliation``: a
  quarantined row is *not migrated*, with a reason; an excluded row is left out by a named rule);
* mapped rows - merged = Twenty records (the mart): a client and its detail record, or a
  practitioner, the staff row of the same login and its profile, make one person. Which tables'
  rows share records comes from ``intermediate.int_migration__dispositions`` (each mapped row's
  target record), grouped by the set of tables a record is built from;
* Twenty records = loaded + refused by Twenty + not loaded yet (the ledger).

"Migrated with a note" (``impact = value_kept_raw``) counts records that are in Twenty with one
value kept as typed; they are part of *loaded*, never of *quarantined*.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from load.core.ledger import LIVE_ACTIONS
from load.destinations import KNOWN, load_order
from report.db import ReportDb, parse_json_column

MIGRATION = "migration"
DISPOSITIONS = ("intermediate", "int_migration__dispositions")


def objects_of(destination: str) -> tuple[str, ...]:
    """The destination's objects in load order. A fixed Twenty list printed person,
    serviceGroup, ... with zeros under a Salesforce migration of 12 objects (demo, 40 clients)."""
    return tuple(spec.singular for spec in load_order(destination))


# the accounting table: (column header, field of an object summary), in equation order
ACCOUNTING: tuple[tuple[str, str], ...] = (
    ("object", "object"),
    ("source rows", "source_rows"),
    ("mapped", "mapped_rows"),
    ("quarantined", "dbt_quarantined"),
    ("excluded", "excluded"),
    ("merged", "merged"),
    ("Twenty records", "mart_rows"),
    ("loaded", "loaded"),
    ("refused by Twenty", "load_quarantined"),
    ("not loaded yet", "not_loaded"),
    ("with a note", "noted_records"),
)


def accounting_rows(objects: list[dict[str, Any]]) -> list[list[Any]]:
    return [[o[key] for _, key in ACCOUNTING] for o in objects]


def _int(value: Any) -> int:
    return int(value or 0)


def _quarantine_rules(db: ReportDb, destination: str) -> set[tuple[str, str]]:
    """(object, rule) pairs that quarantine rows; every other rule in rows_per_rule excludes."""
    if not db.has(MIGRATION, "migration__quarantine"):
        return set()
    mine, params = db.of_destination(MIGRATION, "migration__quarantine", destination)
    rows = db.rows(
        f"select distinct object_name, rule from {MIGRATION}.migration__quarantine "
        f"where impact is distinct from 'value_kept_raw' and {mine}",
        params,
    )
    return {(str(r["object_name"]), str(r["rule"])) for r in rows}


def reconciliation_rows(db: ReportDb, destination: str = "twenty") -> list[dict[str, Any]]:
    """dbt's per object and source table accounting of one destination, each rule marked
    quarantine/exclusion."""
    if not db.has(MIGRATION, "migration__reconciliation"):
        return []
    quarantine_rules = _quarantine_rules(db, destination)
    mine, params = db.of_destination(MIGRATION, "migration__reconciliation", destination)
    rows = db.rows(
        f"select * from {MIGRATION}.migration__reconciliation where {mine} "
        "order by object_name, source_table",
        params,
    )
    for row in rows:
        raw = parse_json_column(row.get("rows_per_rule")) or {}
        per_rule = {str(k): _int(v) for k, v in raw.items()}
        quarantining = {r for r in per_rule if (str(row["object_name"]), r) in quarantine_rules}
        row["rows_per_rule"] = per_rule
        row["excluded_by_rule"] = {r: n for r, n in per_rule.items() if r not in quarantining}
        row["quarantined_by_rule"] = {r: n for r, n in per_rule.items() if r in quarantining}
    return rows


def ledger_counts(db: ReportDb, destination: str = "twenty") -> dict[str, Counter[str]]:
    """object → action → records, from the destination's latest committed ledger state (Twenty,
    Pipedrive and Freshsales all name objects ``person``/``note``: one file may feed several)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    if not db.has(MIGRATION, "ledger_current"):
        return out
    where, params = db.of_destination(MIGRATION, "ledger_current", destination)
    for row in db.rows(
        f"select object, action, count(*) as n from {MIGRATION}.ledger_current "
        f"where {where} group by all",
        params,
    ):
        out[str(row["object"])][str(row["action"])] += _int(row["n"])
    return out


def merges(db: ReportDb) -> dict[str, list[dict[str, Any]]]:
    """object → groups of source tables whose mapped rows share records: the tables, their
    rows and the records those rows became (only groups with fewer records than rows)."""
    if not db.has(*DISPOSITIONS):
        return {}
    rows = db.rows(
        f"""
        with mapped as (
            select object_name, source_table, target_external_id as target
            from {".".join(DISPOSITIONS)}
            where disposition = 'mapped' and target_external_id is not null
        ),
        per_target as (
            select object_name, target, list_sort(list(distinct source_table)) as tables,
                count(*) as source_rows
            from mapped group by all
        )
        select object_name, tables, sum(source_rows) as source_rows, count(*) as records
        from per_target group by all
        having sum(source_rows) > count(*)
        order by object_name, sum(source_rows) - count(*) desc
        """
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[str(r["object_name"])].append(
            {
                "tables": list(r["tables"]),
                "rows": _int(r["source_rows"]),
                "records": _int(r["records"]),
            }
        )
    return out


def notes(db: ReportDb, destination: str) -> dict[str, tuple[int, int]]:
    """object → (values kept raw, records they are on): migrated records with a note."""
    if not db.has(MIGRATION, "migration__quarantine"):
        return {}
    mine, params = db.of_destination(MIGRATION, "migration__quarantine", destination)
    rows = db.rows(
        f"select object_name, count(*) as n, count(distinct source_id) as records "
        f"from {MIGRATION}.migration__quarantine where impact = 'value_kept_raw' and {mine} "
        "group by all",
        params,
    )
    return {str(r["object_name"]): (_int(r["n"]), _int(r["records"])) for r in rows}


def _rules(counts: dict[str, int]) -> str:
    return ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def story(o: dict[str, Any]) -> str:
    """Why the object's counts differ, in one sentence (report and closing summary)."""
    parts = []
    if o["excluded"]:
        parts.append(f"{o['excluded']} excluded ({_rules(o['excluded_by_rule'])})")
    if o["dbt_quarantined"]:
        parts.append(f"{o['dbt_quarantined']} quarantined ({_rules(o['quarantined_by_rule'])})")
    merged = [f"{' + '.join(m['tables'])}: {m['rows']} rows → {m['records']}" for m in o["merges"]]
    if o["merged"]:
        detail = f" ({'; '.join(merged)})" if merged else ""
        parts.append(f"{o['merged']} rows merged: one record from several rows{detail}")
    if o["load_quarantined"]:
        parts.append(f"{o['load_quarantined']} refused by {o.get('destination_name', 'Twenty')}")
    if o["not_loaded"] and o["loaded_available"]:
        parts.append(f"{o['not_loaded']} not loaded yet")
    head = f"{o['source_rows']} source rows → {o['mart_rows']} records"
    if o["loaded_available"]:
        head += f", {o['loaded']} loaded"
    return head + (": " + "; ".join(parts) if parts else ": one record per source row")


def object_summary(db: ReportDb, destination: str = "twenty") -> dict[str, Any]:
    """Per destination object: the three equations above, the rules behind each count, a story."""
    recon = reconciliation_rows(db, destination)
    ledger = ledger_counts(db, destination)
    destination_name = KNOWN[destination].display_name if destination in KNOWN else destination
    loaded_available = db.has(MIGRATION, "ledger_current")
    merged_by = merges(db)
    noted = notes(db, destination)
    objects = []
    objects_here = objects_of(destination)
    for name in objects_here:
        sources = [r for r in recon if r["object_name"] == name]
        actions = ledger.get(name, Counter())
        excluded_by_rule: Counter[str] = Counter()
        quarantined_by_rule: Counter[str] = Counter()
        for source in sources:
            excluded_by_rule.update(source["excluded_by_rule"])
            quarantined_by_rule.update(source["quarantined_by_rule"])
        mart = [r.get("object_mart_rows") for r in sources if r.get("object_mart_rows")]
        mart_rows = _int(max(mart)) if mart else 0
        mapped = sum(_int(r["mapped"]) for r in sources)
        loaded = sum(actions.get(a, 0) for a in LIVE_ACTIONS)
        refused = actions.get("quarantined", 0)
        o = {
            "object": name,
            "destination_name": destination_name,
            "source_rows": sum(_int(r["source_rows"]) for r in sources),
            "mapped_rows": mapped,
            "dbt_quarantined": sum(_int(r["quarantined"]) for r in sources),
            "excluded": sum(_int(r["excluded"]) for r in sources),
            "merged": mapped - mart_rows,
            "merges": merged_by.get(name, []),
            "mart_rows": mart_rows,
            "loaded_available": loaded_available,
            "loaded": loaded,
            "load_quarantined": refused,
            "not_loaded": max(0, mart_rows - loaded - refused),
            "noted_values": noted.get(name, (0, 0))[0],
            "noted_records": noted.get(name, (0, 0))[1],
            "actions": dict(sorted(actions.items())),
            "excluded_by_rule": dict(sorted(excluded_by_rule.items())),
            "quarantined_by_rule": dict(sorted(quarantined_by_rule.items())),
            "sources": [
                {
                    "source_table": r["source_table"],
                    "source_rows": _int(r["source_rows"]),
                    "mapped": _int(r["mapped"]),
                    "quarantined": _int(r["quarantined"]),
                    "excluded": _int(r["excluded"]),
                }
                for r in sources
            ],
        }
        o["story"] = story(o)
        objects.append(o)
    others = [
        {
            "object": r["object_name"],
            "source_table": r["source_table"],
            "source_rows": _int(r["source_rows"]),
            "mapped": _int(r["mapped"]),
            "quarantined": _int(r["quarantined"]),
            "excluded": _int(r["excluded"]),
            "excluded_by_rule": r["excluded_by_rule"],
        }
        for r in recon
        if r["object_name"] not in objects_here
    ]
    return {
        "available": bool(recon),
        "loaded_available": loaded_available,
        "objects": objects,
        "other_sources": others,
    }
