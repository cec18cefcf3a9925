-- Freshsales Appointment: one per migrated Bizstim session on the client's Contact, title and
-- description in the parseable form of int_freshsales__appointments, the description ending
-- with [bizstim:<external_id>] (appointments carry no custom field).
with shaped as (
    select
        session_external_id as external_id,
        title,
        description,
        from_date,
        end_date,
        time_zone,
        location,
        contact_external_id as contact__external_id,
        owner_user_external_id as owner__user_external_id
    from {{ ref('int_freshsales__appointments') }}
    where quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'title', 'description', 'from_date', 'end_date', 'time_zone', 'location',
        'contact__external_id', 'owner__user_external_id'
    ]) }} as row_hash
from shaped
