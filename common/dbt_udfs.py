"""dbt-duckdb plugin: phone-number UDFs backed by the `phonenumbers` library.

Registered in ``profiles.yml`` (``plugins: - module: common.dbt_udfs``), so every dbt
connection gets:

``parse_phone(raw VARCHAR, region VARCHAR) -> STRUCT``
    Parses one phone number typed by a person, using ``region`` (ISO-3166 alpha-2, e.g.
    ``CA``) for numbers written without an international prefix. Returns a struct with
    ``is_valid`` (the library considers it a real, dialable number), ``national_number``
    (digits without the trunk prefix, as Twenty's ``primaryPhoneNumber`` expects),
    ``country_code`` (the region the number belongs to), ``calling_code`` (``+1``),
    ``e164`` (``+19054546464``, for de-duplication), ``extension`` (or NULL) and
    ``kept_raw_reason``: why the number cannot go into Twenty's PHONES field (unparseable,
    not a real number, or an extension PHONES has no place for), NULL when it can. Real
    Twenty refuses a whole batch (400) over one phone it cannot parse, so the models keep such
    a number as text with this reason instead. Unparseable input returns ``is_valid = false``
    and NULL parts; NULL/blank input returns NULL.

The SQL models decide what to do with invalid numbers (keep them raw and flag them); this
module only answers "what number is this?".
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import duckdb
import phonenumbers
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection, sqltypes

PARSED_PHONE_FIELDS: dict[str, str] = {
    "is_valid": "BOOLEAN",
    "national_number": "VARCHAR",
    "country_code": "VARCHAR",
    "calling_code": "VARCHAR",
    "e164": "VARCHAR",
    "extension": "VARCHAR",
    "kept_raw_reason": "VARCHAR",
}

# phonenumbers' parse errors, in words an engineer reading rawPhones understands
_PARSE_ERRORS: dict[int, str] = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: (
        "no country: no +calling code and no country to read it in"
    ),
    phonenumbers.NumberParseException.NOT_A_NUMBER: "not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
    phonenumbers.NumberParseException.TOO_LONG: "too long",
}

_INVALID: dict[str, Any] = {
    "is_valid": False,
    "national_number": None,
    "country_code": None,
    "calling_code": None,
    "e164": None,
    "extension": None,
    "kept_raw_reason": None,
}


@lru_cache(maxsize=200_000)
def parse_phone(raw: str | None, region: str | None) -> dict[str, Any] | None:
    """Parse one typed phone number; see the module docstring for the result shape."""
    if raw is None or not raw.strip():
        return None
    region_code = (region or "").upper() or None
    try:
        number = phonenumbers.parse(raw, region_code)
    except phonenumbers.NumberParseException as exc:
        reason = _PARSE_ERRORS.get(exc.error_type, "not a phone number")
        return {**_INVALID, "kept_raw_reason": reason}
    # Fast path: most numbers belong to the record's own country, and checking one region is
    # far cheaper than asking the library which region a number belongs to.
    if region_code and phonenumbers.is_valid_number_for_region(number, region_code):
        country = region_code
    elif phonenumbers.is_valid_number(number):
        country = phonenumbers.region_code_for_number(number)
    else:
        read_as = region_code if region_code and not raw.lstrip().startswith("+") else None
        where = f" {read_as}" if read_as else ""
        return {**_INVALID, "kept_raw_reason": f"not a valid{where} phone number"}
    extension = number.extension or None
    return {
        "is_valid": True,
        "national_number": str(number.national_number),
        "country_code": country,
        "calling_code": f"+{number.country_code}",
        "e164": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        "extension": extension,
        "kept_raw_reason": (
            f"extension {extension}: Twenty phones have no place for it" if extension else None
        ),
    }


def parsed_phone_type() -> sqltypes.DuckDBPyType:
    """The DuckDB STRUCT type `parse_phone` returns."""
    return duckdb.struct_type(
        {name: duckdb.sqltype(sql) for name, sql in PARSED_PHONE_FIELDS.items()}
    )


def register_udfs(conn: DuckDBPyConnection) -> None:
    """Register the UDFs on one DuckDB connection (also used by tests outside dbt)."""
    conn.create_function(
        "parse_phone",
        parse_phone,
        [sqltypes.VARCHAR, sqltypes.VARCHAR],
        parsed_phone_type(),
        null_handling="special",
        side_effects=False,
    )


class Plugin(BasePlugin):
    """The dbt-duckdb plugin entry point."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register_udfs(conn)
