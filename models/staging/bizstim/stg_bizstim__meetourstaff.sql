-- Public "meet our staff" profiles, tied to a practitioner/staff person through users_id.
with source as (
    select * from {{ bizstim_source('meetourstaff') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as profile_id,
    {{ to_integer('users_id') }} as users_id,
    {{ clean_text('first_name') }} as first_name,
    {{ clean_text('last_name') }} as last_name,
    {{ clean_text('title') }} as title,
    {{ clean_text('bio') }} as bio,
    {{ to_integer('display_order') }} as display_order,
    {{ is_in_current_snapshot(list_table='meetourstaff') }} as is_in_current_snapshot
from source
