-- Salesforce Opportunity: the payments when payments_object (seeds/salesforce_settings.csv)
-- is Opportunity, else empty (same contract). A payment is money received: StageName is
-- opportunity_stage_name (Closed Won), CloseDate the payment date, Amount exact at 2
-- decimals. Opportunity has no WhoId: AccountId is the client's household and the
-- Bizstim_Contact__c / Bizstim_Lead__c lookups name the client. See int_salesforce__payments.
with shaped as (
    select
        payment_external_id as external_id,
        payment_name as "Name",
        opportunity_stage_name as "StageName",
        payment_date as "CloseDate",
        amount_two_decimals as "Amount",
        note as "Description",
        payment_kind as "Bizstim_Payment_Kind__c",
        is_refund as "Bizstim_Is_Refund__c",
        tax_amount as "Bizstim_Tax_Amount__c",
        currency_code as "Bizstim_Currency_Code__c",
        qb_payment_id as "Bizstim_Quickbooks_Payment_Id__c",
        account_external_id as "Account__external_id",
        contact_external_id as "Bizstim_Contact__r__external_id",
        lead_external_id as "Bizstim_Lead__r__external_id"
    from {{ ref('int_salesforce__payments') }}
    where quarantine_rule is null and payments_object = 'Opportunity'
)

select
    *,
    {{ row_hash([
        'Name', 'StageName', 'CloseDate', 'Amount', 'Description', 'Bizstim_Payment_Kind__c',
        'Bizstim_Is_Refund__c', 'Bizstim_Tax_Amount__c', 'Bizstim_Currency_Code__c',
        'Bizstim_Quickbooks_Payment_Id__c', 'Account__external_id',
        'Bizstim_Contact__r__external_id', 'Bizstim_Lead__r__external_id'
    ]) }} as row_hash
from shaped
