-- Bizstim payments as items of the monday Payments board (int_payments__labelled: exact
-- amounts), connected to the client's Contacts item. Item name 'Payment <id> · YYYY-MM-DD'.
-- A payment whose client is not migrated to monday is quarantined (client_not_in_monday): a
-- Payments item without its client would be a payment nobody can find. A kind that is not a
-- label of the seed quarantines the payment (monday_label_unknown, macros/monday.sql).
with payments as (
    select * from {{ ref('int_payments__labelled') }}
),

people as (
    select * from {{ ref('int_monday__people') }}
),

shaped as (
    select
        payments.payment_external_id,
        payments.payment_id,
        payments.payment_title as item_name,
        payments.client_external_id,
        payments.amount,
        coalesce(payments.currency_code, '{{ var("account_currency") }}') as currency,
        payments.payment_date,
        payments.kind_label as kind,
        payments.tax_amount,
        coalesce(payments.is_refund, false) as refund,
        payments.qb_payment_id as quickbooks_id,
        payments.note,
        people.quarantine_rule as client_quarantine_rule
    from payments
    left join people on payments.client_external_id = people.person_external_id
),

checked as (
    select
        *,
        {{ monday_unknown_label('shaped', "'payments'", ['kind']) }} as unknown_label
    from shaped
)

select
    * exclude (client_quarantine_rule, unknown_label),
    case
        when client_quarantine_rule is not null then 'client_not_in_monday'
        when unknown_label is not null then 'monday_label_unknown'
    end as quarantine_rule,
    case
        when client_quarantine_rule is not null
            then 'Payment ' || payment_id || ': its client ' || client_external_id
                || ' is not migrated to monday (' || client_quarantine_rule
                || '); fix the client and the payment follows.'
        when unknown_label is not null
            then {{ monday_unknown_label_reason(
                "'Payment ' || payment_id", 'unknown_label', "'Payments'"
            ) }}
    end as quarantine_reason
from checked
