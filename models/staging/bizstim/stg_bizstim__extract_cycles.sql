-- Extraction cycles; the latest completed one defines the current snapshot.
{%- set relation = source('bizstim', '_bizmig_extract_cycles') %}
{%- set found = adapter.get_relation(
    database=relation.database, schema=relation.schema, identifier=relation.identifier
) if execute else relation %}
{% if found is not none -%}
    select
        cycle,
        to_timestamp(started_at) as started_at,
        to_timestamp(completed_at) as completed_at,
        started_at = {{ current_snapshot_started_at() }} as is_current_snapshot
    from {{ relation }}
{%- else -%}
select
    cast(null as integer) as cycle,
    cast(null as timestamp with time zone) as started_at,
    cast(null as timestamp with time zone) as completed_at,
    cast(null as boolean) as is_current_snapshot
where false
{%- endif %}
