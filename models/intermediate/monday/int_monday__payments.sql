-- Bizstim payments as items of the monday Payments board (int_payments__labelled: exact
-- amounts), connected to the client's Contacts item. Item name 'Payment <id> · YYYY-MM-DD'.
-- A payment whose client is not migrated to monday is quarantined (client_not_in_monday): a
-- Payments item without its client would be a payment nobody can find.
with payments as (
    select * from {{ ref('int_payments__labelled') }}
),

people as (
    select * from {{ ref('int_monday__people') }}
)

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
    case when people.quarantine_rule is not null then 'client_not_in_monday' end
        as quarantine_rule,
    case
        when people.quarantine_rule is not null
            then 'Payment ' || payments.payment_id || ': its client '
                || payments.client_external_id || ' is not migrated to monday ('
                || people.quarantine_rule || '); fix the client and the payment follows.'
    end as quarantine_reason
from payments
left join people on payments.client_external_id = people.person_external_id
