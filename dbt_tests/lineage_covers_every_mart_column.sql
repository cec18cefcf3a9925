-- Every column the Twenty marts actually have is documented in migration__lineage with a
-- source and a deriving model (and lineage names no column that does not exist).
with actual as (
    select table_name as mart_model, column_name as mart_column
    from information_schema.columns
    where table_schema = '{{ ref("twenty__people").schema }}'
        and table_name like 'twenty\_\_%' escape '\'
),

documented as (
    select mart_model, mart_column
    from {{ ref('migration__lineage') }}
    where source_columns <> '' and derived_in_model <> ''
)

select 'undocumented' as problem, actual.*
from actual
left join documented using (mart_model, mart_column)
where documented.mart_column is null
union all
select 'not in mart' as problem, documented.*
from documented
left join actual using (mart_model, mart_column)
where actual.mart_column is null
