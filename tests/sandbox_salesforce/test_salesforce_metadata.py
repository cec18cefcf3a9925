"""Metadata API (SOAP) on the shared stand-in: objects and fields as a loader creates them,
idempotent upsert, the 10-component limit, type changes, Product2.Family values, rule 15 end
to end, and the partner API's undelete."""

from __future__ import annotations

import httpx

from tests.sandbox_salesforce.s2_helpers import (
    ENV,
    MD,
    csv_rows,
    fault_string,
    field_xml,
    object_xml,
    results,
    run_job,
    soap,
    soap_results,
)
from tests.sandbox_salesforce.sf_helpers import (
    V,
    create,
    errors,
    grant,
    grant_object,
    query,
    unique,
)


def api_name(prefix: str) -> str:
    return unique(prefix).replace("-", "_")


def read(api: httpx.Client, kind: str, full_name: str) -> dict:
    (result,) = soap_results(api, "readMetadata",
                             f"<type>{kind}</type><fullNames>{full_name}</fullNames>")
    records = result.get("records")
    return records if isinstance(records, dict) else {}


def test_custom_object_and_fields_are_created(api: httpx.Client) -> None:
    obj = api_name("S2_Pay") + "__c"
    created = soap_results(api, "createMetadata", object_xml(obj))
    assert created == [{"fullName": obj, "success": "true"}]
    fields = soap_results(api, "createMetadata", "".join([
        field_xml(f"{obj}.Bizstim_Id__c", "Text", length=80, externalId=True, unique=True),
        field_xml(f"{obj}.Amount__c", "Currency", precision=16, scale=2),
        field_xml(f"{obj}.Paid__c", "Checkbox", defaultValue=False),
        field_xml(f"{obj}.Contact__c", "Lookup", referenceTo="Contact",
                  relationshipName="Contact", deleteConstraint="SetNull"),
        field_xml(f"{obj}.Method__c", "Picklist", valueSet="<restricted>true</restricted>"
                  "<valueSetDefinition><value><fullName>Cash</fullName><default>false</default>"
                  "<label>Cash</label></value></valueSetDefinition>"),
        field_xml(f"{obj}.Flag__c", "Checkbox"),
    ]))
    assert [r["success"] for r in fields] == ["true"] * 5 + ["false"]
    assert fields[-1]["errors"]["statusCode"] == "REQUIRED_FIELD_MISSING"  # no defaultValue
    lookup = read(api, "CustomField", f"{obj}.Contact__c")
    assert (lookup["type"], lookup["referenceTo"], lookup["relationshipName"]) == \
        ("Lookup", "Contact", "Contact")
    assert read(api, "CustomObject", obj)["pluralLabel"] == "Payments"
    assert read(api, "CustomField", f"{obj}.Nope__c") == {}
    grant_object(api, api.permission_set, obj)  # type: ignore[attr-defined]
    described = api.get(f"{V}/sobjects/{obj}/describe")
    assert described.status_code == 200, described.text
    assert described.json()["custom"] is True

    # the new object takes Bulk rows, its parent named through the custom relationship
    for name in ("Bizstim_Id__c", "Amount__c", "Contact__c"):
        grant(api, api.permission_set, obj, name)  # type: ignore[attr-defined]
    contact = unique("PAYER")
    create(api, "Contact", LastName="Payer", Bizstim_Id__c=contact)
    job = run_job(api, obj, "upsert", csv_rows("Bizstim_Id__c,Name,Amount__c,"
                                               "Contact__r.Bizstim_Id__c",
                                               [f"{contact}-p,First payment,12.50,{contact}"]),
                  externalIdFieldName="Bizstim_Id__c")
    assert (job["state"], job["numberRecordsFailed"]) == ("JobComplete", 0)
    payment = query(api, f"SELECT Amount__c, Contact__r.LastName FROM {obj}")["records"][0]
    assert (payment["Amount__c"], payment["Contact__r"]["LastName"]) == (12.5, "Payer")


def test_upsert_is_idempotent(api: httpx.Client) -> None:
    full_name = f"Contact.{api_name('S2_Note')}__c"
    component = field_xml(full_name, "LongTextArea", length=32000, visibleLines=5)
    first = soap_results(api, "upsertMetadata", component)
    second = soap_results(api, "upsertMetadata", component)
    assert [(r["created"], r["success"]) for r in first + second] == \
        [("true", "true"), ("false", "true")]
    assert read(api, "CustomField", full_name)["length"] == "32000"
    again = soap_results(api, "createMetadata", component)
    assert again[0]["errors"]["statusCode"] == "DUPLICATE_DEVELOPER_NAME"


def test_at_most_ten_components_of_one_type(api: httpx.Client) -> None:
    base = api_name("S2_Ten")
    eleven = [field_xml(f"Lead.{base}_{i}__c", "Text", length=20) for i in range(11)]
    fault = fault_string(soap(api, "createMetadata", "".join(eleven)))
    assert fault.startswith("EXCEEDED_ID_LIMIT: record limit reached. cannot submit more "
                            "than 10 records")
    assert read(api, "CustomField", f"Lead.{base}_0__c") == {}  # nothing of the call happened
    done = soap_results(api, "createMetadata", "".join(eleven[:10]))
    assert [r["success"] for r in done] == ["true"] * 10
    mixed = soap(api, "createMetadata", object_xml(api_name("S2_Mix") + "__c") + eleven[10])
    assert fault_string(mixed).startswith("INVALID_TYPE:")


def test_a_type_change_that_would_lose_values_is_refused(api: httpx.Client) -> None:
    full_name = f"Account.{api_name('S2_Code')}__c"
    soap_results(api, "createMetadata", field_xml(full_name, "Text", length=20))
    (refused,) = soap_results(api, "updateMetadata",
                              field_xml(full_name, "Number", precision=10, scale=0))
    assert refused["success"] == "false"
    assert refused["errors"]["statusCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert "from Text to Number" in refused["errors"]["message"]
    assert read(api, "CustomField", full_name)["type"] == "Text"
    (widened,) = soap_results(api, "updateMetadata",
                              field_xml(full_name, "LongTextArea", length=1000, visibleLines=3))
    assert widened["success"] == "true"
    assert read(api, "CustomField", full_name)["type"] == "LongTextArea"


def test_new_field_is_invisible_until_granted(api: httpx.Client) -> None:
    """Rule 15 end to end: created through Metadata, the field is 'No such column' to REST
    and unknown to a Bulk header until a FieldPermissions row grants it."""
    name = api_name("S2_Vis") + "__c"
    soap_results(api, "createMetadata", field_xml(f"Account.{name}", "Text", length=40))
    hidden = errors(api.post(f"{V}/sobjects/Account", json={"Name": "Vis", name: "x"}))
    assert hidden[0]["errorCode"] == "INVALID_FIELD"
    assert f"No such column '{name}' on sobject of type Account" in hidden[0]["message"]
    job = run_job(api, "Account", "insert", csv_rows(f"Name,{name}", ["Vis,x"]))
    assert job["errorMessage"] == f"InvalidBatch : Field name not found : {name}"
    grant(api, api.permission_set, "Account", name)  # type: ignore[attr-defined]
    record = create(api, "Account", Name="Vis", **{name: "seen"})
    assert query(api, f"SELECT {name} FROM Account WHERE Id = '{record}'")["records"][0][name] \
        == "seen"
    job = run_job(api, "Account", "insert", csv_rows(f"Name,{name}", ["Vis,bulk"]))
    assert (job["state"], job["numberRecordsFailed"]) == ("JobComplete", 0)
    assert len(results(api, job["id"], "successfulResults")) == 1


def test_product_family_values_come_from_the_standard_value_set(api: httpx.Client) -> None:
    """Product2.Family is restricted: a value exists once StandardValueSet Product2Family,
    whose update replaces the whole list, holds it."""
    family = unique("Group")
    refused = errors(api.post(f"{V}/sobjects/Product2", json={"Name": "P", "Family": family}))
    assert refused[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    current = read(api, "StandardValueSet", "Product2Family").get("standardValue") or []
    kept = [v["fullName"] for v in (current if isinstance(current, list) else [current])]
    values = "".join(f"<standardValue><fullName>{v}</fullName><default>false</default>"
                     f"<label>{v}</label></standardValue>" for v in [*kept, family])
    (saved,) = soap_results(api, "upsertMetadata", '<metadata xsi:type="StandardValueSet">'
                            f"<fullName>Product2Family</fullName><sorted>false</sorted>{values}"
                            "</metadata>")
    assert (saved["success"], saved["created"]) == ("true", "false")
    create(api, "Product2", Name="P", Family=family)
    (standard,) = soap_results(api, "updateMetadata", field_xml(
        "Product2.Family", "Picklist", valueSet="<valueSetDefinition><value><fullName>X"
        "</fullName></value></valueSetDefinition>"))
    assert "StandardValueSet Product2Family" in standard["errors"]["message"]


def test_bad_session_and_unknown_call_are_faults(api: httpx.Client) -> None:
    assert fault_string(soap(api, "readMetadata", "<type>CustomObject</type>", token="nope")) \
        .startswith("INVALID_SESSION_ID:")
    assert fault_string(soap(api, "renameMetadata", "")) == \
        f"No operation available for request {{{MD}}}renameMetadata"


def test_partner_undelete_restores_a_deleted_record(api: httpx.Client) -> None:
    record = create(api, "Account", Name=unique("Undeleted"))
    assert api.delete(f"{V}/sobjects/Account/{record}").status_code == 204
    envelope = (f'<soapenv:Envelope xmlns:soapenv="{ENV}" xmlns:urn="urn:partner.soap.sforce'
                f'.com"><soapenv:Header><urn:SessionHeader><urn:sessionId>{api.token}'  # type: ignore[attr-defined]
                "</urn:sessionId></urn:SessionHeader></soapenv:Header><soapenv:Body>"
                f"<urn:undelete><urn:ids>{record}</urn:ids><urn:ids>001000000000000AAA</urn:ids>"
                "</urn:undelete></soapenv:Body></soapenv:Envelope>")
    answer = api.post("/services/Soap/u/60.0", content=envelope,
                      headers={"Content-Type": "text/xml", "SOAPAction": '""'})
    assert answer.status_code == 200, answer.text
    assert answer.text.count("<success>true</success>") == 1
    assert answer.text.count("<success>false</success>") == 1
    assert query(api, f"SELECT Id FROM Account WHERE Id = '{record}'")["totalSize"] == 1
