-- One row per Bizstim client custom field definition with the decision recorded for it in
-- seeds/custom_field_map.csv (matched on the field name, case-insensitively). Every model that
-- needs to know whether a custom field is migrated reads mapping_status from here:
--   migrate     confirmed = true and decision = migrate: values go to custom_fields
--   skip        confirmed = true and decision = skip: reviewed, deliberately not migrated
--   pending     a seed row that is not confirmed yet: `bizmig load` refuses to start
--   not_in_map  no seed row at all: `bizmig map propose` writes one
-- select_options: the seed's "|" list when given, else the options of the Bizstim definition.
-- The definitions come from `customfields`, an endpoint bizstim-api.md does not document. When
-- the account has no current definition at all (endpoint not served), every custom_<id> column
-- of client detail that holds a current value is a field of the account, named `custom_<id>`
-- (definition_source = client_details), as `bizmig map propose` names it in the seed.
with served_definitions as (
    select
        custom_field_id,
        field_name,
        field_type,
        options,
        is_in_current_snapshot,
        'custom_fields' as definition_source
    from {{ ref('stg_bizstim__custom_fields') }}
),

column_fields as (
    select
        custom_field_id,
        source_column as field_name,
        cast([] as varchar[]) as options,
        true as is_in_current_snapshot,
        'client_details' as definition_source
    from {{ ref('stg_bizstim__client_custom_values') }}
    where
        is_in_current_snapshot
        and raw_value is not null
        and not exists (
            select 1 from served_definitions
            where served_definitions.is_in_current_snapshot
        )
    group by custom_field_id, source_column
),

definitions as (
    select * from served_definitions
    union all by name
    select * from column_fields
),

field_map as (
    select
        lower(trim(bizstim_field_name)) as field_key,
        nullif(trim(target_field_name), '') as target_field_name,
        upper(trim(target_field_type)) as target_field_type,
        coalesce(nullif(trim("label"), ''), trim(bizstim_field_name)) as "label",
        list_filter(
            list_transform(
                string_split(coalesce(select_options, ''), '|'), lambda item: trim(item)
            ),
            lambda item: item <> ''
        ) as mapped_options,
        lower(trim(decision)) as decision,
        coalesce(confirmed, false) as is_confirmed
    from {{ ref('custom_field_map') }}
)

select
    definitions.custom_field_id,
    definitions.field_name as bizstim_field_name,
    definitions.field_type as bizstim_field_type,
    definitions.is_in_current_snapshot,
    definitions.definition_source,
    field_map.target_field_name,
    field_map.target_field_type,
    field_map."label",
    case
        when len(field_map.mapped_options) > 0 then field_map.mapped_options
        else definitions.options
    end as select_options,
    case
        when field_map.field_key is null then 'not_in_map'
        when not field_map.is_confirmed then 'pending'
        when field_map.decision = 'migrate' then 'migrate'
        when field_map.decision = 'skip' then 'skip'
        -- any other decision fails the seed's accepted_values test; until fixed: undecided
        else 'pending'
    end as mapping_status
from definitions
left join field_map on lower(definitions.field_name) = field_map.field_key
