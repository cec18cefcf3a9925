-- monday Contacts board: one item per client (monday CRM contacts are board items; there is no
-- Contacts API, destinations-2.md §4.1). See int_monday__people for names, e-mails, phones.
with contacts as (
    select
        items.person_external_id as external_id,
        items.item_name as name,  -- noqa: RF04
        boards.group_title,
        items.email,
        items.other_emails,
        items.phone,
        items.other_phones,
        items.status,
        items.client_since,
        items.time_zone,
        items.address,
        items.custom_fields as bizstim_fields,
        items.values_kept_raw as kept_raw
    from {{ ref('int_monday__people') }} as items
    inner join {{ ref('monday_boards') }} as boards on boards.board = 'contacts'
    where items.board = 'contacts' and items.quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'group_title', 'email', 'other_emails', 'phone', 'other_phones', 'status',
        'client_since', 'time_zone', 'address', 'bizstim_fields', 'kept_raw'
    ]) }} as row_hash
from contacts
