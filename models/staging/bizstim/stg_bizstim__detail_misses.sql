-- Detail calls that answered 404: the record vanished between the list and the detail call.
with source as (
    select * from {{ bizstim_source('detail_misses') }}
)

select
    id as miss_id,
    {{ clean_text('method') }} as method,
    {{ clean_text('record_id') }} as record_id,
    {{ to_integer('record_id') }} as record_id_number,
    {{ clean_text('status') }} as http_status,
    {{ clean_text('body') }} as response_body,
    {{ is_in_current_snapshot() }} as is_in_current_snapshot
from source
