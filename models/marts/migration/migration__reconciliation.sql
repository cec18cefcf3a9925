-- Per Twenty object and source table: how many source rows there are (counted straight from
-- staging), and how many were mapped, quarantined or excluded by a named rule. The singular
-- test reconciliation_adds_up checks source_rows = mapped + quarantined + excluded and that
-- the distinct records the mapped rows became equal the rows of the object's mart.
-- migration_scope says what the build migrates: 'full', or a pilot ('pilot sample_clients=10');
-- in a pilot, source rows outside the sample are excluded by the rule outside_pilot_sample.
{%- set source_counts = [
    ('clients', "select count(*) from " ~ ref('stg_bizstim__clients')),
    ('practitioners', "select count(*) from " ~ ref('stg_bizstim__practitioners')),
    ('staffs', "select count(*) from " ~ ref('stg_bizstim__staffs')),
    ('client_details', "select count(*) from " ~ ref('stg_bizstim__client_details')),
    ('meetourstaff', "select count(*) from " ~ ref('stg_bizstim__meetourstaff')),
    ('availability (schedule x weekday)',
        "select 7 * count(*) from " ~ ref('stg_bizstim__availability')),
    ('services', "select count(*) from " ~ ref('stg_bizstim__services')),
    ('services (distinct group_id)',
        "select count(distinct group_id) from " ~ ref('stg_bizstim__services')),
    ('locations', "select count(*) from " ~ ref('stg_bizstim__locations')),
    ('sessions', "select count(*) from " ~ ref('stg_bizstim__sessions')),
    ('payments', "select count(*) from " ~ ref('stg_bizstim__payments')),
    ('client_details (notes)', "select count(*) from " ~ ref('stg_bizstim__client_details')),
    ('users', "select count(*) from " ~ ref('stg_bizstim__users')),
    ('custom_fields', "select count(*) from " ~ ref('stg_bizstim__custom_fields')),
    ('client_details (custom_<id> columns)',
        "select count(distinct custom_field_id) from " ~ ref('stg_bizstim__client_custom_values')
        ~ " where is_in_current_snapshot and raw_value is not null and not exists (select 1 from "
        ~ ref('stg_bizstim__custom_fields') ~ " where is_in_current_snapshot)"),
    ('discounts', "select count(*) from " ~ ref('stg_bizstim__discounts')),
] -%}
{%- set mart_counts = [
    ('person', 'twenty__people'),
    ('serviceGroup', 'twenty__service_groups'),
    ('tutoringService', 'twenty__services'),
    ('serviceLocation', 'twenty__locations'),
    ('payment', 'twenty__payments'),
    ('tutoringSession', 'twenty__sessions'),
    ('availabilityWindow', 'twenty__availability_windows'),
    ('note', 'twenty__notes'),
    ('noteTarget', 'twenty__note_targets'),
    ('workspaceMember (owner lookup)', 'migration__owner_lookup'),
] %}

with dispositions as (
    select * from {{ ref('int_migration__dispositions') }}
),

source_rows as (
    {%- for table_name, count_sql in source_counts %}
        {{ "union all" if not loop.first }}
        select
            '{{ table_name }}' as source_table,
            ({{ count_sql }}) as source_rows
    {%- endfor %}
),

mart_rows as (
    {%- for object_name, mart in mart_counts %}
        {{ "union all" if not loop.first }}
        select
            '{{ object_name }}' as object_name,
            count(*) as mart_rows
        from {{ ref(mart) }}
    {%- endfor %}
),

per_object as (
    select
        object_name,
        count(distinct target_external_id) as mapped_records
    from dispositions
    group by object_name
),

rule_counts as (
    select
        object_name,
        source_table,
        disposition,
        rule,
        count(*) as rule_rows
    from dispositions
    group by object_name, source_table, disposition, rule
),

counted as (
    select
        object_name,
        source_table,
        cast(
            coalesce(sum(rule_rows) filter (where disposition = 'mapped'), 0) as bigint
        ) as mapped,
        cast(
            coalesce(sum(rule_rows) filter (where disposition = 'quarantined'), 0) as bigint
        ) as quarantined,
        cast(
            coalesce(sum(rule_rows) filter (where disposition = 'excluded'), 0) as bigint
        ) as excluded,
        map_from_entries(
            coalesce(
                list({ 'key': rule, 'value': rule_rows } order by rule)
                filter (where rule is not null),
                []
            )
        ) as rows_per_rule
    from rule_counts
    group by object_name, source_table
)

select
    counted.object_name,
    counted.source_table,
    coalesce(source_rows.source_rows, 0) as source_rows,
    counted.mapped,
    counted.quarantined,
    counted.excluded,
    coalesce(source_rows.source_rows, 0) = counted.mapped + counted.quarantined + counted.excluded
        as adds_up,
    per_object.mapped_records as object_mapped_records,
    mart_rows.mart_rows as object_mart_rows,
    counted.rows_per_rule,
    '{{ pilot_label() }}' as migration_scope
from counted
left join source_rows on counted.source_table = source_rows.source_table
left join per_object on counted.object_name = per_object.object_name
left join mart_rows on counted.object_name = mart_rows.object_name
order by counted.object_name, counted.source_table
