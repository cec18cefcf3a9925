-- monday Payments board: one item per payment, connected to its client's Contacts item
-- (int_monday__payments).
with payments as (
    select
        items.payment_external_id as external_id,
        items.item_name as name,  -- noqa: RF04
        boards.group_title,
        items.amount,
        items.currency,
        items.payment_date,
        items.kind,
        items.tax_amount,
        items.refund,
        items.quickbooks_id,
        items.note,
        items.client_external_id as client__external_id
    from {{ ref('int_monday__payments') }} as items
    inner join {{ ref('monday_boards') }} as boards on boards.board = 'payments'
    where items.quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'group_title', 'amount', 'currency', 'payment_date', 'kind', 'tax_amount',
        'refund', 'quickbooks_id', 'note', 'client__external_id'
    ]) }} as row_hash
from payments
