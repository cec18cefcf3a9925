-- The client/{id} probe's verdict per extraction cycle (ingest/detail_probe.py): whether every
-- client detail was fetched or, because a spread sample of details held nothing beyond the
-- list's fields, only the sample. is_current_cycle marks the latest completed cycle's rows;
-- is_skipping_details is what int_people__source_records reads: a client without a detail row
-- in such a cycle is complete from its list record, not a client_detail_missing.
with source as (
    select * from {{ bizstim_source('_bizmig_detail_probes', [
        'cycle', 'endpoint', 'mode', 'sampled', 'answered', 'client_total', 'informative',
        'extra_fields', 'differing_fields', 'decision', 'requests', 'reason', 'probed_by',
        'checked_at'
    ]) }}
),

current_cycle as (
    {{ latest_completed_cycle() }}
)

select
    source.endpoint,
    source.mode,
    source.decision,
    source.reason,
    source.probed_by,
    source.extra_fields,
    source.differing_fields,
    cast(source.cycle as integer) || ':' || source.endpoint as probe_cycle_id,
    cast(source.cycle as integer) as extract_cycle,
    cast(source.sampled as integer) as sampled,
    cast(source.answered as integer) as answered,
    cast(source.client_total as integer) as client_total,
    cast(source.requests as integer) as requests,
    cast(source.informative as boolean) as is_informative,
    cast(source.checked_at as timestamp with time zone) as checked_at,
    coalesce(cast(source.cycle as integer) = current_cycle.cycle_number, false)
        as is_current_cycle,
    coalesce(
        cast(source.cycle as integer) = current_cycle.cycle_number
        and source.probed_by = 'extract'
        and source.decision = 'skip',
        false
    ) as is_skipping_details
from source
cross join current_cycle
