-- Which Bizstim endpoints the account served in the extraction cycle this build read (the
-- latest completed one), one row per endpoint: documented or not, available, the HTTP status
-- and the server's reason when it was refused, and what the migration does without it
-- (ingest/availability.py judges the probes). `bizmig report` shows it in "What this
-- account's API serves"; the owner matching and the time zone fallback name it as their cause.
-- The client/{id} row carries the detail probe's verdict (ingest/detail_probe.py) in impact:
-- whether every client detail was fetched or only a sample, and why.
with endpoints as (
    select * from {{ ref('stg_bizstim__endpoints') }}
    where is_current_cycle
),

detail_probes as (
    select * from {{ ref('stg_bizstim__detail_probes') }}
    where is_current_cycle and probed_by = 'extract'
),

listed as (
    select
        endpoint,
        table_name,
        is_documented,
        is_available,
        http_status,
        case when not is_available then unavailable_reason end as unavailable_reason,
        case when not is_available then impact end as impact,
        probed_by,
        extract_cycle,
        checked_at
    from endpoints
),

probed as (
    select
        endpoint,
        'client_details' as table_name,
        true as is_documented,
        true as is_available,
        200 as http_status,
        cast(null as varchar) as unavailable_reason,
        case
            when decision = 'skip'
                then 'details skipped, clients migrated from the list: ' || reason
            else 'every client detail fetched: ' || reason
        end || ' (' || requests || ' requests of ' || client_total || ')' as impact,
        probed_by,
        extract_cycle,
        checked_at
    from detail_probes
)

select * from listed
union all
select * from probed
