"""Infer a Twenty field type and name for a Bizstim custom field from its definition and values.

The value rules are the ones dbt applies (models/intermediate/int_people__custom_values.sql), so
a value this module counts as parsing is a value the build sends, and every value counted as
not parsing ends up in migration__quarantine:

* NUMBER  plain decimal (``12``, ``-7.5``, ``1e3``); ``n/a``, ``1,5``, ``1_000`` do not parse
* DATE    ``YYYY-MM-DD`` that is a real day (MySQL's ``0000-00-00`` is not)
* BOOLEAN ``1/0``, ``true/false``, ``yes/no`` in any case
* SELECT  exactly one of the options; the option *value* sent is the label in UPPER_SNAKE
  (macro ``to_option_value``), which must be non-empty and distinct per option
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FIELD_TYPES = ("TEXT", "NUMBER", "DATE", "BOOLEAN", "SELECT")
TYPE_OF_BIZSTIM_TYPE = {
    "text": "TEXT",
    "textarea": "TEXT",
    "number": "NUMBER",
    "date": "DATE",
    "checkbox": "BOOLEAN",
    "select": "SELECT",
}
# A declared NUMBER/DATE/BOOLEAN/SELECT stays that type while at least this share of the
# values parse; below it the field is proposed as TEXT so that no value is lost.
KEEP_DECLARED_SHARE = 0.5
# A free-text field is proposed as a stricter type only when nearly every value fits it ...
RETYPE_TEXT_SHARE = 0.95
# ... and there are enough values to say so.
MIN_VALUES_TO_RETYPE = 5
# A free-text field becomes a SELECT when it has few distinct short values, each repeated.
MAX_SELECT_OPTIONS = 12
MIN_REPEATS_PER_OPTION = 3
MAX_OPTION_LENGTH = 50
EXAMPLES_SHOWN = 3

NUMBER_PATTERN = re.compile(r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?")
BOOLEAN_WORDS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def parses_as_number(value: str) -> bool:
    return NUMBER_PATTERN.fullmatch(value) is not None


def parses_as_date(value: str) -> bool:
    try:
        dt.datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def parses_as_boolean(value: str) -> bool:
    return value.lower() in BOOLEAN_WORDS


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def upper_snake(text: str) -> str:
    # DuckDB's upper() maps one character to one ("ß" stays a non-ASCII letter, not "SS")
    upper = "".join(ch.upper() if len(ch.upper()) == 1 else ch for ch in strip_accents(text))
    return re.sub(r"[^A-Z0-9]+", "_", upper).strip("_")


def option_value(label: str, field_name: str) -> str:
    """The SELECT option value dbt sends for ``label`` (macros ``to_option_value`` and
    ``option_prefix``): labels whose first alphanumeric is a digit get the field's prefix."""
    prefix = ""
    if re.match(r"^[^A-Za-z]*[0-9]", strip_accents(label)):
        prefix = re.sub(r"([a-z])([A-Z])", r"\1_\2", field_name).upper() + "_"
    return prefix + upper_snake(label)


def option_value_problems(labels: Sequence[str], field_name: str) -> list[str]:
    """Why these labels cannot be the options of one SELECT field (empty list: they can)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for label in labels:
        value = option_value(label, field_name)
        if not value:
            problems.append(f"option {shown(label)} has no ASCII letter or digit")
        elif value in seen:
            problems.append(f"options {shown(seen[value])} and {shown(label)} both become {value}")
        else:
            seen[value] = label
    return problems


def shown(value: str, limit: int = 40) -> str:
    """A value quoted on one line for evidence text."""
    flat = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return f"'{flat}'"


def examples(values: Iterable[str]) -> str:
    counts = Counter(values)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    parts = [f"{shown(value)} ({count}x)" for value, count in ordered[:EXAMPLES_SHOWN]]
    if len(ordered) > EXAMPLES_SHOWN:
        parts.append(f"{len(ordered) - EXAMPLES_SHOWN} more distinct")
    return ", ".join(parts)


@dataclass(frozen=True)
class Inference:
    target_field_type: str
    select_options: tuple[str, ...]  # only when the options are not the definition's own
    evidence: str


def _fit_report(values: Sequence[str], misfits: list[str], what: str) -> str:
    text = f"{len(values) - len(misfits)}/{len(values)} sampled values {what}"
    if misfits:
        verb = "does" if len(misfits) == 1 else "do"
        text += f"; {len(misfits)} {verb} not (quarantined by dbt): {examples(misfits)}"
    return text


def _misfits(target_field_type: str, values: Sequence[str], options: Sequence[str]) -> list[str]:
    if target_field_type == "NUMBER":
        return [v for v in values if not parses_as_number(v)]
    if target_field_type == "DATE":
        return [v for v in values if not parses_as_date(v)]
    if target_field_type == "BOOLEAN":
        return [v for v in values if not parses_as_boolean(v)]
    if target_field_type == "SELECT":
        allowed = set(options)
        return [v for v in values if v not in allowed]
    return []


def _distinct_as_options(values: Sequence[str]) -> list[str] | None:
    """The distinct values as SELECT options, or None when they do not look like a choice."""
    counts = Counter(values)
    if not 1 <= len(counts) <= MAX_SELECT_OPTIONS:
        return None
    if len(values) < MIN_REPEATS_PER_OPTION * len(counts):
        return None
    if any("|" in v or "\n" in v or len(v) > MAX_OPTION_LENGTH for v in counts):
        return None
    return sorted(counts, key=lambda v: (v.casefold(), v))


def _declared(
    declared: str, field_name: str, values: Sequence[str], definition_options: Sequence[str]
) -> Inference | None:
    """The declared (non-TEXT) type when the values bear it out, else None."""
    options: Sequence[str] = definition_options
    own_options: tuple[str, ...] = ()
    if declared == "SELECT" and not options:
        distinct = _distinct_as_options(values)
        if distinct is None:
            return None
        options, own_options = distinct, tuple(distinct)
    if declared == "SELECT":
        problems = option_value_problems(options, field_name)
        if problems:
            return None
    misfits = _misfits(declared, values, options)
    if values and len(values) - len(misfits) < KEEP_DECLARED_SHARE * len(values):
        return None
    what = f"are options ({'|'.join(options)})" if declared == "SELECT" else f"parse as {declared}"
    report = _fit_report(values, misfits, what) if values else "no values in the sample"
    return Inference(declared, own_options, report)


def _why_not_declared(
    declared: str, field_name: str, values: Sequence[str], definition_options: Sequence[str]
) -> str:
    if declared == "SELECT" and not definition_options:
        return f"it has no options and its {len(set(values))} distinct values do not look like one"
    if declared == "SELECT" and option_value_problems(definition_options, field_name):
        return "; ".join(option_value_problems(definition_options, field_name))
    misfits = _misfits(declared, values, definition_options)
    what = (
        f"are options ({'|'.join(definition_options)})"
        if declared == "SELECT"
        else (f"parse as {declared}")
    )
    return f"only {_fit_report(values, misfits, what)}"


def infer_type(
    bizstim_type: str | None,
    definition_options: Sequence[str],
    values: Sequence[str],
    field_name: str,
) -> Inference:
    """Propose a Twenty type for one custom field.

    ``values``: the non-empty (trimmed) sampled values; ``field_name``: the proposed Twenty
    field name (it prefixes option values that start with a digit).
    """
    kind = (bizstim_type or "").strip().lower()
    declared = TYPE_OF_BIZSTIM_TYPE.get(kind, "TEXT")
    origin = f"Bizstim type {kind or '?'}"
    if declared != "TEXT":
        kept = _declared(declared, field_name, values, definition_options)
        if kept is not None:
            return Inference(
                kept.target_field_type, kept.select_options, f"{origin}; {kept.evidence}"
            )
        reason = _why_not_declared(declared, field_name, values, definition_options)
        return Inference("TEXT", (), f"{origin} but {reason}; proposing TEXT so no value is lost")
    if len(values) >= MIN_VALUES_TO_RETYPE:
        for candidate in ("BOOLEAN", "DATE", "NUMBER"):
            misfits = _misfits(candidate, values, ())
            if len(values) - len(misfits) >= RETYPE_TEXT_SHARE * len(values):
                report = _fit_report(values, misfits, f"parse as {candidate}")
                return Inference(candidate, (), f"{origin}; {report}")
        distinct = _distinct_as_options(values) if kind != "textarea" else None
        if distinct is not None and not option_value_problems(distinct, field_name):
            report = (
                f"{len(values)} sampled values take only {len(distinct)} distinct values: "
                f"{'|'.join(distinct)}"
            )
            return Inference("SELECT", tuple(distinct), f"{origin}; {report}")
    distinct_count = len(set(values))
    summary = f"{len(values)} sampled values, {distinct_count} distinct" if values else "no values"
    return Inference("TEXT", (), f"{origin}; {summary}; kept as text")


# Twenty's reserved words for object and field names (dbt test twenty_names_are_valid).
RESERVED_NAMES = frozenset(
    {
        *("user", "users", "workspace", "workspaces", "role", "roles", "job", "jobs"),
        *("plan", "plans", "event", "events", "field", "fields", "link", "links"),
        *("currency", "currencies", "fullname", "fullnames", "address", "addresses"),
        *("type", "types", "object", "objects", "index", "relation", "relations"),
        *("aggregate", "featureflag", "featureflags"),
    }
)
# Standard fields every Twenty person has, and the loader's upsert key: never reuse these.
TWENTY_PERSON_FIELDS = frozenset(
    {
        *("id", "name", "emails", "phones", "city", "jobTitle", "avatarUrl", "position"),
        *("linkedinLink", "xLink", "whatsapp", "company", "companyId", "createdBy"),
        *("createdAt", "updatedAt", "deletedAt", "searchVector", "favorites", "attachments"),
        *("pointOfContactForOpportunities", "taskTargets", "noteTargets"),
        *("messageParticipants", "calendarEventParticipants", "timelineActivities"),
        "bizstimId",
    }
)
MAX_NAME_LENGTH = 63


def camel_case(text: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", strip_accents(text))
    if not words:
        return ""
    head, *tail = words
    return head.lower() + "".join(word[:1].upper() + word[1:].lower() for word in tail)


def target_field_name(bizstim_name: str, custom_field_id: str, taken: Iterable[str]) -> str:
    """A valid Twenty field name for a Bizstim field: camelCase ASCII letters/digits starting
    with a lowercase letter, at most 63 characters, not reserved and not in ``taken``
    (compared case-insensitively; a number is appended until it is free)."""
    used = {name.lower() for name in (*taken, *TWENTY_PERSON_FIELDS)}
    base = camel_case(bizstim_name)
    if not base:
        base = f"customField{re.sub(r'[^0-9A-Za-z]', '', custom_field_id)}"
    elif not base[0].isalpha():
        base = "custom" + base[0].upper() + base[1:]
    if base.lower() in RESERVED_NAMES:
        base = "bizstim" + base[0].upper() + base[1:]
    base = base[:MAX_NAME_LENGTH]
    candidate, number = base, 1
    while candidate.lower() in used or candidate.lower() in RESERVED_NAMES:
        number += 1
        suffix = str(number)
        candidate = base[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return candidate


def describe_fit(target_field_type: str, values: Sequence[str], options: Sequence[str]) -> str:
    """Evidence for a type already chosen in the seed: how the sampled values fit it."""
    if not values:
        return "no values in the sample"
    kind = target_field_type.strip().upper()
    if kind == "TEXT":
        return f"{len(values)} sampled values, {len(set(values))} distinct, sent as text"
    if kind not in FIELD_TYPES:
        return f"target_field_type {target_field_type!r} is not one of {', '.join(FIELD_TYPES)}"
    what = f"are options ({'|'.join(options)})" if kind == "SELECT" else f"parse as {kind}"
    return _fit_report(values, _misfits(kind, values, options), what)
