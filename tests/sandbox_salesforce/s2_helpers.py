"""Helpers for the Bulk API 2.0 and Metadata API tests: jobs, result files, raw SOAP calls.

They take the logged-in client of ``sf_helpers.login`` (S1's conftest ``api`` fixture)."""

from __future__ import annotations

import csv
import io
import time
import xml.etree.ElementTree as ET
from typing import Any

import httpx

from tests.sandbox_salesforce.sf_helpers import V

JOBS = f"{V}/jobs/ingest"
ENV = "http://schemas.xmlsoap.org/soap/envelope/"
MD = "http://soap.sforce.com/2006/04/metadata"
TERMINAL = ("JobComplete", "Failed", "Aborted")


# -- Bulk API 2.0 -----------------------------------------------------------------------------

def open_job(api: httpx.Client, sobject: str, operation: str, **extra: Any) -> str:
    created = api.post(JOBS, json={"object": sobject, "operation": operation,
                                   "contentType": "CSV", **extra})
    assert created.status_code == 200, created.text
    assert created.json()["state"] == "Open"
    return str(created.json()["id"])


def upload(api: httpx.Client, job_id: str, text: str) -> httpx.Response:
    return api.put(f"{JOBS}/{job_id}/batches", content=text.encode("utf-8"),
                   headers={"Content-Type": "text/csv"})


def set_state(api: httpx.Client, job_id: str, state: str) -> httpx.Response:
    return api.patch(f"{JOBS}/{job_id}", json={"state": state})


def wait(api: httpx.Client, job_id: str) -> tuple[list[str], dict[str, Any]]:
    """Poll until the job ends: (every state seen, the final job info)."""
    seen: list[str] = []
    for _ in range(1200):
        info = api.get(f"{JOBS}/{job_id}").json()
        seen.append(info["state"])
        if info["state"] in TERMINAL:
            return seen, info
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never ended: {seen[-3:]}")


def run_job(api: httpx.Client, sobject: str, operation: str, *uploads: str,
            **extra: Any) -> dict[str, Any]:
    """Create, upload (one PUT per text), close and wait: the final job info."""
    job_id = open_job(api, sobject, operation, **extra)
    for text in uploads:
        answer = upload(api, job_id, text)
        assert answer.status_code == 201, answer.text
    assert set_state(api, job_id, "UploadComplete").status_code == 200
    return wait(api, job_id)[1]


def results(api: httpx.Client, job_id: str, kind: str,
            delimiter: str = ",") -> list[dict[str, str]]:
    """A result file (successfulResults, failedResults, unprocessedrecords) as dict rows; it
    uses the job's column delimiter."""
    answer = api.get(f"{JOBS}/{job_id}/{kind}/")
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.text, newline=""), delimiter=delimiter))


def bulk_batches_left(api: httpx.Client) -> int:
    answer = api.get(f"{V}/limits/")
    assert answer.status_code == 200, answer.text
    return int(answer.json()["DailyBulkApiBatches"]["Remaining"])


def csv_rows(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


# -- Metadata SOAP ----------------------------------------------------------------------------

def soap(api: httpx.Client, call: str, body: str, token: str | None = None) -> httpx.Response:
    """A Metadata API call, whatever it answers (faults included)."""
    session = token if token is not None else api.token  # type: ignore[attr-defined]
    envelope = (f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{ENV}"'
                f' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="{MD}">'
                f"<soapenv:Header><SessionHeader><sessionId>{session}</sessionId>"
                f"</SessionHeader></soapenv:Header><soapenv:Body><{call}>{body}</{call}>"
                "</soapenv:Body></soapenv:Envelope>")
    return httpx.post(f"{api.base_url}/services/Soap/m/60.0", content=envelope.encode(),
                      headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
                      timeout=30)


def soap_results(api: httpx.Client, call: str, body: str) -> list[dict[str, Any]]:
    """The ``result`` elements of an answered (non-fault) call, as nested dicts."""
    answer = soap(api, call, body)
    assert answer.status_code == 200, answer.text
    return [_plain(r) for r in ET.fromstring(answer.content).iter(f"{{{MD}}}result")]


def fault_string(answer: httpx.Response) -> str:
    assert answer.status_code == 500, answer.text
    return ET.fromstring(answer.content).findtext(f".//{{{ENV}}}Fault/faultstring") or ""


def _plain(element: ET.Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in element:
        name = child.tag.split("}", 1)[-1]
        value: Any = _plain(child) if len(child) else (child.text or "")
        if name in out:
            out[name] = [*out[name], value] if isinstance(out[name], list) else [out[name], value]
        else:
            out[name] = value
    return out


def field_xml(full_name: str, mtype: str, **values: Any) -> str:
    """One CustomField component (values in any order: the stand-in, like the adapter's
    client, needs no WSDL order)."""
    inner = "".join(f"<{k}>{str(v).lower() if isinstance(v, bool) else v}</{k}>"
                    for k, v in values.items())
    return (f'<metadata xsi:type="CustomField"><fullName>{full_name}</fullName>'
            f"<label>{full_name.split('.')[-1]}</label><type>{mtype}</type>{inner}</metadata>")


def object_xml(full_name: str) -> str:
    return (f'<metadata xsi:type="CustomObject"><fullName>{full_name}</fullName>'
            "<label>Payment</label><pluralLabel>Payments</pluralLabel><nameField><label>Payment"
            " Name</label><type>Text</type></nameField><deploymentStatus>Deployed"
            "</deploymentStatus><sharingModel>ReadWrite</sharingModel></metadata>")
