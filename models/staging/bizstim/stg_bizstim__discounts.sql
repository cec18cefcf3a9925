-- Discount codes (no Twenty object: excluded by rule, kept here for auditors).
with source as (
    select * from {{ bizstim_source('discounts') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as discount_id,
    {{ to_integer('uses') }} as uses_per_client,
    {{ to_flag('secret') }} as is_secret,
    {{ to_date('expires') }} as expires_on,
    {{ clean_text('code') }} as code,
    {{ to_flag('fixed') }} as is_fixed_amount,
    {{ to_flag('"type"') }} as is_additional_credit,
    {{ to_money('amount') }} as amount,
    {{ split_id_list('services') }} as service_ids,
    {{ is_in_current_snapshot(list_table='discounts') }} as is_in_current_snapshot
from source
