-- Weekly availability windows (int_availability__windows: one row per schedule × weekday,
-- already unpivoted and checked) as items of the monday Availability board, connected to the
-- client's Contacts item or the practitioner's Practitioners item: a person is one or the
-- other, so the window fills exactly one of the two relations. Times stay 'HH:MM' text in the
-- person's local time: the window's end may be 24:00, which an hour column cannot hold.
-- The person's own fate decides the window's (the dispositions macro: person_not_in_monday).
-- Item name '<person> · <Weekday> HH:MM-HH:MM' (at most 230 + 25 characters); a person's name
-- over 230 characters falls back to 'Availability <window id>' to stay within monday's 255.
with windows as (
    select * from {{ ref('int_availability__windows') }}
    where exclusion_rule is null and quarantine_rule is null
),

people as (
    select * from {{ ref('int_monday__people') }}
),

-- the window's own minutes, not its raw start_time / end_time text (which may read 12pm)
minutes as (
    select
        *,
        lpad(cast(start_minute // 60 as varchar), 2, '0') || ':'
        || lpad(cast(start_minute % 60 as varchar), 2, '0') as from_hhmm,
        lpad(cast(end_minute // 60 as varchar), 2, '0') || ':'
        || lpad(cast(end_minute % 60 as varchar), 2, '0') as until_hhmm
    from windows
)

select
    minutes.window_external_id,
    minutes.person_external_id,
    people.board,
    case
        when length(coalesce(people.item_name, minutes.person_external_id)) <= 230
            then coalesce(people.item_name, minutes.person_external_id) || ' · '
                || minutes.day_label || ' ' || minutes.from_hhmm || '-' || minutes.until_hhmm
        else 'Availability ' || minutes.window_external_id
    end as item_name,
    case when people.board = 'contacts' then minutes.person_external_id end
        as client_external_id,
    case when people.board = 'practitioners' then minutes.person_external_id end
        as practitioner_external_id,
    minutes.day_label as weekday,  -- noqa: RF04
    minutes.from_hhmm as start_time,
    minutes.until_hhmm as end_time,
    minutes.label as schedule,
    minutes.valid_from,
    minutes.valid_until,
    people.quarantine_rule,
    people.quarantine_reason
from minutes
inner join people on minutes.person_external_id = people.person_external_id
