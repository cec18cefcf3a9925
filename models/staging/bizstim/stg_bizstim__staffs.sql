-- One row per staff member (staff have no e-mail in Bizstim).
with source as (
    select * from {{ bizstim_source('staffs') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as staff_id,
    {{ to_integer('users_id') }} as users_id,
    {{ to_integer('staff_settings_id') }} as staff_settings_id,
    {{ clean_text('first_name') }} as first_name,
    {{ clean_text('last_name') }} as last_name,
    {{ clean_text('address1') }} as address1,
    {{ clean_text('address2') }} as address2,
    {{ clean_text('city') }} as city,
    {{ clean_text('state') }} as state,
    {{ clean_text('zipcode') }} as zipcode,
    {{ clean_text('country') }} as country,
    {{ clean_text('p_phone') }} as p_phone,
    {{ clean_text('s_phone') }} as s_phone,
    {{ clean_text('text_phone') }} as text_phone,
    {{ is_in_current_snapshot(list_table='staffs') }} as is_in_current_snapshot,
    _dlt_load_id
from source
