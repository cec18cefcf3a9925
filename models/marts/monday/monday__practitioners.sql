-- monday Practitioners board: one item per practitioner or staff member (one per login), their
-- own monday user (matched by e-mail at load) in the owner column. See int_monday__people.
with practitioners as (
    select
        items.person_external_id as external_id,
        items.item_name as name,  -- noqa: RF04
        boards.group_title,
        items.email,
        items.other_emails,
        items.phone,
        items.other_phones,
        items.role,
        items.status,
        items.wage_tier,
        items.wage_bonus,
        items.hire_date,
        items.job_title,
        items.bio,
        items.meeting_url,
        items.time_zone,
        items.address,
        items.services,
        items.values_kept_raw as kept_raw,
        items.owner_user_external_id as owner__user_external_id
    from {{ ref('int_monday__people') }} as items
    inner join {{ ref('monday_boards') }} as boards on boards.board = 'practitioners'
    where items.board = 'practitioners' and items.quarantine_rule is null
)

select
    *,
    {{ row_hash([
        'name', 'group_title', 'email', 'other_emails', 'phone', 'other_phones', 'role',
        'status', 'wage_tier', 'wage_bonus', 'hire_date', 'job_title', 'bio', 'meeting_url',
        'time_zone', 'address', 'services', 'kept_raw', 'owner__user_external_id'
    ]) }} as row_hash
from practitioners
