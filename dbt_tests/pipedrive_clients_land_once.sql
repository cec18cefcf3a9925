-- Every migrated client lands in pipedrive__persons exactly once, or is quarantined on the
-- Pipedrive side with a reason (int_pipedrive__people); no Person is a client that
-- int_people__merged does not hold.
with clients as (
    select
        person_external_id,
        quarantine_rule,
        quarantine_reason
    from {{ ref('int_pipedrive__people') }}
    where is_client
),

per_client as (
    select
        clients.person_external_id,
        clients.quarantine_rule,
        count(persons.external_id) as records
    from clients
    left join {{ ref('pipedrive__persons') }} as persons
        on clients.person_external_id = persons.external_id
    group by clients.person_external_id, clients.quarantine_rule, clients.quarantine_reason
    having count(persons.external_id) <> case when clients.quarantine_rule is null then 1 else 0 end
        or (clients.quarantine_rule is not null and clients.quarantine_reason is null)
)

select * from per_client
union all
select
    persons.external_id as person_external_id,
    'not a client of int_people__merged' as quarantine_rule,
    1 as records
from {{ ref('pipedrive__persons') }} as persons
where starts_with(persons.external_id, 'client:')
    and persons.external_id not in (select clients.person_external_id from clients)
