-- monday Sessions board: one item per tutoring session, connected to its client, practitioner
-- and service items; local date and times in the session's own time zone
-- (int_monday__sessions).
with sessions as (
    select
        items.session_external_id as external_id,
        items.item_name as name,  -- noqa: RF04
        boards.group_title,
        items.session_date,
        items.start_time,
        items.end_time,
        items.time_zone,
        items.status,
        items.location,  -- noqa: RF04
        items.notes,
        items.client_external_id as client__external_id,
        items.practitioner_external_id as practitioner__external_id,
        items.service_external_id as service__external_id,
        items.owner_user_external_id as owner__user_external_id
    from {{ ref('int_monday__sessions') }} as items
    inner join {{ ref('monday_boards') }} as boards on boards.board = 'sessions'
    where items.quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'group_title', 'session_date', 'start_time', 'end_time', 'time_zone',
        'status', 'location', 'notes', 'client__external_id', 'practitioner__external_id',
        'service__external_id', 'owner__user_external_id'
    ]) }} as row_hash
from sessions
