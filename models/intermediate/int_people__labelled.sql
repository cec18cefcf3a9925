-- One row per migrated person (int_people__merged): the texts every CRM destination shows
-- for a person, decided once. Pipedrive's and Salesforce's people models each carried the same
-- three lookups (status and wage-tier labels from seeds/bizstim_code_labels.csv, the staff
-- profile's title and bio, the unmapped custom values as 'Field: value' lines); Freshsales
-- would have been the third copy.
--   * status_label: a client's status is labelled from client_details' codes, a
--     practitioner's or staff member's from practitioners' (the two code lists differ).
--   * job_title / bio: the staff profile's, when the profile itself is migrated.
--   * custom_fields: every custom value the mapping seed marks 'migrate', one line each, in
--     field-name order.
with people as (
    select
        person_external_id,
        client_id,
        status,
        wage_tier
    from {{ ref('int_people__merged') }}
),

profiles as (
    select
        person_external_id,
        title,
        bio
    from {{ ref('int_people__staff_profiles') }}
    where exclusion_rule is null and quarantine_rule is null
),

status_labels as (
    select
        source_table,
        option_value,
        max(label) as label
    from {{ ref('bizstim_code_labels') }}
    where source_column in ('status', 'wage_tier')
    group by source_table, option_value
),

custom_values as (
    select
        person_external_id,
        string_agg(bizstim_field_name || ': ' || raw_value, chr(10) order by bizstim_field_name)
            as custom_fields
    from {{ ref('int_people__custom_values') }}
    where mapping_status = 'migrate'
    group by person_external_id
)

select
    people.person_external_id,
    status_labels.label as status_label,
    wage_tiers.label as wage_tier_label,
    profiles.title as job_title,
    profiles.bio,
    custom_values.custom_fields
from people
left join profiles on people.person_external_id = profiles.person_external_id
left join custom_values on people.person_external_id = custom_values.person_external_id
left join status_labels
    on people.status = status_labels.option_value
        and status_labels.source_table
        = case when people.client_id is not null then 'client_details' else 'practitioners' end
left join status_labels as wage_tiers
    on people.wage_tier = wage_tiers.option_value and wage_tiers.source_table = 'practitioners'
