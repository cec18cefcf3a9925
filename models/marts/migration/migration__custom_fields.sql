-- The custom-field mapping decisions as they apply to this account: one row per client custom
-- field the account has (current definitions) with its decision from
-- seeds/custom_field_map.csv, plus one row per seed row naming a field the account does not
-- have (not_in_account: kept for other accounts, applies to nothing here). Only a field the
-- account has can be pending, so `bizmig load` refuses (exit 6) exactly while a row has
-- blocks_load; an account without custom fields has nothing pending.
with account_fields as (
    select * from {{ ref('int_custom_fields__mapping') }}
    where is_in_current_snapshot
),

seed_rows as (
    select
        trim(bizstim_field_name) as bizstim_field_name,
        nullif(trim(target_field_name), '') as target_field_name,
        upper(trim(target_field_type)) as target_field_type,
        coalesce(confirmed, false) as is_confirmed,
        lower(trim(decision)) as decision
    from {{ ref('custom_field_map') }}
),

unioned as (
    select
        bizstim_field_name,
        custom_field_id,
        bizstim_field_type,
        target_field_name,
        target_field_type,
        mapping_status as decision_status
    from account_fields

    union all by name
    select
        seed_rows.bizstim_field_name,
        seed_rows.target_field_name,
        seed_rows.target_field_type,
        'not_in_account' as decision_status
    from seed_rows
    left join account_fields
        on lower(seed_rows.bizstim_field_name) = lower(account_fields.bizstim_field_name)
    where account_fields.custom_field_id is null
)

select
    *,
    decision_status = 'pending' as blocks_load,
    case decision_status
        when 'migrate'
            then 'Migrated to person.' || target_field_name || ' (' || target_field_type || ').'
        when 'skip' then 'Reviewed: not migrated.'
        when 'pending'
            then 'Not decided yet: `bizmig map confirm ' || bizstim_field_name || '` (or --skip),'
                || ' then dbt build; `bizmig load` refuses until then.'
        when 'not_in_map'
            then 'Not in seeds/custom_field_map.csv: `bizmig map propose` adds it; its values are'
                || ' not migrated until then (quarantined: custom_field_not_in_map).'
        when 'not_in_account'
            then 'This account has no such custom field: the decision applies to nothing here.'
    end as note
from unioned
order by decision_status = 'not_in_account', bizstim_field_name
