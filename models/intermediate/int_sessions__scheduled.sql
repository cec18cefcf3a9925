-- Sessions with UTC start/end and resolved links. Bizstim stores session_date/start/end in
-- the account time zone (int_account__settings: raw_bizstim.account_timezone, else var
-- default_account_timezone);
-- local wall-clock time + time zone → UTC with DuckDB's ICU time zone rules ("24:00" is
-- midnight of the next day; a wall-clock time that does not exist or repeats on a DST
-- change day is resolved by ICU, deterministically).
-- Links: client and practitioner ids must name migrated people; service/location ids must
-- name migrated services/locations ("0"/blank = no link). Anything else is quarantined.
-- session_date, start_time and end_time are not in bizstim-api.md (its sessions table stops
-- at session_status): an account that does not serve them has sessions without a start, each
-- quarantined as session_time_not_served naming the absent fields (see
-- migration__source_columns; seeds/bizstim_field_aliases.csv points at other names).
with sessions as (
    select * from {{ ref('stg_bizstim__sessions') }}
),

unserved as (
    select {{ unserved_columns('sessions', ['session_date', 'start_time', 'end_time']) }}
        as time_columns
),

account as (
    select time_zone from {{ ref('int_account__settings') }}
),

clients as (
    select
        source_id,
        person_external_id
    from {{ ref('int_people__identity') }}
    where source_kind = 'client'
),

practitioners as (
    select
        source_id,
        person_external_id
    from {{ ref('int_people__identity') }}
    where source_kind = 'practitioner'
),

services as (
    select
        service_id,
        service_external_id,
        service_description
    from {{ ref('int_services__catalog') }}
    where exclusion_rule is null and quarantine_rule is null
),

locations as (
    select
        location_id,
        location_external_id
    from {{ ref('int_locations__catalog') }}
    where exclusion_rule is null and quarantine_rule is null
),

localised as (
    select
        sessions.*,
        account.time_zone,
        sessions.session_date + to_minutes(sessions.start_minute) as local_starts_at,
        sessions.session_date + to_minutes(sessions.end_minute) as local_ends_at
    from sessions
    cross join account
),

-- Converting each distinct wall-clock time once (a few thousand) instead of per session.
local_times as (
    select local_starts_at as local_at from localised
    union
    select local_ends_at from localised
),

utc_times as (
    select
        local_times.local_at,
        timezone('UTC', timezone(account.time_zone, local_times.local_at)) as utc_at
    from local_times
    cross join account
    where local_times.local_at is not null
),

linked as (
    select
        localised.*,
        utc_starts.utc_at as starts_at_utc,
        utc_ends.utc_at as ends_at_utc,
        clients.person_external_id as client_external_id,
        practitioners.person_external_id as practitioner_external_id,
        services.service_external_id,
        services.service_description,
        locations.location_external_id,
        unserved.time_columns as unserved_time_columns
    from localised
    cross join unserved
    left join utc_times as utc_starts on localised.local_starts_at = utc_starts.local_at
    left join utc_times as utc_ends on localised.local_ends_at = utc_ends.local_at
    left join clients on localised.client_id = clients.source_id
    left join practitioners on localised.practitioner_id = practitioners.source_id
    left join services on localised.service_id = services.service_id
    left join locations on localised.location_id = locations.location_id
)

select
    'session:' || session_id as session_external_id,
    *,
    case
        when not is_in_current_snapshot then 'not_in_current_snapshot'
        {{ pilot_exclusion('session', 'session_id') }}
    end as exclusion_rule,
    case
        when not is_in_current_snapshot then null
        when unserved_time_columns is not null then 'session_time_not_served'
        when session_status is null then 'unknown_session_status'
        when local_starts_at is null or local_ends_at is null then 'malformed_date_or_time'
        when local_ends_at <= local_starts_at then 'end_not_after_start'
        when client_id is not null and client_external_id is null then 'client_not_migrated'
        when practitioner_id is not null and practitioner_external_id is null
            then 'practitioner_not_migrated'
        when service_id is not null and service_external_id is null then 'service_not_migrated'
        when location_id is not null and location_external_id is null
            then 'location_not_migrated'
    end as quarantine_rule,
    'Session '
    || session_id
    || coalesce(' on ' || session_date_raw, '')
    || ': '
    || case quarantine_rule
        when 'session_time_not_served'
            then 'this account does not serve sessions.' || unserved_time_columns
                || ' (absent from raw_bizstim.sessions, see migration__source_columns), so the'
                || ' session has no start and end. If the account serves them under other names,'
                || ' map those in seeds/bizstim_field_aliases.csv and rebuild.'
        when 'unknown_session_status'
            then 'session_status "' || coalesce(session_status_code, '')
                || '" is not 0-3; add it to seeds/bizstim_code_labels.csv.'
        when 'malformed_date_or_time'
            then 'date "' || coalesce(session_date_raw, '') || '" / times "'
                || coalesce(start_time, '') || '"-"' || coalesce(end_time, '')
                || '" are not YYYY-MM-DD / HH:MM; correct the session in Bizstim.'
        when 'end_not_after_start'
            then 'ends at ' || end_time || ', not after its start ' || start_time
                || '; correct the times in Bizstim.'
        when 'client_not_migrated'
            then 'client ' || client_id || ' is not a migrated client (deleted in Bizstim or'
                || ' quarantined itself); restore the client or accept the session is not migrated.'
        when 'practitioner_not_migrated'
            then 'practitioner ' || practitioner_id || ' is not in the practitioners list;'
                || ' restore the practitioner in Bizstim.'
        when 'service_not_migrated'
            then 'service ' || service_id || ' is not a migrated service; check it in Bizstim.'
        when 'location_not_migrated'
            then 'location ' || location_id || ' is not a migrated location; check it in Bizstim.'
    end as quarantine_reason
from linked
