-- twenty__people.custom_fields against the source, independently of the mapping models:
-- * missing: a client in the mart has a value for a field confirmed with decision migrate in
--   seeds/custom_field_map.csv, but the key is absent and the value is not in the quarantine;
-- * not confirmed: a key that is not a confirmed, migrate field (pending and skipped fields,
--   and fields nobody mapped, must never reach Twenty);
-- * duplicate key: the same field twice in one person's object.
with migrated_fields as (
    select
        lower(trim(bizstim_field_name)) as field_key,
        target_field_name
    from {{ ref('custom_field_map') }}
    where confirmed and decision = 'migrate'
),

sent as (
    select
        people.external_id,
        unnest(json_keys(people.custom_fields)) as target_field_name
    from {{ ref('twenty__people') }} as people
),

source_values as (
    select
        'client:' || source_values.client_id as external_id,
        source_values.client_id,
        definitions.field_name as bizstim_field_name,
        migrated_fields.target_field_name
    from {{ ref('stg_bizstim__client_custom_values') }} as source_values
    inner join {{ ref('stg_bizstim__custom_fields') }} as definitions
        on source_values.custom_field_id = definitions.custom_field_id
    inner join migrated_fields on lower(definitions.field_name) = migrated_fields.field_key
    where source_values.is_in_current_snapshot
        and definitions.is_in_current_snapshot
        and source_values.raw_value is not null
),

quarantined_values as (
    select
        source_id,
        "reason"
    from {{ ref('migration__quarantine') }}
    where rule = 'custom_value_not_valid_for_type'
),

missing as (
    select
        'missing' as problem,
        source_values.external_id,
        source_values.target_field_name
    from source_values
    inner join {{ ref('twenty__people') }} as people
        on source_values.external_id = people.external_id
    left join sent
        on source_values.external_id = sent.external_id
            and source_values.target_field_name = sent.target_field_name
    left join quarantined_values
        on cast(source_values.client_id as varchar) = quarantined_values.source_id
            and starts_with(
                quarantined_values."reason",
                'Custom field "' || source_values.bizstim_field_name || '" of client '
            )
    where sent.target_field_name is null and quarantined_values.source_id is null
),

not_confirmed as (
    select
        'not confirmed' as problem,
        sent.external_id,
        sent.target_field_name
    from sent
    left join migrated_fields on sent.target_field_name = migrated_fields.target_field_name
    where migrated_fields.target_field_name is null
),

duplicate_keys as (
    select
        'duplicate key' as problem,
        external_id,
        target_field_name
    from sent
    group by external_id, target_field_name
    having count(*) > 1
)

select * from missing
union all
select * from not_confirmed
union all
select * from duplicate_keys
