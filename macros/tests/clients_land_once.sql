{#- Every migrated client lands in the model (a destination's person/contact mart) exactly
    once, or is quarantined on that destination's side with a reason (`people`: its people
    model, with person_external_id, is_client, quarantine_rule, quarantine_reason); no record is
    a client the people model does not hold. Pipedrive's and Freshsales' singular tests were
    the same query on other names. -#}
{% test clients_land_once(model, people) %}
with clients as (
    select
        person_external_id,
        quarantine_rule,
        quarantine_reason
    from {{ people }}
    where is_client
),

per_client as (
    select
        clients.person_external_id,
        clients.quarantine_rule,
        count(landed.external_id) as records
    from clients
    left join {{ model }} as landed on clients.person_external_id = landed.external_id
    group by clients.person_external_id, clients.quarantine_rule, clients.quarantine_reason
    having
        count(landed.external_id)
        <> case when clients.quarantine_rule is null then 1 else 0 end
        or (clients.quarantine_rule is not null and clients.quarantine_reason is null)
)

select * from per_client
union all
select
    landed.external_id as person_external_id,
    'not a client of int_people__merged' as quarantine_rule,
    1 as records
from {{ model }} as landed
where starts_with(landed.external_id, 'client:')
    and landed.external_id not in (select clients.person_external_id from clients)
{% endtest %}
