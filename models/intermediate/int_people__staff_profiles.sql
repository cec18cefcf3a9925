-- "Meet our staff" profiles matched to their person through users_id (the login shared with a
-- practitioner or staff record). Profiles of logins with no migrated practitioner/staff
-- record are quarantined; a second profile of the same person is excluded (the one with the
-- lowest display_order, then id, is kept). meetourstaff's fields are not in bizstim-api.md:
-- an account that does not serve users_id has profiles that cannot be tied to anyone, each
-- quarantined as profile_users_id_not_served.
with profiles as (
    select
        *,
        {{ unserved_columns('meetourstaff', ['users_id']) }} as unserved_link_columns
    from {{ ref('stg_bizstim__meetourstaff') }}
),

team_logins as (
    select
        users_id,
        min(person_external_id) as person_external_id
    from {{ ref('int_people__identity') }}
    where source_kind in ('practitioner', 'staff') and users_id is not null
    group by users_id
),

matched as (
    select
        profiles.*,
        team_logins.person_external_id,
        row_number() over (
            partition by team_logins.person_external_id
            order by profiles.display_order, profiles.profile_id
        ) as profile_rank
    from profiles
    left join team_logins on profiles.users_id = team_logins.users_id
)

select
    *,
    case
        when not is_in_current_snapshot then 'not_in_current_snapshot'
        {{ pilot_exclusion('user', 'users_id') }}
        when person_external_id is not null and profile_rank > 1 then 'second_profile_of_person'
    end as exclusion_rule,
    case
        when not is_in_current_snapshot then null
        when unserved_link_columns is not null then 'profile_users_id_not_served'
        when person_external_id is null then 'profile_without_person'
    end as quarantine_rule,
    case
        when not is_in_current_snapshot then null
        when unserved_link_columns is not null
            then 'Meet-our-staff profile ' || profile_id || ': this account does not serve'
                || ' meetourstaff.' || unserved_link_columns || ' (see migration__source_columns),'
                || ' so the profile cannot be tied to a practitioner or staff member. If the'
                || ' account serves it under another name, map it in'
                || ' seeds/bizstim_field_aliases.csv and rebuild.'
        when person_external_id is null
            then 'Meet-our-staff profile ' || profile_id || ' (' || coalesce(first_name, '')
                || ' ' || coalesce(last_name, '') || ') belongs to users_id '
                || coalesce(cast(users_id as varchar), '(none)')
                || ', which has no practitioner or staff record: attach the profile to a'
                || ' practitioner/staff member in Bizstim or accept that it is not migrated.'
    end as quarantine_reason
from matched
