-- The migrated sessions (int_sessions__scheduled without excluded or quarantined ones) with
-- the names every CRM destination writes beside them: the status label (seeds/
-- bizstim_code_labels.csv), the location's name, and the practitioner's Bizstim user (the
-- owner, matched to a destination user by e-mail at load). Pipedrive's activities and
-- Salesforce's events each joined these three lookups; Freshsales' appointments are the third.
with sessions as (
    select * from {{ ref('int_sessions__scheduled') }}
    where exclusion_rule is null and quarantine_rule is null
),

owners as (
    select * from {{ ref('int_people__owner_users') }}
),

locations as (
    select
        location_external_id,
        location_name
    from {{ ref('int_locations__catalog') }}
),

labels as (
    select
        option_value,
        label
    from {{ ref('bizstim_code_labels') }}
    where source_table = 'sessions' and source_column = 'session_status'
)

select
    sessions.*,
    labels.label as status_label,
    locations.location_name,
    owners.owner_user_external_id
from sessions
left join owners on sessions.practitioner_external_id = owners.person_external_id
left join locations on sessions.location_external_id = locations.location_external_id
left join labels on sessions.session_status = labels.option_value
