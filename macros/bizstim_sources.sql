{#- Read a raw_bizstim table through the columns declared for it in _bizstim__sources.yml
    (staging models call this instead of source()). Every declared column comes out under its
    declared (canonical) name:
      * read from the column seeds/bizstim_field_aliases.csv names for it, when the account
        serves that column (an alias the account serves wins over the canonical name);
      * else from the column of the canonical name;
      * else a typed NULL (VARCHAR, as every API column lands): the account does not serve it
        (a real account serves no more than bizstim-api.md documents; migration__source_columns
        lists what was absent).
    A table dlt never created (no row arrived) reads as an empty relation of the same columns.
    `columns`: the column list of a table the yml declares none for (bookkeeping tables the
    extraction writes). `passthrough`: raw columns kept as they are (client_details'
    custom_<id>). dlt's `_dlt_load_id` / `_dlt_id` come along when the table has them. -#}
{% macro bizstim_source(table_name, columns=none, passthrough=[]) -%}
    {%- set relation = source('bizstim', table_name) -%}
    {%- set plan = bizstim_column_plan(table_name, columns) -%}
    {%- if not execute -%}
        {{ relation }}
    {%- else -%}
        (
            select
            {%- for column in plan.columns %}
                {% if column.read_from is not none -%}
                    "{{ column.read_from }}"
                {%- else -%}
                    cast(null as varchar)
                {%- endif %} as "{{ column.name }}",
            {%- endfor %}
            {%- for column in passthrough %}
                "{{ column }}",
            {%- endfor %}
            {%- for column in plan.dlt_columns %}
                {% if plan.table_found -%}
                    {{ column }}
                {%- else -%}
                    cast(null as varchar) as {{ column }}
                {%- endif %}{{ "," if not loop.last }}
            {%- endfor %}
            {%- if plan.table_found %}
            from {{ relation }}
            {%- else %}
            where false
            {%- endif %}
        )
    {%- endif -%}
{%- endmacro %}


{#- How bizstim_source reads one raw table: {'table_found', 'columns': [{name, read_from,
    status (present / aliased / absent), alias, canonical_served, description, meta}],
    'extra': raw columns nothing declared (without dlt's own), 'dlt_columns'}. Column names
    compare case-insensitively (dlt lower-snake-cases them). -#}
{% macro bizstim_column_plan(table_name, columns=none) -%}
    {%- set declared = bizstim_declared_columns(table_name) -%}
    {%- if declared | length == 0 and columns is not none -%}
        {%- set declared = [] -%}
        {%- for name in columns -%}
            {%- do declared.append({'name': name, 'description': '', 'meta': {}}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set aliases = bizstim_field_aliases(table_name) -%}
    {%- set served = bizstim_source_columns(table_name) | map('lower') | list -%}
    {%- set planned = [] -%}
    {%- set used = [] -%}
    {%- for column in declared -%}
        {%- set name = column.name | lower -%}
        {%- set alias = aliases.get(name) -%}
        {%- if alias is not none and alias in served -%}
            {%- set read_from, status = alias, 'aliased' -%}
        {%- elif name in served -%}
            {%- set read_from, status = name, 'present' -%}
        {%- else -%}
            {%- set read_from, status = none, 'absent' -%}
        {%- endif -%}
        {%- do used.append(name) -%}
        {%- if read_from is not none -%}{%- do used.append(read_from) -%}{%- endif -%}
        {%- do planned.append({
            'name': column.name, 'read_from': read_from, 'status': status, 'alias': alias,
            'canonical_served': name in served, 'description': column.description,
            'meta': column.meta,
        }) -%}
    {%- endfor -%}
    {%- set extra = [] -%}
    {%- set dlt_columns = [] -%}
    {%- for name in served -%}
        {%- if name in ('_dlt_load_id', '_dlt_id') -%}
            {%- do dlt_columns.append(name) -%}
        {%- elif name not in used and not name.startswith('_dlt_') -%}
            {%- do extra.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if served | length == 0 -%}
        {%- set dlt_columns = ['_dlt_load_id', '_dlt_id'] -%}
    {%- endif -%}
    {{ return({
        'table_found': served | length > 0, 'columns': planned, 'extra': extra,
        'dlt_columns': dlt_columns,
    }) }}
{%- endmacro %}


{#- The columns _bizstim__sources.yml declares for a raw table, in order: [{name, description,
    meta}] (empty while parsing). -#}
{% macro bizstim_declared_columns(table_name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.bizstim.' ~ table_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error('raw_bizstim.' ~ table_name ~ ' is not a source table') }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set meta = column.meta or (column.config or {}).get('meta') or {} -%}
        {%- do columns.append({
            'name': column.name, 'description': column.description or '', 'meta': meta,
        }) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}


{#- seeds/bizstim_field_aliases.csv for one raw table: {canonical column: account column}
    (lower-cased; the seed's tests keep one alias per canonical column). -#}
{% macro bizstim_field_aliases(table_name) -%}
    {%- set aliases_relation = ref('bizstim_field_aliases') -%}
    {%- set aliases = {} -%}
    {%- if execute -%}
        {%- set rows = run_query(
            "select lower(trim(canonical_column)), lower(trim(account_column)) from "
            ~ aliases_relation ~ " where lower(trim(source_table)) = '" ~ table_name ~ "'"
            ~ " and nullif(trim(account_column), '') is not null"
        ) -%}
        {%- for row in rows -%}
            {%- do aliases.update({row[0]: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(aliases) }}
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


{#- A Jinja value (none, boolean, number, string) as an SQL literal. -#}
{% macro sql_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}


{#- SQL expression: the comma list of those `columns` of a raw table the account did not serve
    (after aliases; NULL when it served them all), from stg_bizstim__source_columns. Models
    downstream of staging use it to quarantine records whose needed field is absent. -#}
{% macro unserved_columns(raw_table, columns) -%}
    (
        select string_agg(source_columns.column_name, ', ' order by source_columns.column_position)
        from {{ ref('stg_bizstim__source_columns') }} as source_columns
        where source_columns.raw_table = '{{ raw_table }}'
            and source_columns.column_name in ('{{ columns | join("', '") }}')
            and not source_columns.is_served
    )
{%- endmacro %}


{#- The latest completed extraction cycle as one row, column cycle_number (NULL before any
    extraction): the cycle whose bookkeeping rows (endpoints, detail probes) are current. -#}
{% macro latest_completed_cycle() -%}
    {%- set cycles = existing_raw_relation('_bizmig_extract_cycles') -%}
    {%- if cycles is not none -%}
        select max(cycles.cycle) as cycle_number
        from {{ cycles }} as cycles
        where cycles.completed_at is not null
    {%- else -%}
        select cast(null as integer) as cycle_number
    {%- endif -%}
{%- endmacro %}
