-- Client custom field definitions; `options` is a "|" list for select fields.
with source as (
    select * from {{ bizstim_source('custom_fields') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as custom_field_id,
    {{ clean_text('name') }} as field_name,
    lower({{ clean_text('"type"') }}) as field_type,
    list_filter(
        list_transform(string_split(coalesce("options", ''), '|'), lambda item: trim(item)),
        lambda item: item <> ''
    ) as options,
    {{ to_flag('required') }} as is_required,
    {{ is_in_current_snapshot(list_table='custom_fields') }} as is_in_current_snapshot
from source
