-- Pipedrive Organization: one household per client that seeds/pipedrive_client_routing.csv
-- routes to `household` (int_pipedrive__people). external_id `household:client:<id>`.
with shaped as (
    select
        org_external_id as external_id,
        org_name as name,  -- noqa: RF04
        org_address as address
    from {{ ref('int_pipedrive__people') }}
    where quarantine_rule is null and org_external_id is not null
)

select
    *,
    {{ row_hash(['name', 'address']) }} as row_hash
from shaped
