-- Service groups (packages / tiers) derived from the services that carry a group_id.
-- A group exists in Twenty when at least one of its services is migrated. Its name is the
-- `name` of its lowest-id migrated service that has one (services of one group normally
-- repeat the same name); packageSessions likewise.
select
    service_group_external_id,
    group_id,
    coalesce(
        min_by(group_name, service_id) filter (where group_name is not null),
        'Service group ' || group_id
    ) as group_name,
    min_by(group_num, service_id) as package_sessions,
    count(*) as service_count,
    count(distinct group_name) as distinct_names
from {{ ref('int_services__catalog') }}
where group_id is not null and exclusion_rule is null and quarantine_rule is null
group by service_group_external_id, group_id
