-- The custom_<id> columns of client/{id}, one row per client and custom field id (long
-- format, so the set of custom fields can differ per account). Blank values are kept as
-- NULL rows so every field of every client is visible to auditors.
-- depends_on: {{ ref('bizstim_field_aliases') }}
{%- set custom_columns = [] -%}
{%- for column in bizstim_source_columns('client_details') -%}
    {%- if modules.re.fullmatch('custom_[0-9]+', column) -%}
        {%- do custom_columns.append(column) -%}
    {%- endif -%}
{%- endfor %}

{% if custom_columns | length > 0 -%}
    with unpivoted as (
        unpivot (
            select
                id,
                _dlt_load_id,
            {%- for column in custom_columns %}
                "{{ column }}"{{ "," if not loop.last }}
            
            {%- endfor %}
            from {{ bizstim_source('client_details', passthrough=custom_columns) }}
        )
        on {% for column in custom_columns %}            "{{ column }}"{{ ", " if not loop.last }}                        {% endfor %}
        into name source_column value raw_value
    )

    select
        id as client_source_id,
        {{ to_integer('id') }} as client_id,
        source_column,
        cast(replace(source_column, 'custom_', '') as bigint) as custom_field_id,
        {{ clean_text('raw_value') }} as raw_value,
        {{ is_in_current_snapshot() }} as is_in_current_snapshot
    from unpivoted
{%- else -%}
select
    cast(null as varchar) as client_source_id,
    cast(null as bigint) as client_id,
    cast(null as varchar) as source_column,
    cast(null as bigint) as custom_field_id,
    cast(null as varchar) as raw_value,
    cast(null as boolean) as is_in_current_snapshot
where false
{%- endif %}
