-- The columns of every raw Bizstim table as staging reads them (macro bizstim_source): one row
-- per column _bizstim__sources.yml declares (present, aliased through
-- seeds/bizstim_field_aliases.csv, or absent: not served by this account) and per extra column
-- the account served that nothing declares. Computed when the model is built, from the raw
-- tables as they are; models that must know whether a column was served read it here.
-- depends_on: {{ ref('bizstim_field_aliases') }}
-- noqa: disable=all
{%- set rows = [] -%}
{%- if execute -%}
    {%- for node in graph.sources.values() | selectattr('source_name', 'equalto', 'bizstim') -%}
        {%- if node.columns | length > 0 -%}
            {%- set table_meta = node.meta or (node.config or {}).get('meta') or {} -%}
            {%- set plan = bizstim_column_plan(node.name) -%}
            {%- for column in plan.columns -%}
                {%- do rows.append({
                    'table': node.name, 'endpoint': table_meta.get('endpoint'),
                    'found': plan.table_found, 'position': loop.index,
                    'column': column.name, 'status': column.status,
                    'read_from': column.read_from, 'alias': column.alias,
                    'canonical_served': column.canonical_served,
                    'documented': column.meta.get('documented'),
                    'needed': column.meta.get('needed', false),
                    'if_absent': column.meta.get('if_absent'),
                    'description': column.description,
                }) -%}
            {%- endfor -%}
            {%- for name in plan.extra -%}
                {%- do rows.append({
                    'table': node.name, 'endpoint': table_meta.get('endpoint'),
                    'found': true, 'position': plan.columns | length + loop.index,
                    'column': name,
                    'status': 'custom_field' if (node.name == 'client_details'
                        and modules.re.fullmatch('custom_[0-9]+', name)) else 'extra',
                    'read_from': name, 'alias': none, 'canonical_served': true,
                    'documented': none, 'needed': false, 'if_absent': none,
                    'description': none,
                }) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

{% if rows | length > 0 -%}
select
    raw_table,
    endpoint,
    is_table_landed,
    column_position,
    column_name,
    column_status,
    read_from,
    alias_column,
    canonical_also_served,
    is_documented,
    is_needed,
    if_absent,
    column_description,
    column_status in ('present', 'aliased', 'extra', 'custom_field') as is_served
from (
    values
    {%- for row in rows %}
    (
        {{ sql_literal(row.table) }}, {{ sql_literal(row.endpoint) }}, {{ sql_literal(row.found) }},
        {{ sql_literal(row.position) }}, {{ sql_literal(row.column) }}, {{ sql_literal(row.status) }},
        {{ sql_literal(row.read_from) }}, {{ sql_literal(row.alias) }},
        {{ sql_literal(row.canonical_served) }}, cast({{ sql_literal(row.documented) }} as boolean),
        {{ sql_literal(row.needed) }}, {{ sql_literal(row.if_absent) }},
        {{ sql_literal(row.description) }}
    ){{ "," if not loop.last }}
    {%- endfor %}
) as source_columns (
    raw_table, endpoint, is_table_landed, column_position, column_name, column_status,
    read_from, alias_column, canonical_also_served, is_documented, is_needed, if_absent,
    column_description
)
{%- else -%}
select
    cast(null as varchar) as raw_table,
    cast(null as varchar) as endpoint,
    cast(null as boolean) as is_table_landed,
    cast(null as integer) as column_position,
    cast(null as varchar) as column_name,
    cast(null as varchar) as column_status,
    cast(null as varchar) as read_from,
    cast(null as varchar) as alias_column,
    cast(null as boolean) as canonical_also_served,
    cast(null as boolean) as is_documented,
    cast(null as boolean) as is_needed,
    cast(null as varchar) as if_absent,
    cast(null as varchar) as column_description,
    cast(null as boolean) as is_served
where false
{%- endif %}
