-- Salesforce Bizstim_Service_Group__c: one record per Bizstim service group, only when
-- service_group_target (seeds/salesforce_settings.csv) is Bizstim_Service_Group__c; with the
-- default `Family` the group name is Product2.Family and this mart is empty (same contract).
with shaped as (
    select
        service_group_external_id as external_id,
        group_name as "Name",
        group_id as "Bizstim_Group_Id__c",
        cast(package_sessions as integer) as "Package_Sessions__c"
    from {{ ref('int_salesforce__service_groups') }}
    where is_record and quarantine_rule is null
)

select
    *,
    {{ row_hash(['Name', 'Bizstim_Group_Id__c', 'Package_Sessions__c']) }} as row_hash
from shaped
