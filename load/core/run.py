"""One load, start to finish: the checks that stop it before any write, then schema and data.

Used by ``bizmig load`` and by the ``load`` phase of ``bizmig migrate`` / ``bizmig demo``, for
every destination: the refusals (unconfirmed mappings, unmatched owners, archiving on a pilot
build) hold whatever the destination, and everything destination-specific goes through its
adapter (:mod:`load.core.destination`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from common.exits import ExitCode
from load.core.build_state import BuildState
from load.core.destination import Destination, OwnerMatch, SchemaConflict, SetupReport
from load.core.loader import ACTIONS, Loader, ObjectResult, Progress, run_load
from load.core.owners import without_user


class LoadRefused(RuntimeError):
    exit_code = ExitCode.FAILED


class UnconfirmedMapping(LoadRefused):
    exit_code = ExitCode.UNCONFIRMED_MAPPING


class UnmatchedOwners(LoadRefused):
    exit_code = ExitCode.UNMATCHED_OWNERS


class PilotArchive(LoadRefused):
    exit_code = ExitCode.CONFIG


class SchemaRefused(LoadRefused):
    exit_code = ExitCode.SCHEMA_CONFLICT


@dataclass
class LoadOptions:
    dry_run: bool = False
    schema_only: bool = False
    allow_unmatched_owners: bool = False
    archive_missing: bool = False
    build: BuildState | None = None  # the marts' build (load.core.build_state), recorded in the run

    def build_record(self) -> dict[str, Any]:
        """What ``migration.load_runs.options`` keeps of the build: a forced load says so."""
        if self.build is None:
            return {}
        return {"build": self.build.summary(), "forced_past_build": not self.build.ok}


@dataclass
class LoadOutcome:
    run_id: str
    results: list[ObjectResult] = field(default_factory=list)
    owners: OwnerMatch | None = None
    schema: SetupReport | None = None

    def as_json(self, destination: Destination) -> dict[str, Any]:
        stats = destination.stats
        return {
            "run_id": self.run_id,
            "destination": destination.name,
            **destination.facts(),
            "objects": {
                r.object: {
                    "mart_rows": r.mart_rows,
                    "batches": r.batches,
                    "missing_from_source": r.missing,
                    "archived": r.archived,
                    "unexpected_answers": r.unexpected,
                    **{a: r.actions.get(a, 0) for a in ACTIONS},
                }
                for r in self.results
            },
            "requests": {
                "total": stats.total,
                "writes": stats.writes(),
                "by_kind": dict(stats.by_kind),
                "statuses": {str(k): v for k, v in stats.statuses.items()},
                "daily_used": stats.daily_used,
                "daily_max": stats.daily_max,
            },
            "unmatched_owners": self.owners.unmatched if self.owners else [],
            "owner_matching_skipped": self.owners.skipped if self.owners else None,
        }

    def unaccounted(self) -> list[str]:
        """Gate: every mart row ended as exactly one action, and every answer row belonged
        to an input (load.core.answers)."""
        return [
            f"{r.object}: {sum(r.actions.values())} actions for {r.mart_rows} mart rows"
            for r in self.results
            if sum(r.actions.values()) != r.mart_rows
        ] + [f"{r.object}: {message}" for r in self.results for message in r.unexpected]


def is_pilot_build(destination: Destination) -> bool:
    """A build with the pilot sample vars excludes rows by rule ``outside_pilot_sample``."""
    rows = destination.ledger.query("select rows_per_rule from migration.migration__reconciliation")
    return any((r["rows_per_rule"] or {}).get("outside_pilot_sample") for r in rows)


def perform_load(
    destination: Destination,
    options: LoadOptions,
    progress: Progress | None = None,
    confirm: Callable[[str], bool] | None = None,
) -> LoadOutcome:
    if options.archive_missing and is_pilot_build(destination):
        raise PilotArchive(
            "refusing --archive-missing on a pilot build: records outside the sample would be "
            "archived; build without the sample vars first"
        )
    unconfirmed = destination.unconfirmed_mappings()
    if unconfirmed and not options.dry_run:
        raise UnconfirmedMapping(
            "unconfirmed custom-field mappings in seeds/custom_field_map.csv: "
            f"{', '.join(unconfirmed)} (decide with `bizmig map confirm` or edit "
            "the CSV, then `dbt build`)"
        )
    owners = destination.match_owners()
    if owners.unmatched and not (options.allow_unmatched_owners or options.dry_run):
        listing = ", ".join(f"{u['name']} <{u['email']}>" for u in owners.unmatched)
        raise UnmatchedOwners(
            f"{without_user(len(owners.unmatched), destination.user_noun)}: {listing}. "
            f"Add them in {destination.display_name} (matched by e-mail), or rerun with "
            "--allow-unmatched-owners."
        )
    target = destination.url
    if (
        confirm is not None
        and not options.dry_run
        and not confirm(f"Load {len(destination.specs)} objects into {target}?")
    ):
        raise LoadRefused("not confirmed")
    run_id = destination.ledger.start_run(
        "dry-run" if options.dry_run else "load",
        target,
        destination.generation,
        {
            "schema_only": options.schema_only,
            "archive_missing": options.archive_missing,
            "allow_unmatched_owners": options.allow_unmatched_owners,
            **options.build_record(),
        },
    )
    outcome = LoadOutcome(run_id, owners=owners)
    status = "failed"
    try:
        if not options.dry_run:
            destination.match_owners(run_id)
            try:
                outcome.schema = destination.setup_schema(run_id)
            except SchemaConflict as exc:
                raise SchemaRefused(str(exc)) from exc
        if not options.schema_only:
            loader = Loader(
                destination,
                destination.ledger,
                run_id,
                options.dry_run,
                progress,
                archive_missing=options.archive_missing,
            )
            destination.use_owners(
                {m["external_id"]: m["destination_user_id"] for m in owners.matched}
            )
            outcome.results = run_load(loader, destination.specs)
        status = "done"
    finally:
        destination.ledger.finish_run(run_id, status)
    return outcome
