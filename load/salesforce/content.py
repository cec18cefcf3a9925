"""ContentNote and ContentDocumentLink: idempotent without an External ID.

Neither object can carry a custom field, so neither can be upserted on ``Bizstim_Id__c``, and
re-running an insert-based loader duplicates notes (destinations-2.md §1.11, pitfall 2). The
decisions:

* **A note carries its Bizstim id in its Title**, as a fixed-form marker at the end:
  ``<title> [bizstim:<external id>]`` (Title holds 255 characters; the mart's title is cut to
  leave room for the marker). Titles are queryable, so one read of the org's marked notes tells
  which notes exist, a note a killed run created is found again by its marker
  (``landed_id``), and a create that lost its connection is settled by reading the markers back
  instead of sending it twice. Reading the note shows the marker; the comparison strips it.
* **A link is the pair (ContentDocumentId, LinkedEntityId)**: Salesforce holds at most one
  link per pair, and both ids come from the ledger (the note's, the linked record's). The
  mart row whose relations resolve to a pair is that link's row, so a link found in the org is
  matched to its external id through the pair. Links are read by ``ContentDocumentId IN
  (…)`` (Salesforce refuses an unfiltered ContentDocumentLink query), 200 ids a query.
* Notes and links are written with sObject Collections create / update, never Bulk: their
  numbers per account are small and a create must be settled by reading back, which a Bulk
  job's asynchronous outcome would only delay.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from typing import Any

TITLE_LIMIT = 255
MARKER = re.compile(r" \[bizstim:([^\]]+)\]$")
LINK_KEY = "Bizstim_Id__c"  # the key the core pairs answers by (never sent to Salesforce)


def marked_title(title: str | None, external_id: str) -> str:
    marker = f" [bizstim:{external_id}]"
    text = (title or "").strip() or "Note"
    return text[: TITLE_LIMIT - len(marker)] + marker


def marker_of(title: str | None) -> str | None:
    """The external id a marked Title carries, or None for a note the migration did not write."""
    match = MARKER.search(title or "")
    return match.group(1) if match else None


def plain_title(title: str | None) -> str | None:
    """A Title without the marker (what the mart's ``Title`` is compared with)."""
    return MARKER.sub("", title) if title else title


def encoded(content: str | None) -> str:
    """ContentNote.Content is base64 of the note's text (plain text, or HTML)."""
    return base64.b64encode((content or "").encode("utf-8")).decode("ascii")


def pair(doc_id: Any, entity_id: Any) -> str | None:
    if not doc_id or not entity_id:
        return None
    return f"{str(doc_id)[:15]}/{str(entity_id)[:15]}"  # 15-character ids compare exactly


def links_by_pair(
    relations: Iterable[tuple[str, str | None, str | None]],
    ids: Mapping[tuple[str, str], str],
    entity_objects: Iterable[str],
) -> dict[str, str]:
    """(ContentDocumentId/LinkedEntityId) → link external id, from the mart's relations
    (external id, note external id, linked record external id) and the ledger's ids."""
    objects = tuple(entity_objects)
    out: dict[str, str] = {}
    for external_id, note, entity in relations:
        doc_id = ids.get(("ContentNote", note)) if note else None
        entity_id = next((ids[(o, entity)] for o in objects if (o, entity) in ids), None)
        key = pair(doc_id, entity_id) if entity else None
        if key:
            out[key] = external_id
    return out
