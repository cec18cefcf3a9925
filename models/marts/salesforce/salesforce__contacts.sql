-- Salesforce Contact: every client routed to Contact (seeds/salesforce_client_routing.csv)
-- under its household Account, and every practitioner and staff member (one per login)
-- under the practice-team Account, typed by Bizstim_Contact_Type__c. No User is created.
-- See int_salesforce__people for the rules.
with shaped as (
    select
        person_external_id as external_id,
        first_name as "FirstName",
        last_name as "LastName",
        email as "Email",
        phone as "Phone",
        mobile_phone as "MobilePhone",
        title as "Title",
        street as "MailingStreet",
        city as "MailingCity",
        state as "MailingState",
        postal_code as "MailingPostalCode",
        country as "MailingCountry",
        contact_type as "Bizstim_Contact_Type__c",
        roles as "Bizstim_Roles__c",
        status_label as "Bizstim_Status__c",
        start_date as "Bizstim_Start_Date__c",
        hire_date as "Bizstim_Hire_Date__c",
        wage_tier_label as "Bizstim_Wage_Tier__c",
        wage_bonus as "Bizstim_Wage_Bonus__c",
        time_zone as "Bizstim_Time_Zone__c",
        meeting_url as "Bizstim_Meeting_Url__c",
        min_time as "Bizstim_Min_Time__c",
        max_time as "Bizstim_Max_Time__c",
        slot_duration as "Bizstim_Slot_Duration__c",
        session_limit as "Bizstim_Session_Limit__c",
        service_ids as "Bizstim_Service_Ids__c",
        bio as "Bizstim_Bio__c",
        practitioner_id as "Bizstim_Practitioner_Id__c",
        staff_id as "Bizstim_Staff_Id__c",
        users_id as "Bizstim_User_Id__c",
        other_emails as "Bizstim_Other_Emails__c",
        other_phones as "Bizstim_Other_Phones__c",
        values_kept_raw as "Bizstim_Values_Kept_Raw__c",
        custom_fields as "Bizstim_Custom_Fields__c",
        account_external_id as "Account__external_id"
    from {{ ref('int_salesforce__people') }}
    where quarantine_rule is null and salesforce_object = 'Contact'
)

select
    *,
    {{ row_hash([
        'FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Title', 'MailingStreet',
        'MailingCity', 'MailingState', 'MailingPostalCode', 'MailingCountry',
        'Bizstim_Contact_Type__c', 'Bizstim_Roles__c', 'Bizstim_Status__c',
        'Bizstim_Start_Date__c', 'Bizstim_Hire_Date__c', 'Bizstim_Wage_Tier__c',
        'Bizstim_Wage_Bonus__c', 'Bizstim_Time_Zone__c', 'Bizstim_Meeting_Url__c',
        'Bizstim_Min_Time__c', 'Bizstim_Max_Time__c', 'Bizstim_Slot_Duration__c',
        'Bizstim_Session_Limit__c', 'Bizstim_Service_Ids__c', 'Bizstim_Bio__c',
        'Bizstim_Practitioner_Id__c', 'Bizstim_Staff_Id__c', 'Bizstim_User_Id__c',
        'Bizstim_Other_Emails__c', 'Bizstim_Other_Phones__c', 'Bizstim_Values_Kept_Raw__c',
        'Bizstim_Custom_Fields__c', 'Account__external_id'
    ]) }} as row_hash
from shaped
