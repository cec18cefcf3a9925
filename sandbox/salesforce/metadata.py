"""The Metadata API over SOAP (``POST /services/Soap/m/{version}``), plus the partner API's
``undelete`` (``POST /services/Soap/u/{version}``), for the Salesforce stand-in.

Why SOAP at all: custom objects exist only through the Metadata API (destinations-2.md §1.5:
the Tooling ``CustomObject`` is read-only), and a loader that builds ``Bizstim_Payment__c``,
its fields, External IDs and picklist values must meet the envelope, the SessionHeader and the
result shapes a real org answers. Calls served: ``createMetadata``, ``updateMetadata``,
``upsertMetadata``, ``readMetadata``, ``deleteMetadata``, ``listMetadata`` for CustomObject,
CustomField and StandardValueSet (``metadata_types``/``metadata_ops`` hold the rules).

Envelope rules (SOAP 1.1, namespace ``http://soap.sforce.com/2006/04/metadata``):

* ``SessionHeader/sessionId`` is the OAuth access token; the app (``SalesforceApp.handle``)
  checks it before this module runs and answers a missing or unknown one with the fault
  ``sf:INVALID_SESSION_ID`` "Invalid Session ID found in SessionHeader: Illegal Session".
* At most 10 components (or fullNames) per call, as the Metadata API documents: more is the
  fault ``sf:EXCEEDED_ID_LIMIT`` "record limit reached. cannot submit more than 10 records in
  this operation" (the wording users meet). A create/update/upsert must hold one type only
  (the createMetadata page: "arrays of only one type of component"): mixing is the fault
  ``sf:INVALID_TYPE``, so a loader creates an object in one call and its fields in the next.
* Components are independent (no AllOrNoneHeader): each gets its own SaveResult /
  UpsertResult / DeleteResult with ``success``, ``fullName`` (``created`` for upsert) and
  ``errors {fields, message, statusCode}``, in input order.
* Faults answer HTTP 500 with ``text/xml`` (SOAP 1.1); an unknown operation is the
  ``soapenv:Client`` fault "No operation available for request {ns}name"; a body that is not
  XML is ``soapenv:Client`` too.
* Partner ``undelete``: up to 200 ids (fault ``sf:EXCEEDED_ID_LIMIT`` beyond, as for every
  partner call), results ``{id, success, errors}`` in input order from the record engine's
  ``undelete``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from sandbox.httpbase import Request, Response
from sandbox.salesforce import metadata_types as mt
from sandbox.salesforce.metadata_ops import TYPES, Components
from sandbox.salesforce.metadata_types import ComponentError, child, children, local, text

if TYPE_CHECKING:
    from sandbox.salesforce.org import Org

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "urn:partner.soap.sforce.com"
XML_TYPE = "text/xml; charset=utf-8"
MAX_COMPONENTS = 10
MAX_UNDELETE = 200
ET.register_namespace("soapenv", SOAP_ENV)
ET.register_namespace("xsi", mt.XSI)


class Fault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _envelope(payload: ET.Element) -> bytes:
    envelope = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    ET.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(payload)
    return b'<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(envelope, encoding="utf-8",
                                                                  xml_declaration=False)


def _fault_response(fault: Fault, namespace: str) -> Response:
    node = ET.Element(f"{{{SOAP_ENV}}}Fault")
    code = fault.code if ":" in fault.code else f"sf:{fault.code}"
    if code.startswith("sf:"):
        node.set("xmlns:sf", namespace)
    ET.SubElement(node, "faultcode").text = code
    message = fault.message
    if code.startswith("sf:"):
        message = f"{code[3:]}: {fault.message}"
    ET.SubElement(node, "faultstring").text = message
    return Response(500, _envelope(node), content_type=XML_TYPE)


def _result(parent: ET.Element, error: ComponentError | None, **fields: Any) -> None:
    """One SaveResult-like element: errors first, then the fields in alphabetical order."""
    result = ET.SubElement(parent, "result")
    if "created" in fields:
        ET.SubElement(result, "created").text = str(fields.pop("created")).lower()
    if error is not None:
        errors = ET.SubElement(result, "errors")
        for name in error.fields:
            ET.SubElement(errors, "fields").text = name
        ET.SubElement(errors, "message").text = error.message
        ET.SubElement(errors, "statusCode").text = error.code
    for name, value in fields.items():
        ET.SubElement(result, name).text = value
    ET.SubElement(result, "success").text = "false" if error else "true"


class MetadataApi:
    def __init__(self, org: Org) -> None:
        self.org = org

    def handle(self, request: Request) -> Response:
        partner = "/Soap/u/" in request.path
        namespace = PARTNER if partner else mt.NS
        try:
            if request.method != "POST":
                raise Fault("soapenv:Client", "SOAP requests are POSTed")
            try:
                envelope = ET.fromstring(request.body)
            except ET.ParseError as exc:
                raise Fault("soapenv:Client", f"Unable to parse the request: {exc}") from None
            body = child(envelope, "Body")
            operation = body[0] if body is not None and len(body) else None
            if operation is None:
                raise Fault("soapenv:Client", "The SOAP Body holds no operation")
            name = local(operation.tag)
            handler = self._partner_call if partner else self._metadata_call
            answer = ET.Element(f"{name}Response", {"xmlns": namespace})
            handler(name, operation, answer)
            return Response(200, _envelope(answer), content_type=XML_TYPE)
        except Fault as fault:
            return _fault_response(fault, namespace)

    # -- Metadata API ------------------------------------------------------------------------

    def _metadata_call(self, name: str, operation: ET.Element, answer: ET.Element) -> None:
        components = Components(self.org)
        if name in ("createMetadata", "updateMetadata", "upsertMetadata"):
            items = children(operation, "metadata")
            self._limit(len(items))
            kinds = {self._type_of(item) for item in items}
            if len(kinds) > 1:
                raise Fault("INVALID_TYPE", "Cannot mix metadata types in one call: "
                            + ", ".join(sorted(kinds)))
            with self.org.lock:
                for item in items:
                    self._save(components, name, item, answer)
        elif name in ("readMetadata", "deleteMetadata"):
            mtype = self._known(text(operation, "type") or "")
            full_names = [(n.text or "").strip() for n in children(operation, "fullNames")]
            self._limit(len(full_names))
            with self.org.lock:
                if name == "readMetadata":
                    result = ET.SubElement(answer, "result")
                    for full_name in full_names:
                        components.read(result, mtype, full_name)
                    return
                for full_name in full_names:
                    error = None
                    try:
                        components.delete(mtype, full_name)
                    except ComponentError as exc:
                        error = exc
                    _result(answer, error, fullName=full_name)
        elif name == "listMetadata":
            queries = children(operation, "queries")
            self._limit(len(queries), 3)
            with self.org.lock:
                for query in queries:
                    mtype = self._known(text(query, "type") or "")
                    for full_name in components.names(mtype):
                        self._file_properties(answer, mtype, full_name)
        else:
            raise Fault("soapenv:Client",
                        f"No operation available for request {{{mt.NS}}}{name}")

    def _save(self, components: Components, call: str, item: ET.Element,
              answer: ET.Element) -> None:
        mtype = self._type_of(item)
        full_name = text(item, "fullName") or ""
        error, created = None, False
        try:
            if not full_name:
                raise mt.missing("fullName", mtype)
            if call == "createMetadata":
                components.create(mtype, item, full_name)
            elif call == "updateMetadata":
                components.update(mtype, item, full_name)
            else:
                created = components.upsert(mtype, item, full_name)
        except ComponentError as exc:
            error = exc
        if call == "upsertMetadata":
            _result(answer, error, created=created and error is None, fullName=full_name)
        else:
            _result(answer, error, fullName=full_name)

    def _type_of(self, item: ET.Element) -> str:
        declared = item.get(f"{{{mt.XSI}}}type") or ""
        if not declared:
            raise Fault("INVALID_TYPE", "Must specify a type attribute value for the metadata "
                        "element")
        return self._known(declared.rsplit(":", 1)[-1])

    def _known(self, mtype: str) -> str:
        if mtype not in TYPES:
            raise Fault("INVALID_TYPE", f"This stand-in serves {', '.join(TYPES)}, not "
                        f"'{mtype}'")
        return mtype

    def _limit(self, count: int, maximum: int = MAX_COMPONENTS) -> None:
        if count > maximum:
            raise Fault("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than "
                        f"{maximum} records in this operation")

    def _file_properties(self, answer: ET.Element, mtype: str, full_name: str) -> None:
        result = ET.SubElement(answer, "result")
        folder = {"CustomObject": "objects", "CustomField": "objects",
                  "StandardValueSet": "standardValueSets"}[mtype]
        stem = full_name.split(".")[0]
        suffix = "standardValueSet" if mtype == "StandardValueSet" else "object"
        ET.SubElement(result, "fileName").text = f"{folder}/{stem}.{suffix}"
        ET.SubElement(result, "fullName").text = full_name
        ET.SubElement(result, "manageableState").text = "unmanaged"
        ET.SubElement(result, "type").text = mtype

    # -- partner API: undelete ---------------------------------------------------------------

    def _partner_call(self, name: str, operation: ET.Element, answer: ET.Element) -> None:
        if name != "undelete":
            raise Fault("soapenv:Client", f"No operation available for request "
                        f"{{{PARTNER}}}{name}")
        record_ids = [(n.text or "").strip() for n in children(operation, "ids")]
        if len(record_ids) > MAX_UNDELETE:
            raise Fault("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than "
                        f"{MAX_UNDELETE} records into this call")
        with self.org.lock:
            outcomes = self.org.engine.undelete(record_ids)
        for record_id, outcome in zip(record_ids, outcomes, strict=True):
            result = ET.SubElement(answer, "result")
            for error in outcome.errors:
                node = ET.SubElement(result, "errors")
                for field_name in error.get("fields") or []:
                    ET.SubElement(node, "fields").text = field_name
                ET.SubElement(node, "message").text = error["message"]
                ET.SubElement(node, "statusCode").text = error["statusCode"]
            ET.SubElement(result, "id").text = outcome.id or record_id
            ET.SubElement(result, "success").text = str(bool(outcome.success)).lower()
