-- Every row of seeds/bizstim_field_aliases.csv names a raw table and a column declared in
-- _bizstim__sources.yml: an alias for anything else would silently apply to nothing.
select aliases.*
from {{ ref('bizstim_field_aliases') }} as aliases
left join {{ ref('stg_bizstim__source_columns') }} as declared
    on
        lower(trim(aliases.source_table)) = declared.raw_table
        and lower(trim(aliases.canonical_column)) = lower(declared.column_name)
        and declared.column_status in ('present', 'aliased', 'absent')
where declared.raw_table is null
