-- Weekly availability schedules (availability/{id}); times stay "HH:MM" text here and are
-- unpivoted and validated in int_availability__windows.
with source as (
    select * from {{ bizstim_source('availability') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as availability_id,
    {{ clean_text('label') }} as label,
    {{ to_date('"start"') }} as valid_from,
    {{ clean_text('"start"') }} as valid_from_raw,
    {{ to_date('"end"') }} as valid_until,
    {{ clean_text('"end"') }} as valid_until_raw,
    {%- for day in ['m', 't', 'w', 'r', 'f', 'sat', 'sun'] %}
        {{ clean_text(day ~ '_availf') }} as {{ day }}_from,
        {{ clean_text(day ~ '_availt') }} as {{ day }}_to,
    {%- endfor %}
    {{ is_in_current_snapshot() }} as is_in_current_snapshot
from source
