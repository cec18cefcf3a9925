-- Who is who: maps every migrated person source record to the person it becomes.
-- Rule (the "staff_id dedup"): practitioner and staff rows that share a users_id are the same
-- human (one Bizstim login) and become ONE person. The person's external id is
--   practitioner:<lowest practitioner id>   when the login has a practitioner record,
--   staff:<lowest staff id>                 for staff-only people,
--   client:<client id>                      for clients (clients are never merged: their
--                                           users_id is the client's own portal login).
-- The id therefore stays the same across runs as long as that practitioner/staff record exists.
with records as (
    select * from {{ ref('int_people__source_records') }}
    where exclusion_rule is null and quarantine_rule is null
),

team as (
    select
        *,
        -- records without a users_id cannot be matched: each is its own group
        coalesce('user:' || users_id, source_record_key) as login_key
    from records
    where source_kind in ('practitioner', 'staff')
),

team_groups as (
    select
        login_key,
        coalesce(
            'practitioner:' || min(source_id) filter (where source_kind = 'practitioner'),
            'staff:' || min(source_id) filter (where source_kind = 'staff')
        ) as person_external_id
    from team
    group by login_key
)

select
    team.source_record_key,
    team.source_kind,
    team.kind_rank,
    team.source_id,
    team.users_id,
    team_groups.person_external_id
from team
inner join team_groups on team.login_key = team_groups.login_key

union all

select
    source_record_key,
    source_kind,
    kind_rank,
    source_id,
    users_id,
    source_record_key as person_external_id
from records
where source_kind = 'client'
