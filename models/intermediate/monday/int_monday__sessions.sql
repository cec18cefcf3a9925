-- Bizstim sessions as items of the monday Sessions board (int_sessions__labelled), connected to
-- the client, the practitioner and the service items. monday's date column holds a day and its
-- hour column a time of day, so a session is its local date, start and end in its own IANA
-- time zone (kept beside them): the instant is recoverable, nothing is shifted to UTC.
--   * item name = '<service> · <practitioner> · YYYY-MM-DD HH:MM' (255 characters: a longer
--     one falls back to 'Session <id> · YYYY-MM-DD HH:MM').
--   * a session whose client is not migrated to monday is quarantined
--     (client_not_in_monday); a practitioner or service that is not there leaves its relation
--     empty (the name keeps it readable); a status that is not a seed label quarantines
--     the session (monday_label_unknown, macros/monday.sql).
with sessions as (
    select * from {{ ref('int_sessions__labelled') }}
),

people as (
    select * from {{ ref('int_monday__people') }}
),

shaped as (
    select
        sessions.session_external_id,
        sessions.session_id,
        strftime(sessions.local_starts_at, '%Y-%m-%d %H:%M') as local_start,
        coalesce(sessions.service_description, 'Session') || ' · '
        || coalesce(practitioners.item_name, 'no practitioner') || ' · '
        || strftime(sessions.local_starts_at, '%Y-%m-%d %H:%M') as full_name,
        sessions.client_external_id,
        case when practitioners.quarantine_rule is null then practitioners.person_external_id end
            as practitioner_external_id,
        sessions.service_external_id,
        cast(sessions.local_starts_at as date) as session_date,
        strftime(sessions.local_starts_at, '%H:%M') as start_time,
        strftime(sessions.local_ends_at, '%H:%M') as end_time,
        sessions.time_zone,
        sessions.status_label as status,
        sessions.location_name as location,  -- noqa: RF04
        sessions.session_notes as notes,
        sessions.owner_user_external_id,
        clients.quarantine_rule as client_quarantine_rule
    from sessions
    left join people as clients on sessions.client_external_id = clients.person_external_id
    left join people as practitioners
        on sessions.practitioner_external_id = practitioners.person_external_id
),

checked as (
    select
        *,
        {{ monday_unknown_label('shaped', "'sessions'", ['status']) }} as unknown_label
    from shaped
)

select
    * exclude (full_name, local_start, client_quarantine_rule, unknown_label),
    case
        when length(full_name) <= 255 then full_name
        else 'Session ' || session_id || ' · ' || local_start
    end as item_name,
    case
        when client_quarantine_rule is not null then 'client_not_in_monday'
        when unknown_label is not null then 'monday_label_unknown'
    end as quarantine_rule,
    case
        when client_quarantine_rule is not null
            then 'Session ' || session_id || ': its client ' || client_external_id
                || ' is not migrated to monday (' || client_quarantine_rule
                || '); fix the client and the session follows.'
        when unknown_label is not null
            then {{ monday_unknown_label_reason(
                "'Session ' || session_id", 'unknown_label', "'Sessions'"
            ) }}
    end as quarantine_reason
from checked
