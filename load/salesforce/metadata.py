"""The Metadata API (SOAP) calls schema setup needs: read, upsert and delete components.

Custom objects can only be created through the Metadata API (Tooling's ``CustomObject`` is
query-only over REST, destinations-2.md §1.5), and picklist values are Metadata changes too,
so one small SOAP client does objects, fields and values alike, at the pinned API version
(``/services/Soap/m/NN.0``) with the OAuth token as the session id. A call carries at most 10
components (the Metadata API's limit for the CRUD calls). ``upsertMetadata`` rather than
``createMetadata``: a call whose connection dropped after the org committed it is simply sent
again (a create would fail the second time with "already exists"). Schema setup only upserts
what ``readMetadata`` or describe showed missing, so nothing a customer built is rewritten.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from load.salesforce.client import SOAP, SalesforceClient, SalesforceError

CHUNK = 10  # components per CRUD call
ENV = "http://schemas.xmlsoap.org/soap/envelope/"
MD = "http://soap.sforce.com/2006/04/metadata"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


class MetadataRefused(RuntimeError):
    """A component the org refused (its fullName and Salesforce's message)."""


@dataclass
class Component:
    """One metadata component: its type (``CustomObject``, ``CustomField``) and its values;
    a list value repeats the element, a dict value nests."""

    type: str
    full_name: str
    values: dict[str, Any] = field(default_factory=dict)


def _ordered(values: dict[str, Any]) -> list[tuple[str, Any]]:
    """``fullName`` first, then alphabetical: the order of the elements in Salesforce's
    metadata WSDL, whose SOAP parser refuses an element out of its place."""
    return sorted(
        ((k, v) for k, v in values.items() if v is not None),
        key=lambda item: (item[0] != "fullName", item[0]),
    )


def _xml(name: str, value: Any) -> str:
    if isinstance(value, list):
        return "".join(_xml(name, item) for item in value)
    if isinstance(value, dict):
        inner = "".join(_xml(k, v) for k, v in _ordered(value))
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def envelope(session_id: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{ENV}" xmlns:xsi="{XSI}" xmlns="{MD}">'
        f"<soapenv:Header><SessionHeader><sessionId>{escape(session_id)}</sessionId>"
        "</SessionHeader></soapenv:Header>"
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )


def _plain(element: ET.Element) -> Any:
    """An element as text, or as a dict of its children (repeated children: a list)."""
    children = list(element)
    if not children:
        return element.text or ""
    out: dict[str, Any] = {}
    for child in children:
        name = child.tag.split("}", 1)[-1]
        value = _plain(child)
        if name in out:
            out[name] = [*out[name], value] if isinstance(out[name], list) else [out[name], value]
        else:
            out[name] = value
    return out


def _results(text: str) -> Iterator[dict[str, Any]]:
    root = ET.fromstring(text)
    fault = root.find(f".//{{{ENV}}}Fault")
    if fault is not None:
        raise MetadataRefused(f"Metadata API fault: {(fault.findtext('faultstring') or '')}")
    body = root.find(f"{{{ENV}}}Body")
    response = next(iter(body)) if body is not None and len(body) else None
    if response is None:
        return
    for result in response.findall(f"{{{MD}}}result"):
        yield _plain(result) if len(result) else {}


def chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class Metadata:
    def __init__(self, client: SalesforceClient) -> None:
        self.client = client

    def _call(self, body: str) -> list[dict[str, Any]]:
        token = self.client.session_id()
        try:
            text = self.client.request(
                "POST",
                SOAP,
                content=envelope(token, body).encode("utf-8"),
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
            )
        except SalesforceError as exc:
            raise MetadataRefused(f"the Metadata API refused the call: {exc}") from exc
        return list(_results(text))

    def read(self, kind: str, full_names: Sequence[str]) -> dict[str, dict[str, Any]]:
        """fullName → the component's values, for those that exist."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunks(full_names):
            names = "".join(_xml("fullNames", n) for n in chunk)
            for result in self._call(f"<readMetadata><type>{kind}</type>{names}</readMetadata>"):
                records = result.get("records")
                for record in records if isinstance(records, list) else [records]:
                    if isinstance(record, dict) and len(record) > 1 and record.get("fullName"):
                        found[str(record["fullName"])] = record
        return found

    def upsert(self, components: Sequence[Component]) -> list[tuple[str, bool]]:
        """(fullName, created) per component; :class:`MetadataRefused` names the first refusal."""
        done: list[tuple[str, bool]] = []
        for chunk in chunks(components):
            body = "".join(
                f'<metadata xsi:type="{c.type}">{_xml("fullName", c.full_name)}'
                + "".join(_xml(k, v) for k, v in _ordered(c.values))
                + "</metadata>"
                for c in chunk
            )
            for result in self._call(f"<upsertMetadata>{body}</upsertMetadata>"):
                self._check(result)
                done.append((str(result.get("fullName")), result.get("created") == "true"))
        return done

    def delete(self, kind: str, full_names: Sequence[str]) -> list[str]:
        """The names deleted (one that no longer exists counts as deleted)."""
        deleted: list[str] = []
        for chunk in chunks(full_names):
            names = "".join(_xml("fullNames", n) for n in chunk)
            body = f"<deleteMetadata><type>{kind}</type>{names}</deleteMetadata>"
            for result in self._call(body):
                errors = _errors(result)
                if errors and not any("INVALID_CROSS_REFERENCE_KEY" in e for e in errors):
                    self._check(result)
                deleted.append(str(result.get("fullName")))
        return deleted

    @staticmethod
    def _check(result: dict[str, Any]) -> None:
        if result.get("success") != "true":
            words = "; ".join(_errors(result)) or "refused without a message"
            raise MetadataRefused(f"{result.get('fullName')}: {words}")


def _errors(result: dict[str, Any]) -> list[str]:
    errors = result.get("errors") or []
    return [
        f"{e.get('statusCode', '')}: {e.get('message', '')}"
        for e in (errors if isinstance(errors, list) else [errors])
        if isinstance(e, dict)
    ]
