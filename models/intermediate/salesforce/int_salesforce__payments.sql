-- Bizstim payments for Salesforce (int_payments__ledger: exact amounts), for both targets of
-- the switch payments_object (seeds/salesforce_settings.csv); the marts keep the rows of the
-- chosen one.
--   * The client is a lookup: Contact__c or Lead__c by its routing (a payment has no WhoId:
--     that field exists only on Task and Event). An Opportunity also gets the client's
--     household Account (AccountId) when the client is a Contact.
--   * Amount: Bizstim_Payment__c.Amount__c is Currency(18, 6), so every amount the ledger
--     carries fits unrounded. Opportunity.Amount holds 2 decimals: a payment with more is
--     quarantined (amount_more_than_two_decimals), never rounded.
--   * The currency is the account's (var account_currency) in Currency_Code__c:
--     CurrencyIsoCode exists only in multi-currency orgs, so the marts never send it.
--   * A payment whose client is quarantined on the Salesforce side is quarantined too
--     (client_not_in_salesforce); a QuickBooks id over 255 characters or a note over 32,000
--     (Opportunity.Description's size) quarantines it.
with payments as (
    select * from {{ ref('int_payments__labelled') }}
),

people as (
    select
        person_external_id,
        salesforce_object,
        account_external_id,
        quarantine_rule
    from {{ ref('int_salesforce__people') }}
),

settings as (
    select * from {{ ref('int_salesforce__settings') }}
)

select
    payments.payment_external_id,
    payments.payment_id,
    settings.payments_object,
    payments.payment_title as payment_name,
    cast(payments.amount as decimal(18, 6)) as amount,
    case
        when payments.amount = round(payments.amount, 2)
            then cast(payments.amount as decimal(18, 2))
    end as amount_two_decimals,
    cast(payments.tax_amount as decimal(18, 6)) as tax_amount,
    payments.currency_code,
    payments.payment_date,
    payments.kind_label as payment_kind,
    payments.is_refund,
    payments.note,
    payments.qb_payment_id,
    case when people.salesforce_object = 'Contact' then people.person_external_id end
        as contact_external_id,
    case when people.salesforce_object = 'Lead' then people.person_external_id end
        as lead_external_id,
    people.account_external_id,
    settings.opportunity_stage_name,
    case
        when people.quarantine_rule is not null then 'client_not_in_salesforce'
        when settings.payments_object = 'Opportunity'
            and payments.amount <> round(payments.amount, 2)
            then 'amount_more_than_two_decimals'
        when {{ salesforce_too_long('payments.qb_payment_id', 255) }}
            then 'salesforce_field_too_long'
        when {{ salesforce_too_long('payments.note', 32000) }} then 'salesforce_field_too_long'
    end as quarantine_rule,
    'Payment ' || payments.payment_id || ': ' || case
        when people.quarantine_rule is not null
            then 'its client ' || payments.client_external_id || ' is not migrated to'
                || ' Salesforce (' || people.quarantine_rule || '); fix the client and the'
                || ' payment follows.'
        when settings.payments_object = 'Opportunity'
            and payments.amount <> round(payments.amount, 2)
            then 'the amount ' || payments.amount_raw || ' has more than the 2 decimals of'
                || ' Opportunity.Amount and is never rounded; correct it in Bizstim or set'
                || ' payments_object to Bizstim_Payment__c (6 decimals).'
        when {{ salesforce_too_long('payments.qb_payment_id', 255) }}
            then 'the QuickBooks payment id has '
                || {{ salesforce_length('payments.qb_payment_id') }}
                || ' characters, more than the 255 of its field.'
        else 'the note has ' || {{ salesforce_length('payments.note') }}
            || ' characters, more than the 32,000 a Salesforce long text holds; shorten it in'
            || ' Bizstim.'
    end as quarantine_reason
from payments
cross join settings
left join people on payments.client_external_id = people.person_external_id
