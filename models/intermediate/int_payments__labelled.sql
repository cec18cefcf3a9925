-- The migrated payments (int_payments__ledger without excluded or quarantined ones) with what
-- every CRM destination writes beside the amount: the kind's label (seeds/
-- bizstim_code_labels.csv, revenue_credit) and the title 'Payment <id> · YYYY-MM-DD' a deal,
-- opportunity or note is named by. Pipedrive's, Salesforce's and Freshsales' payments models
-- each joined the same label and built the same title.
with payments as (
    select * from {{ ref('int_payments__ledger') }}
    where exclusion_rule is null and quarantine_rule is null
),

labels as (
    select
        option_value,
        label
    from {{ ref('bizstim_code_labels') }}
    where source_table = 'payments' and source_column = 'revenue_credit'
)

select
    payments.*,
    labels.label as kind_label,
    'Payment ' || payments.payment_id || ' · ' || strftime(payments.payment_date, '%Y-%m-%d')
        as payment_title
from payments
left join labels on payments.payment_kind = labels.option_value
