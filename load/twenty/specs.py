"""One loader spec per Twenty object, in dependency order.

A spec names the object, the mart that feeds it and how a record is recognised in Twenty:
by its ``bizstimId`` (the mart's ``external_id``; every migrated object gets that unique field,
and upserts key on it) or, for note targets, which Twenty treats as system rows without custom
fields, by an ``id`` derived from the external id (a UUIDv5), so that upserting on ``id`` is just
as idempotent. Relations come from the mart's
``<field>__external_id`` columns and are resolved to Twenty ids from the ledger.
"""

from __future__ import annotations

from load.core.specs import LoadSpec

PEOPLE = LoadSpec("person", "twenty__people")
SERVICE_GROUPS = LoadSpec("serviceGroup", "twenty__service_groups")
SERVICES = LoadSpec("tutoringService", "twenty__services")
LOCATIONS = LoadSpec("serviceLocation", "twenty__locations")
PAYMENTS = LoadSpec("payment", "twenty__payments")
SESSIONS = LoadSpec("tutoringSession", "twenty__sessions")
AVAILABILITY_WINDOWS = LoadSpec("availabilityWindow", "twenty__availability_windows")
NOTES = LoadSpec("note", "twenty__notes")
NOTE_TARGETS = LoadSpec("noteTarget", "twenty__note_targets", deterministic_id=True)

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
