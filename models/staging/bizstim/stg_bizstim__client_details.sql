-- client/{id} detail fields (the list fields are taken from stg_bizstim__clients).
-- custom_<id> columns are unpivoted separately in stg_bizstim__client_custom_values.
with source as (
    select * from {{ bizstim_source('client_details') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as client_id,
    {{ clean_text('status') }} as status_code,
    {{ decode_code('client_details', 'status', 'status') }} as status,
    {{ clean_text('notes') }} as notes,
    {{ clean_text('start_date') }} as start_date_raw,
    {{ to_date('start_date') }} as start_date,
    {{ clean_text('timezone') }} as timezone,
    {{ clean_text('meeting_url') }} as meeting_url,
    {{ split_id_list('service_id') }} as service_ids,
    {{ clean_text('min_time') }} as min_time,
    {{ clean_text('max_time') }} as max_time,
    {{ to_integer('slot_duration') }} as slot_duration,
    {{ clean_text('slot_duration') }} as slot_duration_raw,
    {{ to_integer('session_limit') }} as session_limit,
    {{ clean_text('session_limit') }} as session_limit_raw,
    {{ is_in_current_snapshot() }} as is_in_current_snapshot,
    _dlt_load_id
from source
