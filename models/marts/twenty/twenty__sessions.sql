-- Twenty `tutoringSessions` (custom object; `event(s)` is reserved): start/end in UTC
-- (ISO-8601 with Z), linked to client, practitioner, service and location. The owner is the
-- practitioner's Bizstim user (int_people__owner_users), matched to a workspace member at load.
with owners as (
    select * from {{ ref('int_people__owner_users') }}
),

shaped as (
    select
        session_external_id as external_id,
        coalesce(service_description, 'Session') || ' · '
        || strftime(local_starts_at, '%Y-%m-%d %H:%M') as "name",
        strftime(starts_at_utc, '%Y-%m-%dT%H:%M:%SZ') as "startsAt",
        strftime(ends_at_utc, '%Y-%m-%dT%H:%M:%SZ') as "endsAt",
        session_status as "sessionStatus",
        is_confirmed as "isConfirmed",
        is_group_session as "isGroupSession",
        cast(slots as integer) as "slots",
        cast(duration_minutes as integer) as "durationMinutes",
        session_notes as "sessionNotes",
        {{ twenty_link_url("ondemand_link") }} as "onDemandLink",
        is_recurring as "isRecurring",
        cast(recurrence_id as varchar) as "recurrenceId",
        qb_invoice_id as "quickbooksInvoiceId",
        cancel_clients as "cancelledClients",
        session_id as "bizstimSessionId",
        client_external_id as "client__external_id",
        practitioner_external_id as "practitioner__external_id",
        service_external_id as "service__external_id",
        location_external_id as "location__external_id"
    from {{ ref('int_sessions__scheduled') }}
    where exclusion_rule is null and quarantine_rule is null
),

owned as (
    select
        shaped.*,
        owners.owner_user_external_id as "owner__user_external_id"
    from shaped
    left join owners on shaped."practitioner__external_id" = owners.person_external_id
)

select
    *,
    {{ row_hash([
        'name', 'startsAt', 'endsAt', 'sessionStatus', 'isConfirmed', 'isGroupSession',
        'slots', 'durationMinutes', 'sessionNotes', 'onDemandLink', 'isRecurring',
        'recurrenceId', 'quickbooksInvoiceId', 'cancelledClients', 'bizstimSessionId',
        'client__external_id', 'practitioner__external_id', 'service__external_id',
        'location__external_id', 'owner__user_external_id'
    ]) }} as row_hash
from owned
