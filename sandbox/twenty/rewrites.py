"""How real Twenty rewrites e-mails, links and phones on write (twenty-real-rules.md 1-4, 11).

A stand-in that stores what it is sent lets a loader pass here and then clash, merge or have a
whole batch refused on a real workspace: real Twenty lower-cases e-mails before the unique
index (rule 1, ``transform-emails-value.util.ts``), stores ``additionalEmails: []`` as null
(rule 2), lower-cases a link's scheme and host and drops one trailing slash (rule 3,
``lowercaseUrlOriginAndRemoveTrailingSlash``), and parses every phone with libphonenumber
(rule 4, ``transform-phones-value.util.ts``): no country, no calling code and no leading ``+``
is a 400 for the whole batch; what is stored is the national significant number with the
calling code (and country, when it can be inferred) filled in.

Generations: v1 (2025) refuses an upper-case e-mail outright with 400, as the short-lived
``validate-email-value-or-throw.util.ts`` of the late-2025 common-API data-arg processor did
(``value !== value.toLowerCase()``); v2 (2026) lower-cases it. Rule 11 (a partial composite
update wipes what it omits, twentyhq/twenty#23024, reported on 2026 builds) is emulated in v2
only, exactly where the transformers rebuild the value: an ``emails`` update without
``primaryEmail`` clears it, a ``phones`` update without ``additionalPhones`` clears them.
Other composites (name, address, currency, links) merge the sent sub-fields in both.

All rewrites are idempotent, so re-running them over stored sub-fields changes nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

from sandbox.twenty.errors import ApiError, bad_request

Row = dict[str, Any]

# isValidUuid of twenty-shared: version nibble 1-5, RFC 4122 variant (rule 6).
CLIENT_UUID_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)
DEFAULT_PORTS = {"http": ":80", "https": ":443"}
WIPED_WHEN_OMITTED = {"EMAILS": "primaryEmail", "PHONES": "additionalPhones"}  # rule 11, v2


def is_valid_uuid(value: Any) -> bool:
    """A standard UUID of version 1 to 5 (a v7 or other hex of the same shape is refused)."""
    return isinstance(value, str) and bool(CLIENT_UUID_RE.match(value))


def wiped_on_update(ftype: str, sent: Row, generation: str) -> str | None:
    """The sub-field a partial update of ``ftype`` clears when it omits it (rule 11), if any."""
    sub = WIPED_WHEN_OMITTED.get(ftype) if generation == "v2" else None
    return sub if sub is not None and sub not in sent else None


# -- e-mails (rules 1 and 2) ------------------------------------------------------------------

def canonical_email(value: str, where: str, generation: str, sent: bool) -> str:
    if sent and generation == "v1" and value != value.lower():
        shown = json.dumps(value)
        raise bad_request(f"Invalid string value {shown} for email field \"{where}\"")
    return value.strip().lower()


def rewrite_emails(out: Row, sent: Row, where: str, generation: str) -> Row:
    primary = out.get("primaryEmail")
    if primary is not None:
        out["primaryEmail"] = canonical_email(primary, where, generation, "primaryEmail" in sent)
    extra = out.get("additionalEmails")
    if extra is not None:
        was_sent = "additionalEmails" in sent
        out["additionalEmails"] = [canonical_email(e, where, generation, was_sent)
                                   for e in extra] or None
    return out


# -- links (rule 3) ---------------------------------------------------------------------------

def canonical_url(url: str) -> str:
    """Lower-case an http(s) URL's origin and drop one trailing slash; anything else as sent
    (real Twenty leaves URLs it cannot parse, and scheme-less ones, untouched)."""
    marker = url.find("://")
    if marker < 0:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.netloc:
        return url
    start = marker + 3
    ends = [i for i in (url.find(c, start) for c in "/?#") if i >= 0]
    host_end = min(ends, default=len(url))
    host = url[start:host_end].lower()
    if host.endswith(DEFAULT_PORTS[scheme]):
        host = host[: -len(DEFAULT_PORTS[scheme])]
    text = f"{scheme}://{host}{url[host_end:]}"
    return text[:-1] if text.endswith("/") else text


def rewrite_links(out: Row) -> Row:
    if out.get("primaryLinkUrl") is not None:
        out["primaryLinkUrl"] = canonical_url(out["primaryLinkUrl"])
    if out.get("secondaryLinks"):
        out["secondaryLinks"] = [
            {**link, "url": canonical_url(link["url"]) if link.get("url") else link.get("url")}
            for link in out["secondaryLinks"]]
    return out


# -- phones (rule 4) --------------------------------------------------------------------------

def _phone_error(message: str) -> ApiError:
    return bad_request(message)


def parse_phone(number: str | None, country: str | None, calling: str | None,
                ) -> tuple[str | None, str | None, str | None]:
    """(national significant number, country, calling code) as real Twenty stores them."""
    calling_int = int(calling[1:]) if calling else None
    if calling_int is not None:
        regions = phonenumbers.region_codes_for_country_code(calling_int)
        if not regions or regions == ("001",):
            raise _phone_error(f"Invalid calling code {calling}")
        if country and country not in regions:
            raise _phone_error("Provided country code and calling code are conflicting")
    if not number:
        return None, country, calling
    region = country
    if region is None and calling_int is not None:
        region = phonenumbers.region_code_for_country_code(calling_int)
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        raise _phone_error(f"Provided phone number is invalid {number}") from None
    if country and parsed.country_code != phonenumbers.country_code_for_region(country):
        raise _phone_error("Provided and inferred country code are conflicting")
    if calling_int is not None and parsed.country_code != calling_int:
        raise _phone_error("Provided and inferred calling code are conflicting")
    national = phonenumbers.national_significant_number(parsed)
    if not country:  # inferred only when not given: the lookup was 8 % of a people batch
        inferred = phonenumbers.region_code_for_number(parsed)
        country = inferred if inferred and inferred not in ("001", "ZZ") else None
    return national, country, calling or f"+{parsed.country_code}"


def rewrite_phones(out: Row) -> Row:
    number, country, calling = parse_phone(out.get("primaryPhoneNumber"),
                                           out.get("primaryPhoneCountryCode"),
                                           out.get("primaryPhoneCallingCode"))
    out.update(primaryPhoneNumber=number, primaryPhoneCountryCode=country,
               primaryPhoneCallingCode=calling)
    extra = out.get("additionalPhones")
    if extra is not None:
        phones = []
        for item in extra:
            n, c, k = parse_phone(item.get("number"), item.get("countryCode"),
                                  item.get("callingCode"))
            phones.append({"number": n, "countryCode": c, "callingCode": k})
        out["additionalPhones"] = phones or None  # [] is stored as null (transformer)
    return out


def rewrite_composite(ftype: str, out: Row, sent: Row, where: str, generation: str) -> Row:
    """Apply real Twenty's write transformer for ``ftype`` to the merged composite value."""
    if ftype == "EMAILS":
        return rewrite_emails(out, sent, where, generation)
    if ftype == "LINKS":
        return rewrite_links(out)
    if ftype == "PHONES":
        return rewrite_phones(out)
    return out
