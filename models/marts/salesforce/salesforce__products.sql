-- Salesforce Product2: one per migrated Bizstim service (see int_salesforce__services).
-- Family holds the service group's name (a picklist: the loader adds the values this mart
-- holds through the Metadata API before it loads), or the product looks up its
-- Bizstim_Service_Group__c record, by the switch service_group_target.
with shaped as (
    select
        service_external_id as external_id,
        product_name as "Name",
        product_code as "ProductCode",
        product_family as "Family",
        is_active as "IsActive",
        group_id as "Bizstim_Group_Id__c",
        package_sessions as "Bizstim_Package_Sessions__c",
        pricing_model as "Bizstim_Pricing_Model__c",
        is_taxable as "Bizstim_Is_Taxable__c",
        service_status as "Bizstim_Status__c",
        online_booking as "Bizstim_Online_Booking__c",
        min_duration as "Bizstim_Min_Duration__c",
        max_duration as "Bizstim_Max_Duration__c",
        start_interval as "Bizstim_Start_Interval__c",
        service_cost as "Bizstim_Service_Cost__c",
        default_wage as "Bizstim_Default_Wage__c",
        values_kept_raw as "Bizstim_Values_Kept_Raw__c",
        service_group_external_id as "Bizstim_Service_Group__r__external_id"
    from {{ ref('int_salesforce__services') }}
    where quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'Name', 'ProductCode', 'Family', 'IsActive', 'Bizstim_Group_Id__c',
        'Bizstim_Package_Sessions__c', 'Bizstim_Pricing_Model__c', 'Bizstim_Is_Taxable__c',
        'Bizstim_Status__c', 'Bizstim_Online_Booking__c', 'Bizstim_Min_Duration__c',
        'Bizstim_Max_Duration__c', 'Bizstim_Start_Interval__c', 'Bizstim_Service_Cost__c',
        'Bizstim_Default_Wage__c', 'Bizstim_Values_Kept_Raw__c',
        'Bizstim_Service_Group__r__external_id'
    ]) }} as row_hash
from shaped
