-- Which Bizstim endpoints the account served in the extraction cycle this build read (the
-- latest completed one), one row per endpoint: documented or not, available, the HTTP status
-- and the server's reason when it was refused, and what the migration does without it
-- (ingest/availability.py judges the probes). `bizmig report` shows it in "What this
-- account's API serves"; the owner matching and the time zone fallback name it as their cause.
with endpoints as (
    select * from {{ ref('stg_bizstim__endpoints') }}
    where is_current_cycle
)

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
