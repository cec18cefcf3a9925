-- Locations; status 2 = deleted but still listed by the API.
with source as (
    select * from {{ bizstim_source('locations') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as location_id,
    {{ clean_text('location_status') }} as location_status_code,
    {{ decode_code('locations', 'location_status', 'location_status') }} as location_status,
    {{ clean_text('location_name') }} as location_name,
    {{ clean_text('location_address') }} as address,
    {{ clean_text('location_zipcode') }} as zipcode,
    {{ clean_text('location_city') }} as city,
    {{ clean_text('location_state') }} as state,
    {{ clean_text('location_country') }} as country,
    {{ clean_text('location_p_phone') }} as p_phone,
    {{ clean_text('location_s_phone') }} as s_phone,
    lower({{ clean_text('location_email') }}) as email,
    {{ to_flag('online_booking') }} as online_booking,
    {{ split_id_list('practs') }} as practitioner_ids,
    {{ is_in_current_snapshot(list_table='locations') }} as is_in_current_snapshot
from source
