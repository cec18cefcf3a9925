"""Salesforce record ids: 15 case-sensitive characters plus a 3-character case checksum.

Why the checksum matters to a stand-in: loaders compare, dedupe and join on ids, and real ids
are 18 characters whose last three encode which of the first 15 are upper case, so a tool
that lower-cases ids (a spreadsheet, a case-insensitive database) can still restore them.
A stand-in that handed out arbitrary 18-character strings would let a loader that truncates,
lower-cases or compares 15- with 18-character ids pass its tests and fail on a real org.

Layout of the 15 characters (destinations-2.md §1.12 rule 20 names the prefixes):
``<key prefix 3><pod 2><reserved 1><base-62 counter 9>``, e.g. ``0015g00000A1bCdEFG``-style.
The counter uses Salesforce's base-62 digit order 0-9, A-Z, a-z. Input ids may be 15 or 18
characters; an 18-character id is accepted in any letter case because its suffix says which
letters are upper case (real behaviour); a suffix that is not a checksum character is malformed.
"""

from __future__ import annotations

import re

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
POD = "5g"  # the instance part every id of this org carries
_SHAPE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")

# Standard key prefixes (FieldPermissions 01k and ObjectPermissions 110 as in real orgs); the
# org itself (00D) and the integration user's profile (00e) only appear in the token answer
# and in User rows.
STANDARD_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Opportunity": "006",
    "Product2": "01t",
    "Pricebook2": "01s",
    "PricebookEntry": "01u",
    "User": "005",
    "ContentDocument": "069",
    "ContentNote": "069",  # a note *is* its ContentDocument: same id
    "ContentDocumentLink": "06A",
    "Event": "00U",
    "PermissionSet": "0PS",
    "FieldPermissions": "01k",
    "ObjectPermissions": "110",
    "PermissionSetAssignment": "0Pa",
    "Organization": "00D",
    "Profile": "00e",
}


def checksum(id15: str) -> str:
    """The 3-character suffix: one character per 5-character chunk, bit i = char i is A-Z."""
    out = []
    for chunk in range(3):
        bits = 0
        for i, char in enumerate(id15[chunk * 5:chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << i
        out.append(SUFFIX_CHARS[bits])
    return "".join(out)


def make_id(prefix: str, number: int) -> str:
    """The 18-character id of the ``number``-th record with this key prefix."""
    digits = []
    for _ in range(9):
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    if number:
        raise ValueError("id counter overflow")
    id15 = f"{prefix}{POD}0{''.join(reversed(digits))}"
    return id15 + checksum(id15)


def normalize(value: object) -> str | None:
    """The canonical 18-character form of a 15/18-character id, or None when malformed.

    An 18-character id is case-restored from its suffix, so ``0015G00000A1BCDEFG...`` written
    in upper case still names the record (the suffix is the only case-insensitive part)."""
    if not isinstance(value, str) or not _SHAPE.match(value):
        return None
    if len(value) == 15:
        return value + checksum(value)
    suffix = value[15:].upper()
    if any(c not in SUFFIX_CHARS for c in suffix):
        return None
    chars = list(value[:15])
    for chunk, code in enumerate(suffix):
        bits = SUFFIX_CHARS.index(code)
        for i in range(5):
            pos = chunk * 5 + i
            upper = bool(bits & (1 << i))
            if chars[pos].isalpha():
                chars[pos] = chars[pos].upper() if upper else chars[pos].lower()
            elif upper:
                return None  # the suffix claims a digit is an upper-case letter
    id15 = "".join(chars)
    return id15 + checksum(id15)


def prefix_name(index: int) -> str:
    """The ``index``-th custom-object key prefix: a00, a01, ... a0z, a10, ..."""
    if index >= 62 * 62:
        raise ValueError("custom object key prefixes exhausted")
    high, low = divmod(index, 62)
    return f"a{BASE62[high]}{BASE62[low]}"
