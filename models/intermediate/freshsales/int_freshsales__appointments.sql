-- Bizstim sessions as Freshsales appointments (int_sessions__labelled: times already in UTC).
-- An appointment takes no custom field, so the values Salesforce keeps in fields are written
-- in a documented, parseable form (models/marts/freshsales/README.md, "Sessions"):
--   * title = '<service> · <practitioner> · <status>' (255 characters: a longer one falls
--     back to 'Session <id> · <status>'; the service stays in the description).
--   * description = one 'Key: value' line per known value, the session notes last under
--     'Notes:', then the marker `[bizstim:<session external id>]` once, at the end.
--   * from_date / end_date = the UTC instants as timestamptz (the loader writes ISO 8601 with
--     the offset); time_zone = the session's own IANA zone, in which its local time is shown.
--   * location = the location's name; targetable = the client's Contact; owner = the
--     practitioner's Bizstim user (matched by e-mail at load).
-- A session whose client is quarantined on the Freshsales side is quarantined too
-- (client_not_in_freshsales): nothing is cut.
with sessions as (
    select * from {{ ref('int_sessions__labelled') }}
),

people as (
    select
        person_external_id,
        person_name,
        quarantine_rule
    from {{ ref('int_freshsales__people') }}
),

shaped as (
    select
        sessions.session_external_id,
        sessions.session_id,
        coalesce(sessions.service_description, 'Bizstim session') as service_name,
        coalesce(practitioners.person_name, sessions.practitioner_external_id, 'no practitioner')
            as practitioner_name,
        coalesce(sessions.status_label, sessions.session_status, 'Unknown') as status_label,
        timezone('UTC', sessions.starts_at_utc) as from_date,
        timezone('UTC', sessions.ends_at_utc) as end_date,
        sessions.time_zone,
        sessions.location_name as location,  -- noqa: RF04
        concat_ws(
            chr(10),
            'Bizstim session: ' || sessions.session_id,
            'Practitioner: ' || practitioners.person_name
            || ' (' || sessions.practitioner_external_id || ')',
            'Status: ' || coalesce(sessions.status_label, sessions.session_status),
            'Service: ' || sessions.service_description
            || coalesce(' (' || sessions.service_external_id || ')', ''),
            'Local time: ' || strftime(sessions.local_starts_at, '%Y-%m-%d %H:%M')
            || '-' || strftime(sessions.local_ends_at, '%H:%M')
            || coalesce(' ' || sessions.time_zone, ''),
            'Confirmed: ' || case when sessions.is_confirmed then 'yes' else 'no' end,
            'Group session: ' || case when sessions.is_group_session then 'yes' else 'no' end,
            'Slots: ' || sessions.slots,
            'Recurrence: ' || sessions.recurrence_id,
            'QuickBooks invoice: ' || sessions.qb_invoice_id,
            'Cancelled clients: ' || sessions.cancel_clients,
            'Notes: ' || sessions.session_notes,
            '[bizstim:' || sessions.session_external_id || ']'
        ) as description,
        clients.person_external_id as contact_external_id,
        sessions.owner_user_external_id,
        sessions.client_external_id,
        clients.quarantine_rule as client_quarantine_rule
    from sessions
    left join people as clients on sessions.client_external_id = clients.person_external_id
    left join people as practitioners
        on sessions.practitioner_external_id = practitioners.person_external_id
),

titled as (
    select
        *,
        service_name || ' · ' || practitioner_name || ' · ' || status_label as full_title
    from shaped
)

select
    * exclude (full_title, client_quarantine_rule),
    case
        when length(full_title) <= 255 then full_title
        else 'Session ' || session_id || ' · ' || status_label
    end as title,
    case when client_quarantine_rule is not null then 'client_not_in_freshsales' end
        as quarantine_rule,
    case
        when client_quarantine_rule is not null
            then 'Session ' || session_id || ': its client ' || client_external_id
                || ' is not migrated to Freshsales (' || client_quarantine_rule
                || '); fix the client and the session follows.'
    end as quarantine_reason
from titled
