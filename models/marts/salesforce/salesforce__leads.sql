-- Salesforce Lead: the clients seeds/salesforce_client_routing.csv routes to Lead (by default
-- the prospects). Company is required and a person-client has none: lead_company_format
-- (seeds/salesforce_settings.csv, by default the client's full name). Status is left to the
-- org's default; the Bizstim status is in Bizstim_Status__c. See int_salesforce__people.
with shaped as (
    select
        person_external_id as external_id,
        first_name as "FirstName",
        last_name as "LastName",
        company as "Company",
        email as "Email",
        phone as "Phone",
        mobile_phone as "MobilePhone",
        street as "Street",
        city as "City",
        state as "State",
        postal_code as "PostalCode",
        country as "Country",
        status_label as "Bizstim_Status__c",
        start_date as "Bizstim_Start_Date__c",
        time_zone as "Bizstim_Time_Zone__c",
        meeting_url as "Bizstim_Meeting_Url__c",
        min_time as "Bizstim_Min_Time__c",
        max_time as "Bizstim_Max_Time__c",
        slot_duration as "Bizstim_Slot_Duration__c",
        session_limit as "Bizstim_Session_Limit__c",
        service_ids as "Bizstim_Service_Ids__c",
        other_emails as "Bizstim_Other_Emails__c",
        other_phones as "Bizstim_Other_Phones__c",
        values_kept_raw as "Bizstim_Values_Kept_Raw__c",
        custom_fields as "Bizstim_Custom_Fields__c"
    from {{ ref('int_salesforce__people') }}
    where quarantine_rule is null and salesforce_object = 'Lead'
)

select
    *,
    {{ row_hash([
        'FirstName', 'LastName', 'Company', 'Email', 'Phone', 'MobilePhone', 'Street', 'City',
        'State', 'PostalCode', 'Country', 'Bizstim_Status__c', 'Bizstim_Start_Date__c',
        'Bizstim_Time_Zone__c', 'Bizstim_Meeting_Url__c', 'Bizstim_Min_Time__c',
        'Bizstim_Max_Time__c', 'Bizstim_Slot_Duration__c', 'Bizstim_Session_Limit__c',
        'Bizstim_Service_Ids__c', 'Bizstim_Other_Emails__c', 'Bizstim_Other_Phones__c',
        'Bizstim_Values_Kept_Raw__c', 'Bizstim_Custom_Fields__c'
    ]) }} as row_hash
from shaped
