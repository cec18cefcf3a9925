-- Every custom value a Freshsales mart sends has a field the loader can check and the admin can
-- create, so no record is refused for a field or choice the build could have caught:
--   * each cf_ column of freshsales__<module> has its row in seeds/freshsales_fields.csv
--     (module, name) and each seed row a column, except cf_bizstim_id, which the loader fills
--     from external_id (a mart column of that name would be sent twice);
--   * the column's type fits the field's: date -> DATE, number -> a numeric type, checkbox ->
--     BOOLEAN, text / paragraph / dropdown -> VARCHAR;
--   * a dropdown value is one of the seed's choice labels (Freshsales takes the label), unless
--     the seed leaves the choices blank (the account's data: the loader lists the mart's).
-- depends_on: {{ ref('freshsales__sales_accounts') }}
-- depends_on: {{ ref('freshsales__contacts') }}
-- depends_on: {{ ref('freshsales__products') }}
-- depends_on: {{ ref('freshsales__deals') }}
{%- set modules = ['sales_accounts', 'contacts', 'products', 'deals'] %}
with fields as (
    select * from {{ ref('freshsales_fields') }}
),

columns_of_marts as (
    {%- for module in modules %}
        {%- set columns = adapter.get_columns_in_relation(ref('freshsales__' ~ module))
            if execute else [] %}
        {{ "union all" if not loop.first }}
        select
            '{{ module }}' as module,
            null as name,  -- noqa: RF04
            null as column_type
        where false
        {%- for column in columns if column.name.startswith('cf_') %}
            union all
            select
                '{{ module }}' as module,
                '{{ column.name }}' as name,  -- noqa: RF04
                '{{ column.dtype | lower }}' as column_type
        {%- endfor %}
    {%- endfor %}
),

declaration_failures as (
    select
        coalesce(columns_of_marts.module, fields.module) as module,
        coalesce(columns_of_marts.name, fields.name) as field_name,
        case
            when fields.name is null then 'mart column without a seeds/freshsales_fields.csv row'
            when fields.name = 'cf_bizstim_id' then 'cf_bizstim_id is filled by the loader'
            when columns_of_marts.name is null then 'seed row that no mart column fills'
            else 'column type ' || columns_of_marts.column_type || ' for a ' || fields.type
                || ' field'
        end as failure,
        null as failing_value
    from columns_of_marts
    full outer join fields
        on columns_of_marts.module = fields.module and columns_of_marts.name = fields.name
    where fields.name is null
        or (columns_of_marts.name is null) <> (fields.name = 'cf_bizstim_id')
        or (fields.type = 'date' and columns_of_marts.column_type <> 'date')
        or (fields.type = 'checkbox' and columns_of_marts.column_type <> 'boolean')
        or (
            fields.type = 'number'
            and columns_of_marts.column_type not in ('double', 'integer', 'bigint', 'float')
            and not starts_with(columns_of_marts.column_type, 'decimal')
        )
        or (
            fields.type in ('text', 'paragraph', 'dropdown')
            and columns_of_marts.column_type <> 'varchar'
        )
),

choice_failures as (
    select
        'none' as module,
        null as field_name,
        null as failure,
        null as failing_value
    where false
    {%- for module in modules %}
        {%- set columns = adapter.get_columns_in_relation(ref('freshsales__' ~ module))
            if execute else [] %}
        {%- for column in columns if column.name.startswith('cf_')
            and column.dtype | lower == 'varchar' %}
            union all
            select
                '{{ module }}' as module,
                fields.name as field_name,
                'not a choice of the seed' as failure,
                marts.{{ column.name }} as failing_value
            from {{ ref('freshsales__' ~ module) }} as marts
            inner join fields
                on fields.module = '{{ module }}' and fields.name = '{{ column.name }}'
            where fields.type = 'dropdown'
                and fields.choices is not null
                and marts.{{ column.name }} is not null
                and not list_contains(string_split(fields.choices, '|'), marts.{{ column.name }})
        {%- endfor %}
    {%- endfor %}
)

select * from declaration_failures
union all
select * from choice_failures
