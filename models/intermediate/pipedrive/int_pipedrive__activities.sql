-- Bizstim sessions as Pipedrive activities (int_sessions__scheduled: times already in UTC).
-- A v2 activity takes no custom field (activityFields is read-only, the body has no
-- custom_fields: destinations-2.md §2.1), so what Salesforce keeps in fields is written in a
-- documented, parseable form (models/marts/pipedrive/README.md, "Sessions"):
--   * subject = '<service> · <practitioner> · <status>' (255 characters: a longer one falls
--     back to 'Session <id> · <status>'; the service stays in the note). Split on the last
--     two ' · ' to read it back.
--   * note (HTML) = one 'Key: value' line per known value, joined by <br>, values
--     HTML-escaped, the session notes last under 'Notes:', then the marker
--     `[bizstim:<session external id>]` once, at the end.
--   * due_date / due_time (UTC) 'YYYY-MM-DD' / 'HH:MM', duration 'HH:MM'; done for a
--     completed, cancelled or no-show session (open ones stay to do); type from
--     seeds/pipedrive_settings.csv.
--   * person = the client's Person, org = its household Organization, owner = the
--     practitioner's Bizstim user (matched by e-mail at load).
-- A session whose client is quarantined on the Pipedrive side is quarantined too
-- (client_not_in_pipedrive); so is one whose note exceeds the 65,535 characters an activity
-- note holds (pipedrive_field_too_long): nothing is cut.
with sessions as (
    select * from {{ ref('int_sessions__labelled') }}
),

people as (
    select
        person_external_id,
        person_name,
        org_external_id,
        quarantine_rule
    from {{ ref('int_pipedrive__people') }}
),

settings as (
    select * from {{ ref('int_pipedrive__settings') }}
),

shaped as (
    select
        sessions.session_external_id,
        sessions.session_id,
        coalesce(sessions.service_description, 'Bizstim session') as service_name,
        coalesce(practitioners.person_name, sessions.practitioner_external_id, 'no practitioner')
            as practitioner_name,
        coalesce(sessions.status_label, sessions.session_status, 'Unknown') as status_label,
        settings.session_activity_type as activity_type,
        strftime(sessions.starts_at_utc, '%Y-%m-%d') as due_date,
        strftime(sessions.starts_at_utc, '%H:%M') as due_time,
        case
            when sessions.duration_minutes >= 0
                then lpad(cast(sessions.duration_minutes // 60 as varchar), 2, '0') || ':'
                    || lpad(cast(sessions.duration_minutes % 60 as varchar), 2, '0')
        end as duration,
        sessions.session_status in ('COMPLETED', 'CANCELLED', 'NO_SHOW') as done,
        concat_ws(
            '<br>',
            'Bizstim session: ' || sessions.session_id,
            'Practitioner: ' || {{ content_note_body('practitioners.person_name') }}
            || ' (' || sessions.practitioner_external_id || ')',
            'Status: '
            || {{ content_note_body('coalesce(sessions.status_label, sessions.session_status)') }},
            'Service: ' || {{ content_note_body('sessions.service_description') }}
            || coalesce(' (' || sessions.service_external_id || ')', ''),
            'Location: ' || {{ content_note_body('sessions.location_name') }},
            'Local time: ' || strftime(sessions.local_starts_at, '%Y-%m-%d %H:%M')
            || '-' || strftime(sessions.local_ends_at, '%H:%M')
            || coalesce(' ' || sessions.time_zone, ''),
            'Confirmed: ' || case when sessions.is_confirmed then 'yes' else 'no' end,
            'Group session: ' || case when sessions.is_group_session then 'yes' else 'no' end,
            'Slots: ' || sessions.slots,
            'Recurrence: ' || sessions.recurrence_id,
            'QuickBooks invoice: ' || {{ content_note_body('sessions.qb_invoice_id') }},
            'Cancelled clients: ' || {{ content_note_body('sessions.cancel_clients') }},
            'Notes: ' || {{ content_note_body('sessions.session_notes') }},
            '[bizstim:' || sessions.session_external_id || ']'
        ) as note,
        people.person_external_id,
        people.org_external_id,
        sessions.owner_user_external_id,
        sessions.client_external_id,
        people.quarantine_rule as client_quarantine_rule
    from sessions
    cross join settings
    left join people on sessions.client_external_id = people.person_external_id
    left join people as practitioners
        on sessions.practitioner_external_id = practitioners.person_external_id
),

titled as (
    select
        *,
        service_name || ' · ' || practitioner_name || ' · ' || status_label as full_subject
    from shaped
)

select
    * exclude (full_subject, client_quarantine_rule),
    case
        when length(full_subject) <= 255 then full_subject
        else 'Session ' || session_id || ' · ' || status_label
    end as subject,
    case
        when client_quarantine_rule is not null then 'client_not_in_pipedrive'
        when length(note) > 65535 then 'pipedrive_field_too_long'
    end as quarantine_rule,
    case
        when client_quarantine_rule is not null
            then 'Session ' || session_id || ': its client ' || client_external_id
                || ' is not migrated to Pipedrive (' || client_quarantine_rule
                || '); fix the client and the session follows.'
        when length(note) > 65535
            then 'Session ' || session_id || ': its note has ' || length(note)
                || ' characters, more than the 65,535 a Pipedrive activity note holds;'
                || ' shorten the session notes in Bizstim.'
    end as quarantine_reason
from titled
