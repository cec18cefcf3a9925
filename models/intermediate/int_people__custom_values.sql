-- Client custom field values (custom_<id>) typed per their Bizstim definition and named per
-- the custom_field_map seed (matched on the Bizstim field name, case-insensitively).
-- is_migrated: the field is confirmed in the seed AND the value fits its type (a number that
-- parses, a real date, 0/1 for checkboxes, one of the options for selects). Values that do
-- not fit are listed in migration__quarantine with the value as typed.
with custom_values as (
    select * from {{ ref('stg_bizstim__client_custom_values') }}
    where is_in_current_snapshot and raw_value is not null
),

definitions as (
    select * from {{ ref('stg_bizstim__custom_fields') }}
    where is_in_current_snapshot
),

field_map as (
    select * from {{ ref('custom_field_map') }}
),

identity as (
    select * from {{ ref('int_people__identity') }}
    where source_kind = 'client'
),

joined as (
    select
        identity.person_external_id,
        custom_values.client_id,
        custom_values.custom_field_id,
        custom_values.source_column,
        custom_values.raw_value,
        definitions.field_name as bizstim_field_name,
        definitions.field_type as bizstim_field_type,
        definitions.options,
        field_map.twenty_field_name,
        field_map.twenty_type,
        coalesce(field_map.confirmed, false) as is_confirmed
    from custom_values
    inner join identity on custom_values.client_id = identity.source_id
    left join definitions on custom_values.custom_field_id = definitions.custom_field_id
    left join field_map on lower(trim(field_map.bizstim_field_name)) = lower(definitions.field_name)
),

typed as (
    select
        *,
        case bizstim_field_type
            when 'number' then try_cast(raw_value as double) is not null
            when 'date' then {{ to_date('raw_value') }} is not null
            when 'checkbox' then raw_value in ('0', '1')
            when 'select' then list_contains(options, raw_value)
            when 'text' then true
            when 'textarea' then true
            else false
        end as fits_type,
        try_cast(raw_value as double) as number_value,
        {{ to_date('raw_value') }} as date_value,
        raw_value = '1' as boolean_value,
        {{ to_option_value('raw_value', option_prefix('twenty_field_name')) }}
            as option_value
    from joined
)

select
    *,
    is_confirmed and fits_type and twenty_field_name is not null as is_migrated
from typed
