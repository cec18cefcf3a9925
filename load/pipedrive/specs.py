"""One loader spec per Pipedrive entity, in the order parents must exist before children.

Pipedrive's v2 bodies take ``org_id``, ``person_id`` and ``deal_id`` as numbers that must
already exist, so organizations (households) come first, then the persons that name them,
products (no parent), deals (payments, when the seed routes them there) on a person, then
activities (sessions) and notes, which point at persons and deals. Rollback walks the list
backwards, children first.

Mart columns are named exactly as Pipedrive's v2 body fields (v1 for notes), which are
snake_case (``due_date``, ``org_id``), so the payload rule is "lower-case words joined by one
underscore" (:data:`PAYLOAD_NAMES`): ``external_id`` and ``row_hash`` are bookkeeping, and the
core's relation and owner columns (``person__external_id``) carry a double underscore, which
the rule never matches. Custom-field values arrive as ``cf_<field_key>`` columns, which the rule
keeps: the adapter moves them under ``custom_fields`` by the account's field code.

Which entities can carry a custom field decides how a record is recognised (destinations-2.md
§2.5): persons, organizations, products and deals carry the varchar field "Bizstim ID";
activities and notes cannot (``activityFields`` is read-only, v2 activity bodies have no
``custom_fields``, v1 notes have none), so their text ends in the marker
``[bizstim:<external id>]`` (:mod:`load.pipedrive.markers`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from load.core.specs import LoadSpec

PAYLOAD_NAMES = re.compile(r"^(?!external_id$|row_hash$)[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
CUSTOM_PREFIX = "cf_"
BIZSTIM_ID_FIELD = "Bizstim ID"
KEY = "bizstim_id"  # the key plans and answers are paired by; never sent as a root field


@dataclass(frozen=True)
class Entity:
    """How one Pipedrive entity is reached: its API path and where the migration's id lives."""

    singular: str
    path: str  # /api/v2/persons, /v1/notes
    fields_path: str | None  # /api/v2/personFields; None: the entity has no custom fields
    marker_field: str | None = None  # the text field that carries the [bizstim:<id>] marker

    @property
    def v1(self) -> str | None:
        return "v1" if self.path.startswith("/v1/") else None

    @property
    def custom_fields(self) -> bool:
        return self.fields_path is not None


ENTITIES: dict[str, Entity] = {
    e.singular: e
    for e in (
        Entity("organization", "/api/v2/organizations", "/api/v2/organizationFields"),
        Entity("person", "/api/v2/persons", "/api/v2/personFields"),
        Entity("product", "/api/v2/products", "/api/v2/productFields"),
        Entity("deal", "/api/v2/deals", "/api/v2/dealFields"),
        Entity("activity", "/api/v2/activities", None, marker_field="note"),
        Entity("note", "/v1/notes", None, marker_field="content"),
    )
}

# a mart's ``<name>__external_id`` column → (body field, entity it points at)
RELATIONS = {
    "person": ("person_id", "person"),
    "org": ("org_id", "organization"),
    "deal": ("deal_id", "deal"),
}


def _spec(singular: str, mart: str) -> LoadSpec:
    return LoadSpec(singular, f"pipedrive__{mart}", payload_names=PAYLOAD_NAMES)


ORGANIZATIONS = _spec("organization", "organizations")
PERSONS = _spec("person", "persons")
PRODUCTS = _spec("product", "products")
DEALS = _spec("deal", "deals")
ACTIVITIES = _spec("activity", "activities")
NOTES = _spec("note", "notes")

LOAD_ORDER: tuple[LoadSpec, ...] = (ORGANIZATIONS, PERSONS, PRODUCTS, DEALS, ACTIVITIES, NOTES)


def entity(spec: LoadSpec) -> Entity:
    return ENTITIES[spec.singular]
