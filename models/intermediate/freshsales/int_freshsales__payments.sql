-- Bizstim payments for Freshsales (int_payments__ledger: exact amounts), in both forms of the
-- switch payments_as (seeds/freshsales_settings.csv); freshsales__deals and freshsales__notes
-- keep the rows of the chosen one, so a switch never changes what the ledger decided.
--   * deals: one Deal per payment, name 'Payment <id> · YYYY-MM-DD', amount (a number,
--     unrounded), expected_close and closed_date the payment date, under the client's
--     household Sales Account (int_freshsales__people gives every paying client one while
--     payments_as = deals) with the client as contact; kind, currency, tax, refund,
--     QuickBooks id and note in deal custom fields.
--   * notes: one Note per payment on the client's Contact, description 'Key: value' lines
--     ending with the marker, created_at the payment date at 12:00 UTC (Bizstim keeps a date
--     only; noon keeps that date from UTC-12 to UTC+11). Sending it is unconfirmed
--     (FRESHSALES_NOTE_CREATED_AT).
-- A payment whose client is quarantined on the Freshsales side is quarantined
-- (client_not_in_freshsales).
with payments as (
    select * from {{ ref('int_payments__labelled') }}
),

people as (
    select
        person_external_id,
        sales_account_external_id,
        quarantine_rule
    from {{ ref('int_freshsales__people') }}
),

settings as (
    select * from {{ ref('int_freshsales__settings') }}
),

shaped as (
    select
        payments.payment_external_id,
        payments.payment_id,
        settings.payments_as,
        payments.payment_title as deal_name,
        cast(payments.amount as double) as amount,
        coalesce(payments.currency_code, settings.default_currency) as currency,
        payments.payment_date,
        coalesce(payments.kind_label, payments.payment_kind) as payment_kind,
        cast(payments.tax_amount as double) as tax_amount,
        payments.is_refund as refund,
        payments.qb_payment_id as quickbooks_payment_id,
        payments.note as payment_note,
        payments.client_external_id,
        people.sales_account_external_id,
        cast(payments.payment_date as timestamp) + interval 12 hour as note_created_at_utc,
        people.quarantine_rule as client_quarantine_rule,
        concat_ws(
            chr(10),
            payments.payment_title,
            'Amount: ' || rtrim(rtrim(cast(payments.amount as varchar), '0'), '.') || ' '
            || coalesce(payments.currency_code, settings.default_currency),
            'Kind: ' || coalesce(payments.kind_label, payments.payment_kind),
            'Refund: ' || case when payments.is_refund then 'yes' else 'no' end,
            'Tax: ' || rtrim(rtrim(cast(payments.tax_amount as varchar), '0'), '.'),
            'QuickBooks payment: ' || payments.qb_payment_id,
            'Note: ' || payments.note,
            '[bizstim:' || payments.payment_external_id || ']'
        ) as note_description
    from payments
    cross join settings
    left join people on payments.client_external_id = people.person_external_id
)

select
    * exclude (client_quarantine_rule, note_created_at_utc),
    timezone('UTC', note_created_at_utc) as note_created_at,
    case when client_quarantine_rule is not null then 'client_not_in_freshsales' end
        as quarantine_rule,
    case
        when client_quarantine_rule is not null
            then 'Payment ' || payment_id || ': its client ' || client_external_id
                || ' is not migrated to Freshsales (' || client_quarantine_rule
                || '); fix the client and the payment follows.'
    end as quarantine_reason
from shaped
