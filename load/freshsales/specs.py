"""One loader spec per Freshsales module, in the order parents must exist before children.

A deal needs its ``sales_account_id`` at create time ("deal cannot be created without an
account", destinations-2.md §3.10 pitfall 3) and a contact names its primary account in
``sales_accounts``, so sales accounts (households) come first, then contacts, products (no
parent), deals, and the appointments and notes that target a contact. Rollback walks the list
backwards, children first.

How a record is recognised again differs by module, because only some modules can carry custom
fields and only three have an upsert (§3.2): contacts, sales accounts and deals carry the
unique text field ``cf_bizstim_id`` and are upserted on it (``POST /api/<module>/upsert``,
201 created / 200 updated); CPQ products carry ``cf_bizstim_id`` too but have no upsert (create,
PUT by id); appointments and notes have no custom fields at all, so their ``description`` ends
with the marker ``[bizstim:<external id>]`` (the mart writes it; :mod:`load.pipedrive.markers`
reads it: one marker rule for every destination without custom fields on activities).

Mart columns are Freshsales' own body field names, snake_case (``first_name``,
``sales_account_id``), so the payload rule is Pipedrive's: lower-case words joined by one
underscore, ``external_id`` and ``row_hash`` excluded; the core's relation and owner columns
carry a double underscore and never match. ``cf_<snake>`` columns go under ``custom_field``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from load.core.specs import LoadSpec

PAYLOAD_NAMES = re.compile(r"^(?!external_id$|row_hash$)[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
CUSTOM_PREFIX = "cf_"
KEY_FIELD = "cf_bizstim_id"  # the unique text custom field every custom-field module carries
KEY = "bizstim_id"  # the key plans and answers are paired by; never sent as a root field
API = "/api"  # appended to FRESHSALES_API_URL (which ends in /crm/sales for bundle accounts)


@dataclass(frozen=True)
class Module:
    """How one Freshsales module is reached and how its records are recognised."""

    singular: str  # the loader's object name (ledger ``object``)
    resource: str  # the body's wrapper key: ``{"contact": {...}}``
    path: str  # /api/contacts, /api/cpq/products
    fields_module: str | None  # /api/settings/<this>/fields; None: no custom fields
    upsert: bool = False  # POST <path>/upsert on cf_bizstim_id
    listed_as: str | None = None  # the answer key of its listing (None: no listing)

    @property
    def custom_fields(self) -> bool:
        return self.fields_module is not None

    @property
    def marker(self) -> bool:
        """Recognised by the ``[bizstim:<id>]`` marker at the end of ``description``."""
        return not self.custom_fields


MODULES: dict[str, Module] = {
    m.singular: m
    for m in (
        Module(
            "sales_account",
            "sales_account",
            f"{API}/sales_accounts",
            "sales_accounts",
            upsert=True,
            listed_as="sales_accounts",
        ),
        Module(
            "contact",
            "contact",
            f"{API}/contacts",
            "contacts",
            upsert=True,
            listed_as="contacts",
        ),
        Module("product", "product", f"{API}/cpq/products", "products", listed_as="products"),
        Module("deal", "deal", f"{API}/deals", "deals", upsert=True, listed_as="deals"),
        Module("appointment", "appointment", f"{API}/appointments", None),
        Module("note", "note", f"{API}/notes", None),
    )
}

# a mart's ``<name>__external_id`` column → (body field, module it points at)
RELATIONS: dict[str, tuple[str, str]] = {
    "sales_account": ("sales_account_id", "sales_account"),
    "contact": ("contact_id", "contact"),
}


def _spec(singular: str, mart: str) -> LoadSpec:
    return LoadSpec(singular, f"freshsales__{mart}", payload_names=PAYLOAD_NAMES)


SALES_ACCOUNTS = _spec("sales_account", "sales_accounts")
CONTACTS = _spec("contact", "contacts")
PRODUCTS = _spec("product", "products")
DEALS = _spec("deal", "deals")
APPOINTMENTS = _spec("appointment", "appointments")
NOTES = _spec("note", "notes")

LOAD_ORDER: tuple[LoadSpec, ...] = (SALES_ACCOUNTS, CONTACTS, PRODUCTS, DEALS, APPOINTMENTS, NOTES)


def module(spec: LoadSpec) -> Module:
    return MODULES[spec.singular]
