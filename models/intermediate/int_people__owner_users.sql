-- Owner rule (issue 12, part 5; models/README.md "Owners"): the Bizstim user behind each
-- practitioner/staff person, for records that person is responsible for. A person has at most
-- one user: identity groups practitioner and staff rows by users_id, so each group carries
-- one login. Only users the loader can match (migration__owner_lookup: in the snapshot, a
-- usable e-mail owned by no lower user id) qualify; any other person gets no row, so the
-- records they are responsible for get no owner. Matching user -> workspace member by e-mail
-- happens at load time (workspace members exist only in Twenty).
with team as (
    select distinct
        person_external_id,
        users_id
    from {{ ref('int_people__identity') }}
    where source_kind in ('practitioner', 'staff') and users_id is not null
),

users as (
    select
        user_id,
        user_external_id
    from {{ ref('int_users__owners') }}
    where exclusion_rule is null and quarantine_rule is null
)

select
    team.person_external_id,
    users.user_external_id as owner_user_external_id
from team
inner join users on team.users_id = users.user_id
