-- monday Availability board: one item per weekly window of a client (client relation) or a
-- practitioner (practitioner relation), exactly one of the two (int_monday__availability).
with windows as (
    select
        items.window_external_id as external_id,
        items.item_name as name,  -- noqa: RF04
        boards.group_title,
        items.weekday,
        items.start_time,
        items.end_time,
        items.schedule,
        items.valid_from,
        items.valid_until,
        items.client_external_id as client__external_id,
        items.practitioner_external_id as practitioner__external_id
    from {{ ref('int_monday__availability') }} as items
    inner join {{ ref('monday_boards') }} as boards on boards.board = 'availability'
    where items.quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'group_title', 'weekday', 'start_time', 'end_time', 'schedule', 'valid_from',
        'valid_until', 'client__external_id', 'practitioner__external_id'
    ]) }} as row_hash
from windows
