-- Twenty `payments` (custom object), each linked to the client person who paid; refunds keep
-- their negative amount and have isRefund set. The exact amount becomes Twenty's micros here.
with shaped as (
    select
        payment_external_id as external_id,
        'Payment ' || payment_id || ' · ' || strftime(payment_date, '%Y-%m-%d') as "name",
        {
            'amountMicros': {{ to_micros('amount') }}, 'currencyCode': currency_code
        } as "amount",
        payment_date as "paymentDate",
        payment_kind as "paymentKind",
        is_refund as "isRefund",
        note as "paymentNote",
        qb_payment_id as "quickbooksPaymentId",
        payment_id as "bizstimPaymentId",
        client_external_id as "client__external_id"
    from {{ ref('int_payments__ledger') }}
    where exclusion_rule is null and quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'amount', 'paymentDate', 'paymentKind', 'isRefund', 'paymentNote',
        'quickbooksPaymentId', 'bizstimPaymentId', 'client__external_id'
    ]) }} as row_hash
from shaped
