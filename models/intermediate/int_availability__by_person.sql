-- A person's availability in the form CRM destinations without an availability object keep
-- it (Pipedrive's and Freshsales' person/contact fields): one row per person with a migrated
-- window (int_availability__windows).
--   * availability: one line per window, '<Day> HH:MM-HH:MM · <schedule label>' then
--     ' · <from> to <until>', ' · from <from>' or ' · until <until>' when the schedule has
--     dates; lines in schedule then weekday order.
--   * available_days: the weekdays with a window, '|'-separated, Monday first.
--   * available_from / available_until: the earliest start and latest end, empty when one
--     window has none (an open end is not a date).
with windows as (
    select * from {{ ref('int_availability__windows') }}
    where exclusion_rule is null and quarantine_rule is null
),

lines as (
    select
        person_external_id,
        string_agg(
            day_label || ' ' || start_time || '-' || end_time || ' · '
            || coalesce(label, 'Schedule')
            || case
                when valid_from is not null and valid_until is not null
                    then ' · ' || strftime(valid_from, '%Y-%m-%d') || ' to '
                        || strftime(valid_until, '%Y-%m-%d')
                when valid_from is not null then ' · from ' || strftime(valid_from, '%Y-%m-%d')
                when valid_until is not null
                    then ' · until ' || strftime(valid_until, '%Y-%m-%d')
                else ''
            end,
            chr(10) order by availability_id, iso_day_number
        ) as availability,
        case when count(*) = count(valid_from) then min(valid_from) end as available_from,
        case when count(*) = count(valid_until) then max(valid_until) end as available_until
    from windows
    group by person_external_id
),

available_days as (
    select
        person_external_id,
        string_agg(day_label, '|' order by iso_day_number) as available_days
    from (
        select distinct
            person_external_id,
            iso_day_number,
            day_label
        from windows
    ) as window_days
    group by person_external_id
)

select
    lines.person_external_id,
    lines.availability,
    available_days.available_days,
    lines.available_from,
    lines.available_until
from lines
inner join available_days on lines.person_external_id = available_days.person_external_id
