-- Pipedrive Deal: one won deal per migrated payment when seeds/pipedrive_settings.csv has
-- payments_as = deals; empty otherwise (the payments are then notes). See
-- int_pipedrive__payments.
with shaped as (
    select
        payment_external_id as external_id,
        title,
        cast(amount as double) as value,
        currency,
        deal_status as status,
        payment_kind as cf_payment_kind,
        payment_date as cf_payment_date,
        cast(tax_amount as double) as cf_tax_amount,
        refund as cf_refund,
        quickbooks_payment_id as cf_quickbooks_payment_id,
        payment_note as cf_payment_note,
        client_external_id as person__external_id,
        org_external_id as org__external_id
    from {{ ref('int_pipedrive__payments') }}
    where quarantine_rule is null and payments_as = 'deals'
)

select
    *,
    {{ row_hash([
        'title', 'value', 'currency', 'status', 'cf_payment_kind', 'cf_payment_date',
        'cf_tax_amount', 'cf_refund', 'cf_quickbooks_payment_id', 'cf_payment_note',
        'person__external_id', 'org__external_id'
    ]) }} as row_hash
from shaped
