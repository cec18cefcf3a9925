-- Which endpoints the Bizstim account served, per extraction cycle (ingest/availability.py).
-- An optional endpoint the account refused is unavailable, with its HTTP status, the server's
-- reason and what degrades without it; is_current_cycle marks the rows of the cycle staging
-- reads (the latest completed one).
with source as (
    select * from {{ bizstim_source('_bizmig_endpoints', [
        'cycle', 'endpoint', 'table_name', 'documented', 'available', 'http_status', 'reason',
        'impact', 'probed_by', 'checked_at'
    ]) }}
),

current_cycle as (
    {{ latest_completed_cycle() }}
)

select
    source.endpoint,
    source.table_name,
    source.reason as unavailable_reason,
    source.impact,
    source.probed_by,
    cast(source.cycle as integer) || ':' || source.endpoint as endpoint_cycle_id,
    cast(source.cycle as integer) as extract_cycle,
    cast(source.documented as boolean) as is_documented,
    cast(source.available as boolean) as is_available,
    cast(source.http_status as integer) as http_status,
    cast(source.checked_at as timestamp with time zone) as checked_at,
    coalesce(cast(source.cycle as integer) = current_cycle.cycle_number, false) as is_current_cycle
from source
cross join current_cycle
