-- monday Services board: one item per Bizstim service, in the group of its service group
-- (int_monday__services).
with services as (
    select
        service_external_id as external_id,
        item_name as name,  -- noqa: RF04
        group_title,
        description,
        price,
        default_wage,
        pricing,
        status,
        online_booking,
        taxable,
        min_duration,
        max_duration,
        start_interval
    from {{ ref('int_monday__services') }}
    where quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'group_title', 'description', 'price', 'default_wage', 'pricing', 'status',
        'online_booking', 'taxable', 'min_duration', 'max_duration', 'start_interval'
    ]) }} as row_hash
from services
