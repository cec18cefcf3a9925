"""Schema setup against an org: idempotent, conflicts named, invisible fields made visible or
reported, a new custom object granted to the integration user (ObjectPermissions), and a field
whose access is taken away later stops the load naming it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from load.core.destination import SchemaConflict
from load.core.ledger import Ledger
from load.core.run import SchemaRefused
from load.core.specs import LoadSpec
from load.salesforce.collections import Collections
from load.salesforce.metadata import Component, Metadata
from load.salesforce.schema import SchemaSetup, remove_schema
from load.salesforce.specs import API_NAME, EXTERNAL_ID
from load.salesforce.wanted import WantedField, WantedObject
from tests.load_salesforce.conftest import (
    CUSTOM_OBJECTS,
    Org,
    key_field,
    planned,
    set_up,
    start_org,
    writer,
)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    running = start_org(tmp_path_factory.mktemp("schema-org"))
    yield running
    running.server.stop()


def picklist(obj: str, name: str) -> WantedField:
    return WantedField(obj, name, "Picklist", "Status", picklist_values=("Active", "Inactive"))


def test_a_second_setup_creates_nothing_and_writes_nothing(org: Org, tmp_path: Path):
    client = org.client()
    fields = [key_field("Lead"), picklist("Lead", "Kit_Status__c")]
    first, ledger = set_up(client, tmp_path, fields)
    assert first.created_fields == ["Lead.Bizstim_Id__c", "Lead.Kit_Status__c"]
    kinds = sorted({r["kind"] for r in ledger.schema_created()})
    assert kinds == ["field", "field_permission", "permission_assignment", "permission_set"]
    since = len(org.server.requests())
    second, _ = set_up(client, tmp_path, fields, "second")
    assert (second.created_objects, second.created_fields) == ([], [])
    assert [r for r in org.server.requests(since) if r["method"] != "GET"] == []


def test_an_existing_field_of_another_type_is_a_conflict_naming_it(org: Org, tmp_path: Path):
    client = org.client()
    Metadata(client).upsert(
        [
            Component(
                "CustomField",
                "Contact.Kit_Tier__c",
                {"label": "Tier", "type": "Text", "length": 10},
            )
        ]
    )
    with pytest.raises(SchemaConflict) as conflict:
        set_up(client, tmp_path, [picklist("Contact", "Kit_Tier__c")])
    message = str(conflict.value)
    assert "Contact.Kit_Tier__c" in message and "string" in message and "Picklist" in message


def test_an_existing_key_that_is_not_an_external_id_is_a_conflict(org: Org, tmp_path: Path):
    client = org.client()
    Metadata(client).upsert(
        [
            Component(
                "CustomField",
                f"Product2.{EXTERNAL_ID}",
                {"label": "Id", "type": "Text", "length": 80},
            )
        ]
    )
    with pytest.raises(SchemaConflict, match=r"Product2\.Bizstim_Id__c .*not an External ID"):
        set_up(client, tmp_path, [key_field("Product2")])


def test_a_field_whose_access_was_taken_away_stops_the_load_naming_it(org: Org, tmp_path: Path):
    client = org.client()
    field = WantedField("Account", "Kit_Note__c", "Text", "Note", 40)
    _, ledger = set_up(client, tmp_path, [key_field("Account"), field])
    row = next(r for r in ledger.schema_created() if r["name"] == "Account.Kit_Note__c")
    Collections(client).delete([row["metadata_id"]])  # someone removes our FieldPermissions
    batch = planned("Account", [{EXTERNAL_ID: "fls:1", "Name": "A", "Kit_Note__c": "x"}])
    with pytest.raises(SchemaRefused, match="No such column 'Kit_Note__c'"):
        writer(client).write(LoadSpec("Account", "x", payload_names=API_NAME), batch)


def test_a_new_custom_object_is_granted_once_and_removed_with_the_schema(org: Org, tmp_path: Path):
    """The API-only integration user cannot use an object the Metadata API just created:
    setup grants it ObjectPermissions (records then land), a rerun grants nothing, and
    rollback --schema takes the grant away with the object."""
    client = org.client()
    thing = WantedObject("Kit_Thing__c", "Kit Thing", "Kit Things", "Kit Thing Name")
    ledger = Ledger(tmp_path / "objects.duckdb", destination="salesforce")

    def setup() -> None:
        SchemaSetup(client, ledger).run("run", [thing], [key_field(thing.name)], [], CUSTOM_OBJECTS)

    setup()
    granted = [r for r in ledger.schema_created() if r["kind"] == "object_permission"]
    assert [r["name"] for r in granted] == ["Kit_Thing__c"]
    (row,) = org.hook("snapshot")["records"]["ObjectPermissions"]
    flags = ("Read", "Create", "Edit", "Delete", "ViewAllRecords", "ModifyAllRecords")
    assert all(row[f"Permissions{flag}"] for flag in flags)
    batch = planned(thing.name, [{EXTERNAL_ID: "obj:1", "Name": "First"}])
    answer = writer(client).write(LoadSpec(thing.name, "x", payload_names=API_NAME), batch)
    assert not answer.refused and len(answer.records) == 1

    since = len(org.server.requests())
    setup()
    assert [r for r in org.server.requests(since) if r["method"] != "GET"] == []

    removed = remove_schema(client, ledger)
    assert "object_permission Kit_Thing__c" in removed
    assert not org.hook("snapshot")["records"].get("ObjectPermissions")
