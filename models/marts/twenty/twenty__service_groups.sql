-- Twenty `serviceGroups` (custom object): packages / tiers that group services.
with shaped as (
    select
        service_group_external_id as external_id,
        group_name as "name",
        cast(package_sessions as integer) as "packageSessions",
        group_id as "bizstimGroupId"
    from {{ ref('int_services__groups') }}
)

select
    *,
    {{ row_hash(['name', 'packageSessions', 'bizstimGroupId']) }} as row_hash
from shaped
