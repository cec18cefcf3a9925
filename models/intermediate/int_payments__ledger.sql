-- Payments with amount in Twenty micros (amount × 1,000,000, account currency from var
-- account_currency), kind decoded (PAYMENT / CREDIT / DEBIT / PACKAGE) and the client person.
-- A payment whose client is not a migrated person (typically a client deleted in Bizstim),
-- whose amount or date is missing/malformed, or whose kind code is unknown is quarantined.
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
        cast(payments.amount * 1000000 as bigint) as amount_micros,
        cast(payments.tax_amount * 1000000 as bigint) as tax_amount_micros,
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
        when amount is null then 'amount_missing'
        when payment_date is null then 'date_missing'
        when payment_kind is null then 'unknown_payment_kind'
        when client_external_id is null then 'client_not_migrated'
    end as quarantine_rule,
    'Payment ' || payment_id || ': ' || case quarantine_rule
        when 'amount_missing'
            then 'revenue_amount "' || coalesce(amount_raw, '')
                || '" is not an amount; enter the amount in Bizstim.'
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
