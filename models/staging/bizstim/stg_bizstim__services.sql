-- Services; group_id "0" means a standalone service, otherwise `name` is the group name.
with source as (
    select * from {{ bizstim_source('services') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as service_id,
    nullif({{ to_integer('group_id') }}, 0) as group_id,
    {{ to_integer('group_num') }} as group_num,
    {{ clean_text('service_description') }} as service_description,
    {{ to_money('service_cost') }} as service_cost,
    {{ clean_text('service_cost') }} as service_cost_raw,
    {{ to_money('service_default_wage') }} as service_default_wage,
    {{ clean_text('service_default_wage') }} as service_default_wage_raw,
    {{ to_flag('service_taxable') }} as is_taxable,
    {{ decode_code('services', 'service_type', 'service_type') }} as pricing_model,
    {{ clean_text('service_status') }} as service_status_code,
    {{ decode_code('services', 'service_status', 'service_status') }} as service_status,
    {{ to_flag('online_booking') }} as online_booking,
    {{ to_integer('min_duration') }} as min_duration,
    {{ to_integer('max_duration') }} as max_duration,
    {{ decode_code('services', 'start_interval', 'start_interval') }} as start_interval,
    {{ clean_text('name') }} as group_name,
    {{ is_in_current_snapshot(list_table='services') }} as is_in_current_snapshot
from source
