{#- Pilot migrations (vars sample_clients / sample_pct; see models/README.md, "Pilot").
    pilot_sample() validates the vars and returns none for a full migration, else
    {'clients': N} or {'pct': p}. Both set, or a value out of range, stops the build. -#}
{% macro pilot_sample() -%}
    {%- set sample_clients = var('sample_clients', none) -%}
    {%- set sample_pct = var('sample_pct', none) -%}
    {%- if sample_clients is not none and sample_pct is not none -%}
        {{ exceptions.raise_compiler_error(
            "Pilot: set either var sample_clients (the first N clients) or var sample_pct"
            ~ " (a percentage of clients), not both (got sample_clients=" ~ sample_clients
            ~ ", sample_pct=" ~ sample_pct ~ ")."
        ) }}
    {%- endif -%}
    {%- if sample_clients is not none -%}
        {%- if sample_clients is not integer or sample_clients is sameas true
            or sample_clients is sameas false or sample_clients < 1 -%}
            {{ exceptions.raise_compiler_error(
                "Pilot: var sample_clients must be a whole number of clients >= 1, got "
                ~ sample_clients ~ "."
            ) }}
        {%- endif -%}
        {{ return({'clients': sample_clients}) }}
    {%- endif -%}
    {%- if sample_pct is not none -%}
        {%- if sample_pct is not number or sample_pct is sameas true
            or sample_pct is sameas false or sample_pct <= 0 or sample_pct > 100 -%}
            {{ exceptions.raise_compiler_error(
                "Pilot: var sample_pct must be a percentage of clients in (0, 100], got "
                ~ sample_pct ~ "."
            ) }}
        {%- endif -%}
        {{ return({'pct': sample_pct}) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{#- What this build migrates, for the reconciliation: 'full' or e.g. 'pilot sample_clients=10'. -#}
{% macro pilot_label() -%}
    {%- set sample = pilot_sample() -%}
    {%- if sample is none -%}
        {{ return('full') }}
    {%- elif 'clients' in sample -%}
        {{ return('pilot sample_clients=' ~ sample['clients']) }}
    {%- else -%}
        {{ return('pilot sample_pct=' ~ sample['pct']) }}
    {%- endif -%}
{%- endmacro %}


{#- A `when … then 'outside_pilot_sample'` branch for an exclusion_rule CASE: the row's id of
    `entity` is not in int_pilot__scope. Renders nothing in a full migration, so the full build
    runs exactly the SQL it ran before pilots existed, and nothing inside a dbt unit test: those
    test the mapping rules with their given rows (int_pilot__scope has its own unit tests), so
    they pass in a pilot build too. -#}
{% macro pilot_exclusion(entity, id_expression) -%}
    {%- if pilot_sample() is not none and model.resource_type != 'unit_test' -%}
        when {{ id_expression }} is null or {{ id_expression }} not in (
            select pilot_scope.source_id from {{ ref('int_pilot__scope') }} as pilot_scope
            where pilot_scope.entity = '{{ entity }}'
        ) then 'outside_pilot_sample'
    {%- endif -%}
{%- endmacro %}
