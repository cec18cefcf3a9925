"""One loader spec per Twenty object, in dependency order.

A spec names the object, the mart that feeds it and how a record is recognised in Twenty:
by its ``bizstimId`` (the mart's ``external_id``; every migrated object gets that unique field,
and upserts key on it) or, for note targets, which Twenty treats as system rows without custom
fields, by their natural key (note + person). Relations come from the mart's
``<field>__external_id`` columns and are resolved to Twenty ids from the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadSpec:
    singular: str
    mart: str
    natural_key: tuple[str, ...] = ()  # payload fields identifying a record without bizstimId

    @property
    def upserts(self) -> bool:
        return not self.natural_key

    @property
    def relation(self) -> str:
        return f"marts.{self.mart}"


PEOPLE = LoadSpec("person", "twenty__people")
SERVICE_GROUPS = LoadSpec("serviceGroup", "twenty__service_groups")
SERVICES = LoadSpec("tutoringService", "twenty__services")
LOCATIONS = LoadSpec("serviceLocation", "twenty__locations")
PAYMENTS = LoadSpec("payment", "twenty__payments")
SESSIONS = LoadSpec("tutoringSession", "twenty__sessions")
AVAILABILITY_WINDOWS = LoadSpec("availabilityWindow", "twenty__availability_windows")
NOTES = LoadSpec("note", "twenty__notes")
NOTE_TARGETS = LoadSpec("noteTarget", "twenty__note_targets", natural_key=("noteId", "person"))

LOAD_ORDER: tuple[LoadSpec, ...] = (
    PEOPLE,
    SERVICE_GROUPS,
    SERVICES,
    LOCATIONS,
    PAYMENTS,
    SESSIONS,
    AVAILABILITY_WINDOWS,
    NOTES,
    NOTE_TARGETS,
)


def spec_for(singular: str) -> LoadSpec:
    return next(s for s in LOAD_ORDER if s.singular == singular)
