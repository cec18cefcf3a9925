-- Salesforce Event: one per migrated Bizstim session, StartDateTime/EndDateTime in UTC
-- (ISO-8601 with Z), WhoId = the client's Contact or Lead, owner = the practitioner's Bizstim
-- user (matched to an active Salesforce User by e-mail at load). See int_salesforce__events.
with shaped as (
    select
        session_external_id as external_id,
        subject as "Subject",
        start_date_time as "StartDateTime",
        end_date_time as "EndDateTime",
        event_location as "Location",
        description as "Description",
        session_status as "Bizstim_Session_Status__c",
        is_confirmed as "Bizstim_Is_Confirmed__c",
        is_group_session as "Bizstim_Is_Group_Session__c",
        slots as "Bizstim_Slots__c",
        is_recurring as "Bizstim_Is_Recurring__c",
        recurrence_id as "Bizstim_Recurrence_Id__c",
        service_id as "Bizstim_Service_Id__c",
        practitioner_id as "Bizstim_Practitioner_Id__c",
        quickbooks_invoice_id as "Bizstim_Quickbooks_Invoice_Id__c",
        cancelled_clients as "Bizstim_Cancelled_Clients__c",
        client_external_id as "Who__external_id",
        owner_user_external_id as owner__user_external_id
    from {{ ref('int_salesforce__events') }}
    where quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'Subject', 'StartDateTime', 'EndDateTime', 'Location', 'Description',
        'Bizstim_Session_Status__c', 'Bizstim_Is_Confirmed__c', 'Bizstim_Is_Group_Session__c',
        'Bizstim_Slots__c', 'Bizstim_Is_Recurring__c', 'Bizstim_Recurrence_Id__c',
        'Bizstim_Service_Id__c', 'Bizstim_Practitioner_Id__c',
        'Bizstim_Quickbooks_Invoice_Id__c', 'Bizstim_Cancelled_Clients__c', 'Who__external_id',
        'owner__user_external_id'
    ]) }} as row_hash
from shaped
