-- Weekly availability → one row per (schedule, weekday): the 14 "<day>Avail{f,t}" columns
-- unpivoted. Every (schedule, weekday) slot of every schedule is kept with a disposition:
--   excluded  not_in_current_snapshot   schedule no longer delivered by Bizstim
--   excluded  outside_pilot_sample      pilot build: no in-scope person names the schedule
--   excluded  schedule_not_linked       no migrated client/practitioner names this schedule
--   excluded  day_not_available         both times empty (the person is not available that day)
--   quarantined schedule_ends_before_start  the schedule's end date is before its start date
--                                        (never in effect: a person decides which date is wrong)
--   quarantined malformed_time          a time is not HH:MM (00:00-24:00) or only one is set
--   quarantined start_not_before_end    from >= to
-- A start/end date that is not a date (MySQL's zero date "0000-00-00" = not set) leaves
-- validFrom/validUntil empty (open-ended) and is listed in migration__quarantine as a value
-- note; the windows still load.
-- "24:00" is the end of the day (minute 1440). The owner is the person whose record names the
-- schedule (practitioner first, then lowest id, if several do); a practitioner's first
-- avail_id is their default schedule.
with schedules as (
    select * from {{ ref('stg_bizstim__availability') }}
),

weekdays as (
    select * from {{ ref('bizstim_weekdays') }}
),

schedule_links as (
    select
        identity.person_external_id,
        link.avail_id,
        link.link_position,
        identity.kind_rank,
        identity.source_id
    from {{ ref('int_people__identity') }} as identity
    inner join {{ ref('int_people__source_records') }} as source_records
        on identity.source_record_key = source_records.source_record_key,
        unnest(source_records.avail_ids) with ordinality as link (avail_id, link_position)
    where link.avail_id is not null
),

schedule_owners as (
    select
        avail_id,
        arg_min(person_external_id, [kind_rank, source_id, link_position]) as person_external_id,
        arg_min(link_position, [kind_rank, source_id, link_position]) = 1 as is_default_schedule
    from schedule_links
    group by avail_id
),

unpivoted as (
    select
        schedules.availability_id,
        schedules.label,
        schedules.valid_from,
        schedules.valid_from_raw,
        schedules.valid_until,
        schedules.valid_until_raw,
        schedules.is_in_current_snapshot,
        weekdays.day_prefix,
        weekdays.iso_day_number,
        weekdays.day_name as day_of_week,
        weekdays.label as day_label,
        case weekdays.day_prefix
            {%- for day in ['m', 't', 'w', 'r', 'f', 'sat', 'sun'] %}
                when '{{ day }}' then schedules.{{ day }}_from
            {%- endfor %}
        end as start_time,
        case weekdays.day_prefix
            {%- for day in ['m', 't', 'w', 'r', 'f', 'sat', 'sun'] %}
                when '{{ day }}' then schedules.{{ day }}_to
            {%- endfor %}
        end as end_time
    from schedules
    cross join weekdays
),

measured as (
    select
        unpivoted.*,
        {{ hhmm_to_minutes('unpivoted.start_time') }} as start_minute,
        {{ hhmm_to_minutes('unpivoted.end_time') }} as end_minute,
        owners.person_external_id,
        coalesce(owners.is_default_schedule, false) as is_default_schedule
    from unpivoted
    left join schedule_owners as owners on unpivoted.availability_id = owners.avail_id
)

select
    'availability:' || availability_id || ':' || lower(day_of_week) as window_external_id,
    *,
    case
        when not is_in_current_snapshot then 'not_in_current_snapshot'
        {{ pilot_exclusion('availability', 'availability_id') }}
        when person_external_id is null then 'schedule_not_linked'
        when start_time is null and end_time is null then 'day_not_available'
    end as exclusion_rule,
    case
        when not is_in_current_snapshot or person_external_id is null then null
        when start_time is null and end_time is null then null
        when valid_until < valid_from then 'schedule_ends_before_start'
        when start_minute is null or end_minute is null then 'malformed_time'
        when start_minute >= end_minute then 'start_not_before_end'
    end as quarantine_rule,
    case when quarantine_rule is not null then
            'Availability schedule ' || availability_id || ' (' || coalesce(label, 'no label')
            || ') of ' || coalesce(person_external_id, '?') || ', ' || day_label || ': '
            || case quarantine_rule
                when 'schedule_ends_before_start'
                    then 'the schedule ends on ' || valid_until_raw || ', before it starts on '
                        || valid_from_raw || ', so it is never in effect. Correct its dates in'
                        || ' Bizstim.'
                when 'malformed_time'
                    then 'from "' || coalesce(start_time, '') || '" to "' || coalesce(end_time, '')
                        || '" is not a pair of HH:MM times. Fix the weekly availability in Bizstim.'
                else 'from ' || start_time || ' is not before to ' || end_time
                    || '. Fix the weekly availability in Bizstim.'
            end
    end as quarantine_reason
from measured
