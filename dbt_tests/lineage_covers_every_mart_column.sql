-- Every column the Twenty marts actually have is documented in migration__lineage with a
-- source and a deriving model (and lineage names no column that does not exist).
with actual as (
    select
        table_name as mart_model,
        column_name as mart_column
    from information_schema.columns
    where
        table_schema = '{{ ref("twenty__people").schema }}'
        and starts_with(table_name, 'twenty__')
),

documented as (
    select
        mart_model,
        mart_column
    from {{ ref('migration__lineage') }}
    where source_columns <> '' and derived_in_model <> ''
),

undocumented as (
    select
        'undocumented' as problem,
        actual.mart_model,
        actual.mart_column
    from actual
    left join documented
        on
            actual.mart_model = documented.mart_model
            and actual.mart_column = documented.mart_column
    where documented.mart_column is null
),

not_in_mart as (
    select
        'not in mart' as problem,
        documented.mart_model,
        documented.mart_column
    from documented
    left join actual
        on
            documented.mart_model = actual.mart_model
            and documented.mart_column = actual.mart_column
    where actual.mart_column is null
)

select * from undocumented
union all
select * from not_in_mart
