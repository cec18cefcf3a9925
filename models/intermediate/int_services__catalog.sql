-- Services with their disposition. Named rule for deleted services (service_status 2):
-- a deleted service that a migrated session or client still refers to is migrated with
-- serviceStatus DELETED (so history keeps its link); one nobody refers to is excluded
-- (deleted_service_unused).
with services as (
    select * from {{ ref('stg_bizstim__services') }}
),

referenced as (
    select distinct service_id
    from {{ ref('stg_bizstim__sessions') }}
    where is_in_current_snapshot and service_id is not null
    union
    select distinct unnest(service_ids) as service_id
    from {{ ref('int_people__merged') }}
    where service_ids is not null
)

select
    'service:' || services.service_id as service_external_id,
    case when services.group_id is not null then 'service_group:' || services.group_id end
        as service_group_external_id,
    services.*,
    referenced.service_id is not null as is_referenced,
    case
        when not services.is_in_current_snapshot then 'not_in_current_snapshot'
        {{ pilot_exclusion('service', 'services.service_id') }}
        when services.service_status = 'DELETED' and referenced.service_id is null
            then 'deleted_service_unused'
    end as exclusion_rule,
    case
        when services.is_in_current_snapshot and services.service_status is null
            then 'unknown_service_status'
    end as quarantine_rule,
    case
        when services.is_in_current_snapshot and services.service_status is null
            then 'Service ' || services.service_id || ' has service_status "'
                || coalesce(services.service_status_code, '')
                || '", which is not 0/1/2: add the code to seeds/bizstim_code_labels.csv.'
    end as quarantine_reason
from services
left join referenced on services.service_id = referenced.service_id
