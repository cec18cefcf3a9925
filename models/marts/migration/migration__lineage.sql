-- For every column of every Twenty mart: where it comes from (source table/columns) and the
-- model that derives it. Built from the `meta.lineage` of each column in
-- models/marts/twenty/_twenty__*.yml, so documentation and lineage cannot drift apart;
-- the singular test lineage_covers_every_mart_column checks no column lacks an entry.
-- Built after every mart, so the lineage test compares against finished tables:
-- depends_on: {{ ref('twenty__people') }}
-- depends_on: {{ ref('twenty__service_groups') }}
-- depends_on: {{ ref('twenty__services') }}
-- depends_on: {{ ref('twenty__locations') }}
-- depends_on: {{ ref('twenty__payments') }}
-- depends_on: {{ ref('twenty__sessions') }}
-- depends_on: {{ ref('twenty__availability_windows') }}
-- depends_on: {{ ref('twenty__notes') }}
-- depends_on: {{ ref('twenty__note_targets') }}
-- noqa: disable=all
{%- set entries = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') -%}
        {%- if node.name.startswith('twenty__') -%}
            {%- for column in node.columns.values() -%}
                {%- set lineage = column.meta.get('lineage', {}) -%}
                {%- do entries.append({
                    'mart': node.name,
                    'object': node.config.meta.get('twenty_object', ''),
                    'column': column.name,
                    'data_type': column.data_type or '',
                    'source': lineage.get('source', ''),
                    'derived_in': lineage.get('derived_in', ''),
                }) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

{% if entries | length > 0 -%}
select
    mart_model,
    twenty_object,
    mart_column,
    data_type,
    source_columns,
    derived_in_model,
    mart_column in ('external_id', 'row_hash') or contains(mart_column, '__') as is_bookkeeping
from (
    values
    {%- for entry in entries %}
    (
        '{{ entry.mart }}', '{{ entry.object }}', '{{ entry.column }}',
        '{{ entry.data_type | replace("'", "''") }}', '{{ entry.source | replace("'", "''") }}',
        '{{ entry.derived_in }}'
    ){{ "," if not loop.last }}
    {%- endfor %}
) as lineage (
    mart_model, twenty_object, mart_column, data_type, source_columns, derived_in_model
)
{%- else -%}
select
    cast(null as varchar) as mart_model,
    cast(null as varchar) as twenty_object,
    cast(null as varchar) as mart_column,
    cast(null as varchar) as data_type,
    cast(null as varchar) as source_columns,
    cast(null as varchar) as derived_in_model,
    cast(null as boolean) as is_bookkeeping
where false
{%- endif %}
