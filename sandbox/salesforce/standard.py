"""The standard objects a new Sales Cloud org has, as far as the migration touches them.

Field names, labels (they appear in error messages: "Last Name: data value too large"),
lengths and required flags follow the Salesforce object reference (destinations.md §1.2 lists
the minimum fields per object; destinations-2.md §1.12 rule 3). Only the fields a loader or
a reconciliation plausibly sends or reads are modelled; any other name is
``INVALID_FIELD: No such column`` exactly as a typo would be on a real org.

Choices where the references are silent:
* ``Product2.Family`` is a restricted picklist with **no values** in a new org: every Family
  a loader sends must first be added through the Metadata API (§1.1 "adding values means a
  Metadata change").
* ``Opportunity.StageName`` is restricted to the ten default stages (case-sensitive);
  ``Probability``, ``IsClosed`` and ``IsWon`` are derived from the stage on save.
* ``Lead.Status`` is required but defaulted to "Open - Not Contacted" (never missing).
* ``ContentDocumentLink.ShareType`` defaults to ``V`` and ``Visibility`` to ``AllUsers``;
  both are restricted picklists.
* ``FieldPermissions.SobjectType`` and ``Field`` behave as restricted picklists whose values
  are the org's objects and permissionable fields, as on a real org: a Field that names no
  such field is refused with ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST``
  (``rules._field_permissions``; the values change with the schema, so they are not listed).
  ``ObjectPermissions.SobjectType`` likewise names an existing object; its flags' dependencies
  (Create/Edit/View All need Read, Delete needs Edit, Modify All needs Delete and View All) are
  ``FIELD_INTEGRITY_EXCEPTION`` (``rules._object_permissions``).
* Objects whose delete is permanent (no Recycle Bin): ContentDocumentLink, PermissionSet,
  FieldPermissions, ObjectPermissions, PermissionSetAssignment.
"""

from __future__ import annotations

from typing import Any

from sandbox.salesforce.ids import STANDARD_PREFIXES
from sandbox.salesforce.schema import FieldDef, ObjectDef, system_fields

STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
          "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
          "Negotiation/Review", "Closed Won", "Closed Lost"]
STAGE_PROBABILITY = {"Prospecting": 10, "Qualification": 10, "Needs Analysis": 20,
                     "Value Proposition": 50, "Id. Decision Makers": 60,
                     "Perception Analysis": 70, "Proposal/Price Quote": 75,
                     "Negotiation/Review": 90, "Closed Won": 100, "Closed Lost": 0}
LEAD_SOURCES = ["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"]
SALUTATIONS = ["Mr.", "Ms.", "Mrs.", "Dr.", "Prof."]
RECORD_OWNERS = {"Account", "Contact", "Lead", "Opportunity", "Event", "ContentNote",
                 "ContentDocument"}


def text(name: str, label: str, length: int = 255, **kw: Any) -> FieldDef:
    return FieldDef(name, label, "string", length, **kw)


def ref(name: str, label: str, to: list[str], rel: str, **kw: Any) -> FieldDef:
    return FieldDef(name, label, "reference", 18, reference_to=to, relationship_name=rel, **kw)


def pick(name: str, label: str, values: list[str], **kw: Any) -> FieldDef:
    return FieldDef(name, label, "picklist", 255, picklist_values=values, **kw)


def flag(name: str, label: str, default: bool = False, **kw: Any) -> FieldDef:
    return FieldDef(name, label, "boolean", default=default, **kw)


def area(name: str, label: str, length: int = 32000) -> FieldDef:
    return FieldDef(name, label, "textarea", length)


def readonly(fdef: FieldDef) -> FieldDef:
    fdef.createable = fdef.updateable = False
    return fdef


def address(prefix: str, label: str) -> list[FieldDef]:
    return [area(f"{prefix}Street", f"{label} Street", 255),
            text(f"{prefix}City", f"{label} City", 40),
            text(f"{prefix}State", f"{label} State/Province", 80),
            text(f"{prefix}PostalCode", f"{label} Zip/Postal Code", 20),
            text(f"{prefix}Country", f"{label} Country", 80)]


def person_name(last_required: bool = True) -> list[FieldDef]:
    return [pick("Salutation", "Salutation", SALUTATIONS),
            text("FirstName", "First Name", 40),
            text("LastName", "Last Name", 80, required=last_required),
            readonly(text("Name", "Full Name", 121))]


def make(name: str, label: str, fields: list[FieldDef], **kw: Any) -> ObjectDef:
    owner = name in RECORD_OWNERS
    all_fields = [*system_fields(owner), *fields]
    return ObjectDef(name, label, key_prefix=STANDARD_PREFIXES[name],
                     fields={f.name: f for f in all_fields}, **kw)


def standard_objects() -> list[ObjectDef]:
    user = make("User", "User", [
        text("Username", "Username", 80, required=True, unique=True),
        *person_name(), FieldDef("Email", "Email", "email", 128, required=True),
        text("Alias", "Alias", 8, required=True), flag("IsActive", "Active", True),
        text("TimeZoneSidKey", "Time Zone", 40), text("LocaleSidKey", "Locale", 40),
        text("LanguageLocaleKey", "Language", 40), text("EmailEncodingKey", "Email Encoding", 40),
        readonly(text("ProfileId", "Profile ID", 18)), readonly(text("UserType", "User Type", 40)),
    ], deletable=False)
    account = make("Account", "Account", [
        text("Name", "Account Name", 255, required=True),
        ref("ParentId", "Parent Account ID", ["Account"], "Parent"),
        pick("Type", "Account Type", ["Prospect", "Customer - Direct", "Customer - Channel",
                                      "Partner", "Other"]),
        text("AccountNumber", "Account Number", 40), text("Site", "Account Site", 80),
        FieldDef("Phone", "Account Phone", "phone", 40),
        FieldDef("Fax", "Account Fax", "phone", 40),
        FieldDef("Website", "Website", "url", 255), pick("Industry", "Industry", []),
        pick("AccountSource", "Account Source", LEAD_SOURCES),
        FieldDef("AnnualRevenue", "Annual Revenue", "currency", precision=18, scale=0),
        FieldDef("NumberOfEmployees", "Employees", "int", precision=8),
        area("Description", "Account Description"),
        *address("Billing", "Billing"), *address("Shipping", "Shipping"),
    ], label_plural="Accounts")
    contact = make("Contact", "Contact", [
        *person_name(), ref("AccountId", "Account ID", ["Account"], "Account",
                            cascade_delete=True),
        ref("ReportsToId", "Reports To ID", ["Contact"], "ReportsTo"),
        FieldDef("Email", "Email", "email", 80), FieldDef("Phone", "Business Phone", "phone", 40),
        FieldDef("MobilePhone", "Mobile Phone", "phone", 40),
        FieldDef("HomePhone", "Home Phone", "phone", 40),
        FieldDef("OtherPhone", "Other Phone", "phone", 40),
        FieldDef("Fax", "Business Fax", "phone", 40), text("Title", "Title", 128),
        text("Department", "Department", 80), FieldDef("Birthdate", "Birthdate", "date"),
        pick("LeadSource", "Lead Source", LEAD_SOURCES), area("Description", "Contact Description"),
        flag("HasOptedOutOfEmail", "Email Opt Out"), flag("DoNotCall", "Do Not Call"),
        *address("Mailing", "Mailing"), *address("Other", "Other"),
    ])
    lead = make("Lead", "Lead", [
        *person_name(), text("Company", "Company", 255, required=True),
        text("Title", "Title", 128), FieldDef("Email", "Email", "email", 80),
        FieldDef("Phone", "Phone", "phone", 40),
        FieldDef("MobilePhone", "Mobile Phone", "phone", 40),
        FieldDef("Website", "Website", "url", 255),
        pick("Status", "Status", ["Open - Not Contacted", "Working - Contacted",
                                  "Closed - Converted", "Closed - Not Converted"],
             default="Open - Not Contacted"),
        pick("LeadSource", "Lead Source", LEAD_SOURCES), pick("Industry", "Industry", []),
        pick("Rating", "Rating", ["Hot", "Warm", "Cold"]), area("Description", "Description"),
        readonly(flag("IsConverted", "Converted")), flag("HasOptedOutOfEmail", "Email Opt Out"),
        area("Street", "Street", 255), text("City", "City", 40),
        text("State", "State/Province", 80), text("PostalCode", "Zip/Postal Code", 20),
        text("Country", "Country", 80),
    ])
    product = make("Product2", "Product", [
        text("Name", "Product Name", 255, required=True), text("ProductCode", "Product Code", 255),
        area("Description", "Product Description", 4000),
        pick("Family", "Product Family", [], restricted=True), flag("IsActive", "Active"),
        text("StockKeepingUnit", "Product SKU", 180),
    ])
    pricebook = make("Pricebook2", "Price Book", [
        text("Name", "Price Book Name", 255, required=True), flag("IsActive", "Active"),
        readonly(flag("IsStandard", "Is Standard Price Book")),
        text("Description", "Description", 255),
    ])
    entry = make("PricebookEntry", "Price Book Entry", [
        ref("Pricebook2Id", "Price Book ID", ["Pricebook2"], "Pricebook2", required=True,
            updateable=False, cascade_delete=True),
        ref("Product2Id", "Product ID", ["Product2"], "Product2", required=True,
            updateable=False, cascade_delete=True),
        FieldDef("UnitPrice", "List Price", "currency", precision=16, scale=2, required=True),
        flag("IsActive", "Active"), flag("UseStandardPrice", "Use Standard Price"),
        readonly(text("Name", "Product Name", 255)),
        readonly(text("ProductCode", "Product Code", 255)),
    ], label_plural="Price Book Entries", unique_together=[["Pricebook2Id", "Product2Id"]])
    opportunity = make("Opportunity", "Opportunity", [
        text("Name", "Name", 120, required=True),
        pick("StageName", "Stage", STAGES, required=True, restricted=True),
        FieldDef("CloseDate", "Close Date", "date", required=True),
        ref("AccountId", "Account ID", ["Account"], "Account", cascade_delete=True),
        ref("ContactId", "Contact ID", ["Contact"], "Contact"),
        ref("Pricebook2Id", "Price Book ID", ["Pricebook2"], "Pricebook2"),
        FieldDef("Amount", "Amount", "currency", precision=16, scale=2),
        FieldDef("Probability", "Probability (%)", "percent", precision=3, scale=0),
        pick("Type", "Opportunity Type", ["Existing Business", "New Business"]),
        pick("LeadSource", "Lead Source", LEAD_SOURCES), text("NextStep", "Next Step", 255),
        area("Description", "Description"), readonly(flag("IsClosed", "Closed")),
        readonly(flag("IsWon", "Won")),
    ], label_plural="Opportunities")
    event = make("Event", "Event", [
        FieldDef("Subject", "Subject", "combobox", 255),
        FieldDef("StartDateTime", "Start Date Time", "datetime"),
        FieldDef("EndDateTime", "End Date Time", "datetime"),
        FieldDef("ActivityDateTime", "Due Date Time", "datetime"),
        FieldDef("ActivityDate", "Due Date Only", "date"),
        FieldDef("DurationInMinutes", "Duration", "int", precision=8),
        flag("IsAllDayEvent", "All-Day Event"),
        ref("WhoId", "Name ID", ["Contact", "Lead"], "Who", cascade_delete=True),
        ref("WhatId", "Related To ID", ["Account", "Opportunity"], "What",
            cascade_delete=True),
        text("Location", "Location", 255), area("Description", "Description"),
        pick("ShowAs", "Show Time As", ["Busy", "OutOfOffice", "Free"], default="Busy"),
    ])
    note = make("ContentNote", "Note", [
        text("Title", "Title", 255, required=True),
        FieldDef("Content", "Content", "base64"),
        readonly(text("TextPreview", "Text Preview", 255)),
        readonly(text("FileType", "File Type", 20)),
        readonly(text("FileExtension", "File Extension", 40)),
        readonly(FieldDef("ContentSize", "Size", "int", precision=9)),
        readonly(text("LatestPublishedVersionId", "Latest Published Version ID", 18)),
    ])
    document = make("ContentDocument", "Content Document", [
        text("Title", "Title", 255, required=True),
        readonly(text("FileType", "File Type", 20)),
        readonly(text("FileExtension", "File Extension", 40)),
        readonly(FieldDef("ContentSize", "Size", "int", precision=9)),
        readonly(text("LatestPublishedVersionId", "Latest Published Version ID", 18)),
    ], table="ContentNote", createable=False)
    link = make("ContentDocumentLink", "Content Document Link", [
        ref("ContentDocumentId", "ContentDocument ID", ["ContentDocument"], "ContentDocument",
            required=True, updateable=False, cascade_delete=True),
        ref("LinkedEntityId", "Linked Entity ID",
            ["Account", "Contact", "Lead", "Opportunity", "Product2", "User"], "LinkedEntity",
            required=True, updateable=False, cascade_delete=True),
        pick("ShareType", "Share Type", ["V", "C", "I"], restricted=True, default="V"),
        pick("Visibility", "Visibility", ["AllUsers", "InternalUsers", "SharedUsers"],
             restricted=True, default="AllUsers"),
    ], recyclable=False, unique_together=[["ContentDocumentId", "LinkedEntityId"]])
    permset = make("PermissionSet", "Permission Set", [
        text("Name", "Name", 80, required=True, unique=True),
        text("Label", "Label", 80, required=True), text("Description", "Description", 255),
        readonly(flag("IsOwnedByProfile", "Is Owned By Profile")),
    ], recyclable=False)
    field_perm = make("FieldPermissions", "Field Permissions", [
        ref("ParentId", "Parent ID", ["PermissionSet"], "Parent", required=True,
            updateable=False, cascade_delete=True),
        pick("SobjectType", "Sobject Type Name", [], required=True, updateable=False),
        pick("Field", "Field Name", [], required=True, updateable=False),
        flag("PermissionsRead", "Read Access"), flag("PermissionsEdit", "Edit Access"),
    ], label_plural="Field Permissions", recyclable=False,
        unique_together=[["ParentId", "Field"]])
    object_perm = make("ObjectPermissions", "Object Permissions", [
        ref("ParentId", "Parent ID", ["PermissionSet"], "Parent", required=True,
            updateable=False, cascade_delete=True),
        pick("SobjectType", "SObject Type Name", [], required=True, updateable=False),
        flag("PermissionsRead", "Read Records"), flag("PermissionsCreate", "Create Records"),
        flag("PermissionsEdit", "Edit Records"), flag("PermissionsDelete", "Delete Records"),
        flag("PermissionsViewAllRecords", "Read All Records"),
        flag("PermissionsModifyAllRecords", "Edit All Records"),
    ], label_plural="Object Permissions", recyclable=False,
        unique_together=[["ParentId", "SobjectType"]])
    assignment = make("PermissionSetAssignment", "Permission Set Assignment", [
        ref("AssigneeId", "Assignee ID", ["User"], "Assignee", required=True, updateable=False),
        ref("PermissionSetId", "Permission Set ID", ["PermissionSet"], "PermissionSet",
            required=True, updateable=False, cascade_delete=True),
    ], recyclable=False, unique_together=[["AssigneeId", "PermissionSetId"]])
    return [user, account, contact, lead, product, pricebook, entry, opportunity, event, note,
            document, link, permset, field_perm, object_perm, assignment]
