-- Every migrated client lands in exactly one of salesforce__contacts and salesforce__leads,
-- or is quarantined on the Salesforce side (int_salesforce__people): the counts add up and no
-- client is both a Contact and a Lead (a polymorphic WhoId / LinkedEntityId names one record).
with clients as (
    select
        person_external_id,
        quarantine_rule
    from {{ ref('int_salesforce__people') }}
    where is_client
),

landed as (
    select external_id from {{ ref('salesforce__contacts') }}
    union all
    select external_id from {{ ref('salesforce__leads') }}
),

per_client as (
    select
        clients.person_external_id,
        clients.quarantine_rule,
        count(landed.external_id) as records
    from clients
    left join landed on clients.person_external_id = landed.external_id
    group by clients.person_external_id, clients.quarantine_rule
)

select *
from per_client
where records <> case when quarantine_rule is null then 1 else 0 end
union all
select
    external_id as person_external_id,
    'not a client of int_people__merged' as quarantine_rule,
    1 as records
from landed
where starts_with(external_id, 'client:')
    and external_id not in (select clients.person_external_id from clients)
