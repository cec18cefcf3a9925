-- One row per client from the clients list, typed and trimmed.
with source as (
    select * from {{ bizstim_source('clients') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as client_id,
    {{ to_integer('users_id') }} as users_id,
    {{ to_integer('client_settings_id') }} as client_settings_id,
    {{ to_integer('avail_id') }} as avail_id,
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
    {{ clean_text('email') }} as email,
    {{ is_in_current_snapshot(list_table='clients') }} as is_in_current_snapshot,
    _dlt_load_id
from source
