-- Bizstim service groups for Salesforce (int_services__groups: a group exists when one of its
-- services is migrated). Where they go is the switch service_group_target
-- (seeds/salesforce_settings.csv): `Family` writes the group name to each service's
-- Product2.Family (no record; is_record false); `Bizstim_Service_Group__c` makes one custom
-- record per group, whose Name (Text 80, the object's name field) is the group name: a longer
-- name is never cut, the group is quarantined (salesforce_field_too_long) and its products
-- are migrated without the lookup.
with service_groups as (
    select * from {{ ref('int_services__groups') }}
),

settings as (
    select * from {{ ref('int_salesforce__settings') }}
)

select
    service_groups.service_group_external_id,
    service_groups.group_id,
    service_groups.group_name,
    service_groups.package_sessions,
    settings.service_group_target = 'Bizstim_Service_Group__c' as is_record,
    case
        when settings.service_group_target = 'Bizstim_Service_Group__c'
            and {{ salesforce_too_long('service_groups.group_name', 80) }}
            then 'salesforce_field_too_long'
    end as quarantine_rule,
    case
        when settings.service_group_target = 'Bizstim_Service_Group__c'
            and {{ salesforce_too_long('service_groups.group_name', 80) }}
            then 'Service group ' || service_groups.group_id || ': the name "'
                || service_groups.group_name || '" has '
                || {{ salesforce_length('service_groups.group_name') }}
                || ' characters, more than the 80 of Bizstim_Service_Group__c''s Name; shorten'
                || ' it in Bizstim or set service_group_target to Family.'
    end as quarantine_reason
from service_groups
cross join settings
