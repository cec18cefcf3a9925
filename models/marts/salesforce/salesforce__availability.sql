-- Salesforce Bizstim_Availability__c (custom object): one record per schedule and weekday a
-- person is available (int_availability__windows), looked up to that person's Contact__c or,
-- for a client routed to Lead, Lead__c. A window of a person quarantined on the Salesforce
-- side is left out with them (int_salesforce__dispositions counts it).
with windows as (
    select * from {{ ref('int_availability__windows') }}
    where exclusion_rule is null and quarantine_rule is null
),

people as (
    select
        person_external_id,
        salesforce_object
    from {{ ref('int_salesforce__people') }}
    where quarantine_rule is null
),

shaped as (
    select
        windows.window_external_id as external_id,
        windows.day_label || ' ' || windows.start_time || '-' || windows.end_time as "Name",
        windows.day_label as "Day_Of_Week__c",
        windows.start_time as "Start_Time__c",
        windows.end_time as "End_Time__c",
        windows.valid_from as "Valid_From__c",
        windows.valid_until as "Valid_Until__c",
        windows.is_default_schedule as "Is_Default_Schedule__c",
        windows.availability_id as "Schedule_Id__c",
        windows.label as "Schedule_Label__c",
        case when people.salesforce_object = 'Contact' then people.person_external_id end
            as "Contact__r__external_id",
        case when people.salesforce_object = 'Lead' then people.person_external_id end
            as "Lead__r__external_id"
    from windows
    inner join people on windows.person_external_id = people.person_external_id
)

select
    *,
    {{ row_hash([
        'Name', 'Day_Of_Week__c', 'Start_Time__c', 'End_Time__c', 'Valid_From__c',
        'Valid_Until__c', 'Is_Default_Schedule__c', 'Schedule_Id__c', 'Schedule_Label__c',
        'Contact__r__external_id', 'Lead__r__external_id'
    ]) }} as row_hash
from shaped
