-- A custom field confirmed in seeds/custom_field_map.csv must have its column in
-- twenty__people (add it to the mart SQL and its contract when you confirm a new field).
select field_map.twenty_field_name
from {{ ref('custom_field_map') }} as field_map
left join information_schema.columns as mart_columns
    on mart_columns.table_schema = '{{ ref("twenty__people").schema }}'
        and mart_columns.table_name = 'twenty__people'
        and field_map.twenty_field_name = mart_columns.column_name
where field_map.confirmed and mart_columns.column_name is null
