-- Payments with their exact amount (the decimal string the source gave, see to_money; each
-- destination's mart writes it in its own unit), account currency from var account_currency,
-- kind decoded (PAYMENT / CREDIT / DEBIT / PACKAGE) and the client person. A negative amount
-- is a refund (Bizstim serves refunds as negative revenue_amount, e.g. "-5.00"): migrated
-- with its sign, is_refund set. Quarantined: an amount with more than 6 significant decimals
-- (no destination's unit holds it unrounded, and it is never rounded silently), a missing,
-- malformed or out-of-range amount, a missing date, an unknown kind code, or a client that is
-- not a migrated person (typically deleted in Bizstim).
with payments as (
    select * from {{ ref('stg_bizstim__payments') }}
),

clients as (
    select
        source_id,
        person_external_id
    from {{ ref('int_people__identity') }}
    where source_kind = 'client'
),

linked as (
    select
        payments.*,
        clients.person_external_id as client_external_id,
        payments.amount < 0 as is_refund,
        '{{ var("account_currency") }}' as currency_code
    from payments
    left join clients on payments.client_id = clients.source_id
)

select
    'payment:' || payment_id as payment_external_id,
    *,
    case
        when not is_in_current_snapshot then 'not_in_current_snapshot'
        {{ pilot_exclusion('payment', 'payment_id') }}
    end as exclusion_rule,
    case
        when not is_in_current_snapshot then null
        when amount is null and amount_decimals > 6 then 'amount_more_than_six_decimals'
        when amount is null then 'amount_missing'
        when payment_date is null then 'date_missing'
        when payment_kind is null then 'unknown_payment_kind'
        when client_external_id is null then 'client_not_migrated'
    end as quarantine_rule,
    'Payment ' || payment_id || ': ' || case quarantine_rule
        when 'amount_more_than_six_decimals'
            then 'revenue_amount "' || amount_raw || '" has ' || amount_decimals
                || ' decimals; amounts migrate with at most 6 (Twenty stores micros) and'
                || ' rounding would change the amount. Correct the amount in Bizstim or record'
                || ' this payment by hand.'
        when 'amount_missing'
            then 'revenue_amount "' || coalesce(amount_raw, '')
                || '" is not an amount (a plain decimal, at most 12 digits before the point);'
                || ' enter the amount in Bizstim.'
        when 'date_missing'
            then 'revenue_date "' || coalesce(payment_date_raw, '')
                || '" is not a date; enter the date in Bizstim.'
        when 'unknown_payment_kind'
            then 'revenue_credit "' || coalesce(payment_kind_code, '')
                || '" is not 0-3; add it to seeds/bizstim_code_labels.csv.'
        when 'client_not_migrated'
            then 'client ' || coalesce(cast(client_id as varchar), '(none)')
                || ' is not in the Bizstim client list (deleted client); restore the client'
                || ' in Bizstim or record this payment by hand.'
    end as quarantine_reason
from linked
