"""One loader spec per Salesforce object, in the order parents must exist before children.

The order follows the lookups (issue 14, and the service page's production order): Accounts
before the Contacts that name them (``AccountId``); Leads (no parent); service groups (when a
seed setting makes them custom records) before the Product2 that looks them up; Product2 before its
standard ``PricebookEntry`` (``STANDARD_PRICE_NOT_DEFINED`` otherwise); payments
(``Bizstim_Payment__c`` or Opportunity, a seed switch leaves one mart empty) and Events after
the Contacts and Leads they point at; availability after Contacts; ContentNote before the
ContentDocumentLink that attaches it. Rollback walks the same list backwards, children first.

Every object is keyed on the External ID ``Bizstim_Id__c`` (unique, so an upsert never needs
"View All Data") except ContentNote and ContentDocumentLink, which cannot carry custom fields:
how those two stay idempotent is :mod:`load.salesforce.content`'s. Mart columns named as
Salesforce API names are the payload (:data:`API_NAME`): standard fields start upper-case
(``LastName``), custom ones end in ``__c`` (``Bizstim_Status__c``).
"""

from __future__ import annotations

import re

from load.core.specs import LoadSpec

EXTERNAL_ID = "Bizstim_Id__c"
API_NAME = re.compile(r"^(?:[A-Z][A-Za-z0-9]*|[A-Za-z][A-Za-z0-9_]*__c)$")
INSERT_ONLY = ("ContentNote", "ContentDocumentLink")  # no custom fields: no External ID


def _spec(obj: str, mart: str) -> LoadSpec:
    return LoadSpec(obj, f"salesforce__{mart}", payload_names=API_NAME)


ACCOUNTS = _spec("Account", "accounts")
CONTACTS = _spec("Contact", "contacts")
LEADS = _spec("Lead", "leads")
SERVICE_GROUPS = _spec("Bizstim_Service_Group__c", "service_groups")
PRODUCTS = _spec("Product2", "products")
PRICEBOOK_ENTRIES = _spec("PricebookEntry", "pricebook_entries")
PAYMENTS = _spec("Bizstim_Payment__c", "payments")
OPPORTUNITIES = _spec("Opportunity", "opportunities")
EVENTS = _spec("Event", "events")
AVAILABILITY = _spec("Bizstim_Availability__c", "availability")
NOTES = _spec("ContentNote", "notes")
NOTE_LINKS = _spec("ContentDocumentLink", "note_links")

LOAD_ORDER: tuple[LoadSpec, ...] = (
    ACCOUNTS,
    CONTACTS,
    LEADS,
    SERVICE_GROUPS,
    PRODUCTS,
    PRICEBOOK_ENTRIES,
    PAYMENTS,
    OPPORTUNITIES,
    EVENTS,
    AVAILABILITY,
    NOTES,
    NOTE_LINKS,
)


def has_external_id(obj: str) -> bool:
    return obj not in INSERT_ONLY
