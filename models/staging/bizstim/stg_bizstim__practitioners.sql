-- One row per practitioner. avail_id is a comma list: the first id is the default schedule.
with source as (
    select * from {{ bizstim_source('practitioners') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as practitioner_id,
    {{ to_integer('pract_settings_id') }} as pract_settings_id,
    {{ to_integer('users_id') }} as users_id,
    {{ split_id_list('avail_id') }} as avail_ids,
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
    {{ clean_text('status') }} as status_code,
    {{ decode_code('practitioners', 'status', 'status') }} as status,
    {{ clean_text('wage_tier') }} as wage_tier_code,
    {{ decode_code('practitioners', 'wage_tier', 'wage_tier') }} as wage_tier,
    {{ to_date('hire_date') }} as hire_date,
    try_cast({{ clean_text('add_value') }} as double) as add_value,
    {{ is_in_current_snapshot(list_table='practitioners') }} as is_in_current_snapshot,
    _dlt_load_id
from source
