-- Every SELECT / MULTI_SELECT option the marts can send, for the loader to create the fields:
-- the static options of seeds/twenty_select_options.csv plus the options of the migrated custom
-- SELECT fields (the seed's select_options, else the Bizstim definition's options).
with static_options as (
    select
        object_name,
        field_name,
        "value",
        "label",
        "position"
    from {{ ref('twenty_select_options') }}
),

custom_selects as (
    select
        target_field_name,
        select_options as options
    from {{ ref('int_custom_fields__mapping') }}
    where is_in_current_snapshot
        and mapping_status = 'migrate'
        and target_field_type = 'SELECT'
),

custom_options as (
    select
        'person' as object_name,
        custom_selects.target_field_name as field_name,
        {{ to_option_value(
            'option_item.option_label', option_prefix('custom_selects.target_field_name')
        ) }} as "value",
        option_item.option_label as "label",
        cast(option_item.option_position - 1 as bigint) as "position"
    from custom_selects,
        unnest(custom_selects.options) with ordinality
            as option_item (option_label, option_position)
)

select * from static_options
union all
select * from custom_options
