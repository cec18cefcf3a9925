-- Sessions (appointments). Date and times are local to the account time zone; UTC
-- conversion happens in int_sessions__scheduled.
with source as (
    select * from {{ bizstim_source('sessions') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as session_id,
    {{ to_flag('confirmed') }} as is_confirmed,
    {{ to_flag('multi') }} as is_group_session,
    {{ to_integer('slots') }} as slots,
    nullif({{ to_integer('class_id') }}, 0) as class_id,
    {{ to_flag('display') }} as is_displayed,
    nullif({{ to_integer('pract_d') }}, 0) as practitioner_id,
    nullif({{ to_integer('wage_id') }}, 0) as wage_id,
    nullif({{ to_integer('client_id') }}, 0) as client_id,
    nullif({{ to_integer('client_due_id') }}, 0) as client_due_id,
    {{ clean_text('cancel_clients') }} as cancel_clients,
    nullif({{ to_integer('temp') }}, 0) as original_session_id,
    nullif({{ to_integer('service_id') }}, 0) as service_id,
    nullif({{ to_integer('location_id') }}, 0) as location_id,
    nullif({{ to_integer('recurr_id') }}, 0) as recurrence_id,
    {{ to_flag('recurr_on') }} as is_recurring,
    {{ clean_text('qb_invoice_id') }} as qb_invoice_id,
    {{ clean_text('session_status') }} as session_status_code,
    {{ decode_code('sessions', 'session_status', 'session_status') }} as session_status,
    {{ to_date('session_date') }} as session_date,
    {{ clean_text('session_date') }} as session_date_raw,
    {{ clean_text('start_time') }} as start_time,
    {{ clean_text('end_time') }} as end_time,
    {{ hhmm_to_minutes('start_time') }} as start_minute,
    {{ hhmm_to_minutes('end_time') }} as end_minute,
    {{ to_integer('duration') }} as duration_minutes,
    {{ clean_text('session_notes') }} as session_notes,
    {{ clean_text('ondemand_link') }} as ondemand_link,
    {{ is_in_current_snapshot(list_table='sessions') }} as is_in_current_snapshot
from source
