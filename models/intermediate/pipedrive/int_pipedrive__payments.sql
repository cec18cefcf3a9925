-- Bizstim payments for Pipedrive (int_payments__ledger: exact amounts), in both forms of the
-- switch payments_as (seeds/pipedrive_settings.csv); pipedrive__deals and pipedrive__notes
-- keep the rows of the chosen one, so a switch never changes what the ledger decided.
--   * deals: one Deal per payment, title 'Payment <id> · YYYY-MM-DD', value = the amount (a
--     number; Pipedrive keeps it unrounded), currency = the ledger's (else default_currency),
--     status deal_status, on the client's Person and household Organization; kind, date,
--     tax, refund, QuickBooks id and note in deal custom fields.
--   * notes: one v1 Note per payment on the client's Person, content an HTML list of the
--     same values ('Key: value' lines joined by <br>) ending with the marker, add_time the
--     payment date at 12:00:00 UTC ('YYYY-MM-DD HH:MM:SS'): Bizstim keeps a date only, and
--     noon keeps that date in every time zone from UTC-12 to UTC+11.
-- A payment whose client is quarantined on the Pipedrive side is quarantined
-- (client_not_in_pipedrive), as is a QuickBooks id longer than its varchar field (255).
with payments as (
    select * from {{ ref('int_payments__labelled') }}
),

people as (
    select
        person_external_id,
        org_external_id,
        quarantine_rule
    from {{ ref('int_pipedrive__people') }}
),

settings as (
    select * from {{ ref('int_pipedrive__settings') }}
),

shaped as (
    select
        payments.payment_external_id,
        payments.payment_id,
        settings.payments_as,
        payments.payment_title as title,
        cast(payments.amount as decimal(18, 6)) as amount,
        coalesce(payments.currency_code, settings.default_currency) as currency,
        settings.deal_status,
        payments.payment_date,
        coalesce(payments.kind_label, payments.payment_kind) as payment_kind,
        cast(payments.tax_amount as decimal(18, 6)) as tax_amount,
        case when payments.is_refund then 'Yes' else 'No' end as refund,
        payments.qb_payment_id as quickbooks_payment_id,
        payments.note as payment_note,
        payments.client_external_id,
        people.org_external_id,
        strftime(payments.payment_date, '%Y-%m-%d') || ' 12:00:00' as note_add_time,
        people.quarantine_rule as client_quarantine_rule
    from payments
    cross join settings
    left join people on payments.client_external_id = people.person_external_id
)

select
    * exclude (client_quarantine_rule),
    concat_ws(
        '<br>',
        '<b>' || {{ content_note_body('title') }} || '</b>',
        'Amount: ' || rtrim(rtrim(cast(amount as varchar), '0'), '.') || ' ' || currency,
        'Kind: ' || {{ content_note_body('payment_kind') }},
        'Refund: ' || lower(refund),
        'Tax: ' || rtrim(rtrim(cast(tax_amount as varchar), '0'), '.'),
        'QuickBooks payment: ' || {{ content_note_body('quickbooks_payment_id') }},
        'Note: ' || {{ content_note_body('payment_note') }},
        '[bizstim:' || payment_external_id || ']'
    ) as note_content,
    case
        when client_quarantine_rule is not null then 'client_not_in_pipedrive'
        when length(quickbooks_payment_id) > 255 then 'pipedrive_field_too_long'
    end as quarantine_rule,
    case
        when client_quarantine_rule is not null
            then 'Payment ' || payment_id || ': its client ' || client_external_id
                || ' is not migrated to Pipedrive (' || client_quarantine_rule
                || '); fix the client and the payment follows.'
        when length(quickbooks_payment_id) > 255
            then 'Payment ' || payment_id || ': the QuickBooks payment id has '
                || length(quickbooks_payment_id) || ' characters, more than the 255 of its'
                || ' Pipedrive field.'
    end as quarantine_reason
from shaped
