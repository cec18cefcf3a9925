-- Salesforce Bizstim_Payment__c (custom object): the payments when payments_object
-- (seeds/salesforce_settings.csv) is Bizstim_Payment__c, else empty (same contract).
-- Amount__c is exact (Currency 18, 6; refunds negative); the client is a Contact__c or
-- Lead__c lookup. See int_salesforce__payments.
with shaped as (
    select
        payment_external_id as external_id,
        payment_name as "Name",
        amount as "Amount__c",
        tax_amount as "Tax_Amount__c",
        currency_code as "Currency_Code__c",
        payment_date as "Payment_Date__c",
        payment_kind as "Payment_Kind__c",
        is_refund as "Is_Refund__c",
        note as "Note__c",
        qb_payment_id as "Quickbooks_Payment_Id__c",
        contact_external_id as "Contact__r__external_id",
        lead_external_id as "Lead__r__external_id"
    from {{ ref('int_salesforce__payments') }}
    where quarantine_rule is null and payments_object = 'Bizstim_Payment__c'
)

select
    *,
    {{ row_hash([
        'Name', 'Amount__c', 'Tax_Amount__c', 'Currency_Code__c', 'Payment_Date__c',
        'Payment_Kind__c', 'Is_Refund__c', 'Note__c', 'Quickbooks_Payment_Id__c',
        'Contact__r__external_id', 'Lead__r__external_id'
    ]) }} as row_hash
from shaped
