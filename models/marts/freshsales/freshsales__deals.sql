-- Freshsales Deal: one per migrated payment when seeds/freshsales_settings.csv has
-- payments_as = deals, under the client's household Sales Account with the client as
-- contact; empty otherwise (the payments are then notes). See int_freshsales__payments.
with shaped as (
    select
        payment_external_id as external_id,
        deal_name as name,  -- noqa: RF04
        amount,
        payment_date as expected_close,
        payment_date as closed_date,
        payment_kind as cf_payment_kind,
        currency as cf_payment_currency,
        tax_amount as cf_tax_amount,
        refund as cf_refund,
        quickbooks_payment_id as cf_quickbooks_payment_id,
        payment_note as cf_payment_note,
        sales_account_external_id as sales_account__external_id,
        client_external_id as contact__external_id
    from {{ ref('int_freshsales__payments') }}
    where quarantine_rule is null and payments_as = 'deals'
)

select
    *,
    {{ row_hash([
        'name', 'amount', 'expected_close', 'closed_date', 'cf_payment_kind',
        'cf_payment_currency', 'cf_tax_amount', 'cf_refund', 'cf_quickbooks_payment_id',
        'cf_payment_note', 'sales_account__external_id', 'contact__external_id'
    ]) }} as row_hash
from shaped
