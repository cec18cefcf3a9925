"""The data classes of the bad-input corpus (see sandbox.bizstim.hostile for the contract).

Each function rewrites records it picks through :class:`~sandbox.bizstim.hostile_base.Account`
and returns (touches, checks): the dispositions keys of the records it made hostile and the
values the Twenty records must hold afterwards (``None`` = empty / absent).
"""

from __future__ import annotations

from sandbox.bizstim.hostile_base import Account, hostile, payment, person, session

LONG_NOTE = " ".join(["Progress report."] * 4000)  # 67 999 characters, no line breaks
HTML_NOTE = ('<script>alert("x")</script><b>Bold</b> &amp; <a href="javascript:evil()">'
             "link</a> <img src=x onerror=alert(1)>")


def _client(a: Account, **values: str) -> str:
    cid = a.take("clients")
    a.update("clients", cid, **values)
    return cid


# ---- e-mails ---------------------------------------------------------------------------------
@hostile("email_malformed", "client e-mail 'john@@mail..com'", "repaired",
         "email_invalid_kept_raw")
def _email_malformed(a: Account):
    cid = _client(a, email="john@@mail..com")
    return [person(cid)], [("people", f"client:{cid}", "emails.primaryEmail", None),
                           ("people", f"client:{cid}", "rawEmails", "john@@mail..com")]


@hostile("email_duplicate_in_list", "the same address three times (mixed case) in one list",
         "repaired", "deduplicated: one primary, the other address additional")
def _email_duplicates(a: Account):
    cid = _client(a, email="dup.list@example.org, DUP.LIST@example.org ,dup.list@example.org,"
                           "second.dup@example.org")
    ext = f"client:{cid}"
    return [person(cid)], [("people", ext, "emails.primaryEmail", "dup.list@example.org"),
                           ("people", ext, "emails.additionalEmails", ["second.dup@example.org"])]


@hostile("email_across_families", "two clients of different families list one address",
         "repaired", "email_shared_not_primary")
def _email_families(a: Account):
    first = _client(a, last_name="Okafor", email="shared.parent@example.org")
    second = _client(a, last_name="Lindqvist", email="shared.parent@example.org")
    return [person(first), person(second)], [
        ("people", f"client:{first}", "emails.primaryEmail", "shared.parent@example.org"),
        ("people", f"client:{second}", "emails.primaryEmail", None),
        ("people", f"client:{second}", "emails.additionalEmails", ["shared.parent@example.org"]),
        ("people", f"client:{second}", "emailShared", True)]


@hostile("email_case_and_whitespace", "'  Mixed.Case@Example.ORG  '", "repaired",
         "trimmed and lower-cased")
def _email_case(a: Account):
    cid = _client(a, email="  Mixed.Case@Example.ORG  ")
    return [person(cid)], [("people", f"client:{cid}", "emails.primaryEmail",
                            "mixed.case@example.org")]


# ---- phones ----------------------------------------------------------------------------------
@hostile("phone_without_country", "'(416) 555-0199' on a client with no country", "repaired",
         "parsed with the default region CA")
def _phone_no_country(a: Account):
    cid = _client(a, country="", p_phone="(416) 555-0199", s_phone="", text_phone="")
    ext = f"client:{cid}"
    return [person(cid)], [("people", ext, "phones.primaryPhoneNumber", "4165550199"),
                           ("people", ext, "phones.primaryPhoneCallingCode", "+1")]


@hostile("phone_unparseable", "p_phone 'ask mom'", "repaired", "phone_unparseable_kept_raw")
def _phone_junk(a: Account):
    cid = _client(a, p_phone="ask mom", s_phone="", text_phone="")
    return [person(cid)], [("people", f"client:{cid}", "rawPhones", "ask mom")]


@hostile("phone_with_extension", "'905-555-0142 ext. 7'", "repaired", "phone_extension_kept_raw")
def _phone_ext(a: Account):
    cid = _client(a, country="Canada", p_phone="905-555-0142 ext. 7", s_phone="", text_phone="")
    return [person(cid)], [("people", f"client:{cid}", "rawPhones", "905-555-0142 ext. 7")]


# ---- names and free text ---------------------------------------------------------------------
@hostile("unicode_names", "names with accents, CJK and an emoji", "loaded", "byte-identical")
def _unicode(a: Account):
    cid = _client(a, first_name="Zoë-Łukasz 🎓", last_name="李 Nguyễn")
    ext = f"client:{cid}"
    return [person(cid)], [("people", ext, "name.firstName", "Zoë-Łukasz 🎓"),
                           ("people", ext, "name.lastName", "李 Nguyễn")]


@hostile("rtl_names", "Arabic and Hebrew names", "loaded", "byte-identical")
def _rtl(a: Account):
    cid = _client(a, first_name="محمد", last_name="כהן")
    ext = f"client:{cid}"
    return [person(cid)], [("people", ext, "name.firstName", "محمد"),
                           ("people", ext, "name.lastName", "כהן")]


@hostile("whitespace_names", "first name of spaces, last name padded", "repaired",
         "trimmed; blank → empty")
def _blank_names(a: Account):
    cid = _client(a, first_name="   ", last_name="  Tremblay  ")
    ext = f"client:{cid}"
    return [person(cid)], [("people", ext, "name.firstName", None),
                           ("people", ext, "name.lastName", "Tremblay")]


@hostile("very_long_notes", "a 67 999-character client note", "loaded", "note body complete")
def _long_note(a: Account):
    cid = _client(a, notes=LONG_NOTE)
    return [person(cid), ("note", "client_details (notes)", cid)], [
        ("notes", f"note:client:{cid}", "bodyV2.markdown", LONG_NOTE)]


@hostile("html_in_notes", "script, tags and entities in a client note", "loaded",
         "kept verbatim as text")
def _html_note(a: Account):
    cid = _client(a, notes=HTML_NOTE)
    return [person(cid), ("note", "client_details (notes)", cid)], [
        ("notes", f"note:client:{cid}", "bodyV2.markdown", HTML_NOTE)]


# ---- numbers and dates on people -------------------------------------------------------------
@hostile("zero_date", "client start_date '0000-00-00' (MySQL zero date)", "repaired",
         "value_not_typed_left_empty")
def _zero_date(a: Account):
    cid = _client(a, start_date="0000-00-00")
    return [person(cid)], [("people", f"client:{cid}", "clientStartDate", None)]


@hostile("empty_and_garbage_numbers", "slotDuration '' and sessionLimit 'five'", "repaired",
         "value_not_typed_left_empty")
def _numbers(a: Account):
    cid = _client(a, slotDuration="", sessionLimit="five")
    ext = f"client:{cid}"
    return [person(cid)], [("people", ext, "slotDuration", None),
                           ("people", ext, "sessionLimit", None)]


# ---- custom fields ---------------------------------------------------------------------------
def _custom(a: Account, name: str, typ: str, options: str, raw: str, field: str):
    key = f"custom_{a.custom_field(name, typ, options)}"
    cid = _client(a, **{key: raw})
    return [person(cid)], [("people", f"client:{cid}", field, None)]


@hostile("custom_number_not_numeric", "'Hours purchased' (number) = 'n/a'", "repaired",
         "custom_value_not_valid_for_type")
def _custom_number(a: Account):
    return _custom(a, "Hours purchased", "number", "", "n/a", "hoursPurchased")


@hostile("custom_date_invalid", "'Date of birth' (date) = '2019-02-30'", "repaired",
         "custom_value_not_valid_for_type")
def _custom_date(a: Account):
    return _custom(a, "Date of birth", "date", "", "2019-02-30", "dateOfBirth")


@hostile("custom_select_unknown_option", "'Grade' (select) = 'Legacy value'", "repaired",
         "custom_value_not_valid_for_type")
def _custom_select(a: Account):
    return _custom(a, "Grade", "select", "K|1|2|3|4|5|6|7|8|9|10|11|12", "Legacy value", "grade")


@hostile("custom_checkbox_garbage", "'Photo consent' (checkbox) = 'maybe'", "repaired",
         "custom_value_not_valid_for_type")
def _custom_checkbox(a: Account):
    return _custom(a, "Photo consent", "checkbox", "", "maybe", "photoConsent")


# ---- sessions and payments -------------------------------------------------------------------
@hostile("session_ends_24_00", "end_time '24:00'", "repaired", "midnight of the next day")
def _session_24(a: Account):
    sid = a.clean_session(start_time="23:00", end_time="24:00")
    return [session(sid)], [("tutoringSessions", f"session:{sid}", "endsAt",
                             "2024-05-15T04:00:00.000Z")]


def _rewritten(kind: str, **values: str):
    """A session or payment rewritten to link only anchors, then made hostile by ``values``."""
    def apply(a: Account):
        if kind == "session":
            return [session(a.clean_session(**values))], []
        return [payment(a.clean_payment(**values))], []
    return apply


for _kind, _name, _summary, _rule, _values in [
    ("session", "session_time_25_99", "start_time '25:99'", "malformed_date_or_time",
     {"start_time": "25:99"}),
    ("session", "session_start_after_end", "15:00 → 14:00", "end_not_after_start",
     {"start_time": "15:00", "end_time": "14:00"}),
    ("session", "session_zero_date", "session_date '0000-00-00'", "malformed_date_or_time",
     {"session_date": "0000-00-00"}),
    ("session", "session_unknown_status", "session_status '7'", "unknown_session_status",
     {"session_status": "7"}),
    ("session", "session_dangling_client", "client_id 999999", "client_not_migrated",
     {"client_id": "999999"}),
    ("session", "session_dangling_practitioner", "pract_d 999999", "practitioner_not_migrated",
     {"pract_d": "999999"}),
    ("session", "session_dangling_service", "service_id 999999", "service_not_migrated",
     {"service_id": "999999"}),
    ("session", "session_dangling_location", "location_id 999999", "location_not_migrated",
     {"location_id": "999999"}),
    ("payment", "payment_amount_empty", "revenue_amount ''", "amount_missing",
     {"revenue_amount": ""}),
    ("payment", "payment_amount_not_numeric", "revenue_amount '$1,250.00'", "amount_missing",
     {"revenue_amount": "$1,250.00"}),
    ("payment", "payment_zero_date", "revenue_date '0000-00-00'", "date_missing",
     {"revenue_date": "0000-00-00"}),
    ("payment", "payment_dangling_client", "client_id 999999", "client_not_migrated",
     {"client_id": "999999"}),
]:
    hostile(_name, _summary, "quarantined", _rule)(_rewritten(_kind, **_values))


@hostile("payment_of_deleted_client", "a payment of a client deleted in Bizstim",
         "quarantined", "client_not_migrated")
def _payment_deleted_client(a: Account):
    gone = a._sql("SELECT min(id) FROM deleted_clients")[0][0]
    return [payment(a.clean_payment(client_id=str(gone)))], []


# ---- availability ----------------------------------------------------------------------------
def _window(a: Account, start: str, end: str):
    cid = a.take("clients")
    schedule = a.schedule(cid)
    a.set_day(schedule, "m", start, end)
    return [("availabilityWindow", "availability (schedule x weekday)", f"{schedule}:monday")]


@hostile("availability_ends_24_00", "Monday 09:00 → 24:00", "repaired", "end minute 1440")
def _avail_24(a: Account):
    touches = _window(a, "09:00", "24:00")
    ext = "availability:" + touches[0][2]
    return touches, [("availabilityWindows", ext, "endMinute", 1440)]


@hostile("availability_time_25_99", "Monday 09:00 → 25:99", "quarantined", "malformed_time")
def _avail_25(a: Account):
    return _window(a, "09:00", "25:99"), []


@hostile("availability_start_after_end", "Monday 18:00 → 09:00", "quarantined",
         "start_not_before_end")
def _avail_reversed(a: Account):
    return _window(a, "18:00", "09:00"), []


# ---- services and locations ------------------------------------------------------------------
SERVICE = {"group_id": "0", "group_num": "0", "service_description": "Hostile service",
           "service_cost": "40.00", "service_default_wage": "20.00", "service_taxable": "0",
           "service_type": "0", "service_status": "1", "online_booking": "0",
           "min_duration": "60", "max_duration": "60", "start_interval": "0", "name": ""}


@hostile("service_deleted_unused", "a deleted-status (2) service nothing refers to", "excluded",
         "deleted_service_unused")
def _service_unused(a: Account):
    sid = a.insert("services", **{**SERVICE, "service_status": "2"})
    return [("tutoringService", "services", sid)], []


@hostile("service_deleted_referenced", "a deleted-status service a session still uses",
         "loaded", "kept with serviceStatus DELETED")
def _service_used(a: Account):
    sid = a.insert("services", **{**SERVICE, "service_status": "2"})
    sess = a.clean_session(service_id=sid)
    return [("tutoringService", "services", sid), session(sess)], [
        ("tutoringServices", f"service:{sid}", "serviceStatus", "DELETED")]


@hostile("service_unknown_status", "service_status '9'", "quarantined", "unknown_service_status")
def _service_status(a: Account):
    sid = a.insert("services", **{**SERVICE, "service_status": "9"})
    return [("tutoringService", "services", sid)], []


@hostile("money_not_numeric", "service_cost 'call us'", "repaired", "value_not_typed_left_empty")
def _service_cost(a: Account):
    sid = a.insert("services", **{**SERVICE, "service_cost": "call us"})
    return [("tutoringService", "services", sid)], [
        ("tutoringServices", f"service:{sid}", "serviceCost.amountMicros", None)]


@hostile("location_deleted_unused", "a deleted-status (2) location nothing refers to",
         "excluded", "deleted_location_unused")
def _location_unused(a: Account):
    lid = a.insert("locations", location_status="2", location_name="Closed Annex",
                   online_booking="0")
    return [("serviceLocation", "locations", lid)], []
