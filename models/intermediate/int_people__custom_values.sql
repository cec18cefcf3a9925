-- Client custom field values (custom_<id>), one row per client and field with a value, typed
-- per the target_field_type chosen in seeds/custom_field_map.csv (int_custom_fields__mapping):
--   TEXT     the value as typed
--   NUMBER   a plain decimal number (12, -7.5, 1e3); "n/a", "1,5" … do not fit
--   DATE     YYYY-MM-DD (MySQL's 0000-00-00 and impossible dates do not fit), sent as text
--   BOOLEAN  1/0, true/false, yes/no (any case)
--   SELECT   one of the field's options exactly; sent as its UPPER_SNAKE option value
-- json_value is the typed value as JSON (string, number, boolean, "YYYY-MM-DD" or option
-- value), the form a destination's JSON API takes; is_migrated: the field's
-- mapping_status is migrate AND the value fits. Values of migrated fields that do not fit are
-- listed in migration__quarantine (rule custom_value_not_valid_for_type) with the raw value.
with custom_values as (
    select * from {{ ref('stg_bizstim__client_custom_values') }}
    where is_in_current_snapshot and raw_value is not null
),

mapping as (
    select * from {{ ref('int_custom_fields__mapping') }}
    where is_in_current_snapshot
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
        mapping.bizstim_field_name,
        mapping.bizstim_field_type,
        mapping.target_field_name,
        mapping.target_field_type,
        mapping.select_options,
        coalesce(mapping.mapping_status, 'no_definition') as mapping_status
    from custom_values
    inner join identity on custom_values.client_id = identity.source_id
    left join mapping on custom_values.custom_field_id = mapping.custom_field_id
),

parsed as (
    select
        *,
        case
            when regexp_full_match(raw_value, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?')
                then cast(raw_value as double)
        end as number_value,
        {{ to_date('raw_value') }} as date_value,
        case
            when lower(raw_value) in ('1', 'true', 'yes') then true
            when lower(raw_value) in ('0', 'false', 'no') then false
        end as boolean_value,
        {{ to_option_value('raw_value', option_prefix('target_field_name')) }}
            as option_value
    from joined
),

typed as (
    select
        *,
        case target_field_type
            when 'TEXT' then true
            when 'NUMBER' then number_value is not null and isfinite(number_value)
            when 'DATE' then date_value is not null
            when 'BOOLEAN' then boolean_value is not null
            when 'SELECT' then coalesce(list_contains(select_options, raw_value), false)
            else false
        end as fits_type
    from parsed
)

select
    *,
    mapping_status = 'migrate' and fits_type as is_migrated,
    case
        when mapping_status = 'migrate' and fits_type
            then case target_field_type
                    when 'TEXT' then to_json(raw_value)
                    when 'NUMBER' then to_json(number_value)
                    when 'DATE' then to_json(strftime(date_value, '%Y-%m-%d'))
                    when 'BOOLEAN' then to_json(boolean_value)
                    when 'SELECT' then to_json(option_value)
                end
    end as json_value
from typed
