-- Per Bizstim endpoint (raw table): every column the mapping expects, whether the account
-- served it (present, aliased through seeds/bizstim_field_aliases.csv, or absent), whether
-- bizstim-api.md documents it and what the mapping does without it; then every extra column
-- the account sent that nothing maps (custom_<id> columns are mapped through
-- seeds/custom_field_map.csv; client_details repeats the list fields, read from `clients`).
-- `bizmig scope` and the report read this.
with source_columns as (
    select * from {{ ref('stg_bizstim__source_columns') }}
    where endpoint is not null
),

list_columns as (
    select column_name
    from {{ ref('stg_bizstim__source_columns') }}
    where raw_table = 'clients' and column_status <> 'extra'
)

select
    source_columns.raw_table,
    source_columns.endpoint,
    source_columns.is_table_landed,
    source_columns.column_position,
    source_columns.column_name,
    source_columns.column_status,
    source_columns.read_from,
    source_columns.is_documented,
    source_columns.is_needed,
    source_columns.is_served,
    source_columns.column_status not in ('extra') as is_expected,
    case
        when source_columns.column_status = 'present' and source_columns.alias_column is not null
            then 'Served under its own name; alias ' || source_columns.alias_column
                || ' in seeds/bizstim_field_aliases.csv is not served by this account.'
        when source_columns.column_status = 'present' then null
        when source_columns.column_status = 'aliased'
            then 'Read from ' || source_columns.read_from || ' (seeds/bizstim_field_aliases.csv)'
                || case
                    when source_columns.canonical_also_served
                        then '; the account also serves ' || source_columns.column_name
                            || ', which is ignored.'
                    else '.'
                end
        when source_columns.column_status = 'absent' and not source_columns.is_table_landed
            then 'Nothing landed in raw_bizstim.' || source_columns.raw_table
                || ' (the endpoint is not served, or served no records).'
        when source_columns.column_status = 'absent'
            then 'Not served by this account'
                || coalesce(' (nor its alias ' || source_columns.alias_column || ')', '')
                || ': ' || coalesce(source_columns.if_absent, '') || '.'
        when source_columns.column_status = 'custom_field'
            then 'Custom field value: mapped through seeds/custom_field_map.csv'
                || ' (migration__custom_fields).'
        when list_columns.column_name is not null
            then 'Also served by the clients list, where the mapping reads it.'
        else 'Served by the account, not mapped: nothing reads it.'
    end as note,
    source_columns.column_description
from source_columns
left join list_columns
    on
        source_columns.raw_table = 'client_details'
        and source_columns.column_status = 'extra'
        and source_columns.column_name = list_columns.column_name
order by source_columns.raw_table, source_columns.column_position
