-- Payments ("revenues"): client_id may name a client that was deleted in Bizstim; a negative
-- amount is a refund. amount keeps every decimal the source gives (up to micros).
with source as (
    select * from {{ bizstim_source('payments') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as payment_id,
    {{ to_integer('client_id') }} as client_id,
    nullif({{ clean_text('qb_payment_id') }}, '0') as qb_payment_id,
    {{ clean_text('revenue_amount') }} as amount_raw,
    {{ to_money('revenue_amount') }} as amount,
    {{ money_decimals('revenue_amount') }} as amount_decimals,
    {{ to_money('revenue_tax') }} as tax_amount,
    {{ clean_text('revenue_date') }} as payment_date_raw,
    {{ to_date('revenue_date') }} as payment_date,
    {{ clean_text('revenue_credit') }} as payment_kind_code,
    {{ decode_code('payments', 'revenue_credit', 'revenue_credit') }} as payment_kind,
    {{ clean_text('revenue_note') }} as note,
    {{ is_in_current_snapshot(list_table='payments') }} as is_in_current_snapshot
from source
