{#- Read a raw_bizstim table, or an empty relation of the given columns when the extraction
    never created it (dlt creates a table only when a row arrives: a tiny account may have no
    detail_misses, no custom_fields, ...). Staging models call this instead of source(). -#}
{% macro bizstim_source(table_name, columns) -%}
    {%- set relation = source('bizstim', table_name) -%}
    {%- set found = existing_raw_relation(table_name) -%}
    {%- if found is not none or not execute -%}
        {{ relation }}
    {%- else -%}
        (
            select
            {%- for column in columns %}
                cast(null as varchar) as "{{ column }}",
            {%- endfor %}
                cast(null as varchar) as _dlt_load_id,
                cast(null as varchar) as _dlt_id
            where false
        )
    {%- endif -%}
{%- endmacro %}


{#- The columns of a raw table that exist right now (empty list when the table is absent). -#}
{% macro bizstim_source_columns(table_name) -%}
    {%- set found = existing_raw_relation(table_name) -%}
    {%- if found is none -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(adapter.get_columns_in_relation(found) | map(attribute='name') | list) }}
{%- endmacro %}


{#- The raw table if dlt created it, else none (none while parsing, too). -#}
{% macro existing_raw_relation(table_name) -%}
    {%- set relation = source('bizstim', table_name) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    )) }}
{%- endmacro %}


{#- Start (epoch seconds) of the current snapshot: the latest *completed* extraction cycle.
    Rows whose _dlt_load_id is older were not re-delivered by that cycle, i.e. the record
    disappeared from Bizstim (dlt merges never delete). Without any completed cycle (or
    without the cycles table) every row counts as current. -#}
{% macro current_snapshot_started_at() -%}
    {%- set relation = existing_raw_relation('_bizmig_extract_cycles') -%}
    {%- if relation is none -%}
        cast(0 as double)
    {%- else -%}
        coalesce((
            select max(cycles.started_at)
            from {{ relation }} as cycles
            where cycles.cycle = (
                select max(done.cycle) from {{ relation }} as done
                where done.completed_at is not null
            )
        ), cast(0 as double))
    {%- endif -%}
{%- endmacro %}


{#- Start of a list table's snapshot: its last listing pass in the current cycle when the
    extraction had to list it again (pages shifted under it, see ingest/source.py), else the
    cycle's start. -#}
{% macro list_snapshot_started_at(table_name) -%}
    {%- set relation = existing_raw_relation('_bizmig_list_passes') -%}
    {%- if relation is none -%}
        {{ current_snapshot_started_at() }}
    {%- else -%}
        greatest({{ current_snapshot_started_at() }}, coalesce((
            select max(passes.started_at)
            from {{ relation }} as passes
            where passes.table_name = '{{ table_name }}'
                and passes.cycle = (
                    select max(done.cycle) from {{ source('bizstim', '_bizmig_extract_cycles') }}
                        as done
                    where done.completed_at is not null
                )
        ), cast(0 as double)))
    {%- endif -%}
{%- endmacro %}


{#- TRUE when the row was (re-)delivered by the current extraction cycle (for a list table
    given by name: by the last pass of its listing). -#}
{% macro is_in_current_snapshot(load_id_column='_dlt_load_id', list_table=none) -%}
    {%- if list_table is none -%}
        coalesce(
            try_cast({{ load_id_column }} as double) >= {{ current_snapshot_started_at() }}, false
        )
    {%- else -%}
        coalesce(
            try_cast({{ load_id_column }} as double)
            >= {{ list_snapshot_started_at(list_table) }}, false
        )
    {%- endif -%}
{%- endmacro %}
