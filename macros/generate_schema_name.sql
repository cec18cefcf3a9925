{#- Use the configured schema name as is (staging, intermediate, marts, migration, seeds)
    instead of dbt's default "<target schema>_<custom schema>", so auditors and the loader
    find the same names whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
