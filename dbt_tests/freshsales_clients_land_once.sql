-- Every migrated client lands in freshsales__contacts exactly once, or is quarantined on the
-- Freshsales side with a reason (int_freshsales__people); no Contact is a client that
-- int_people__merged does not hold.
with clients as (
    select
        person_external_id,
        quarantine_rule,
        quarantine_reason
    from {{ ref('int_freshsales__people') }}
    where is_client
),

per_client as (
    select
        clients.person_external_id,
        clients.quarantine_rule,
        count(contacts.external_id) as records
    from clients
    left join {{ ref('freshsales__contacts') }} as contacts
        on clients.person_external_id = contacts.external_id
    group by clients.person_external_id, clients.quarantine_rule, clients.quarantine_reason
    having
        count(contacts.external_id)
        <> case when clients.quarantine_rule is null then 1 else 0 end
        or (clients.quarantine_rule is not null and clients.quarantine_reason is null)
)

select * from per_client
union all
select
    contacts.external_id as person_external_id,
    'not a client of int_people__merged' as quarantine_rule,
    1 as records
from {{ ref('freshsales__contacts') }} as contacts
where starts_with(contacts.external_id, 'client:')
    and contacts.external_id not in (select clients.person_external_id from clients)
