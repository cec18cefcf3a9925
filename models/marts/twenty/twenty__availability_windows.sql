-- Twenty `availabilityWindows` (custom object): one weekly window per person, schedule and
-- weekday, times as "HH:MM" in the account time zone (24:00 = end of day) and as minutes.
with shaped as (
    select
        window_external_id as external_id,
        coalesce(label, 'Availability') || ' · ' || day_label || ' ' || start_time || '-'
        || end_time as "name",
        day_of_week as "dayOfWeek",
        start_time as "startTime",
        end_time as "endTime",
        cast(start_minute as integer) as "startMinute",
        cast(end_minute as integer) as "endMinute",
        label as "scheduleLabel",
        is_default_schedule as "isDefaultSchedule",
        valid_from as "validFrom",
        valid_until as "validUntil",
        availability_id as "bizstimAvailabilityId",
        person_external_id as "person__external_id"
    from {{ ref('int_availability__windows') }}
    where exclusion_rule is null and quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'dayOfWeek', 'startTime', 'endTime', 'startMinute', 'endMinute',
        'scheduleLabel', 'isDefaultSchedule', 'validFrom', 'validUntil',
        'bizstimAvailabilityId', 'person__external_id'
    ]) }} as row_hash
from shaped
