-- What happened to every source row on the Pipedrive side: one row per (source table row,
-- Pipedrive entity), the columns of int_migration__dispositions (Twenty's). Derived from
-- Twenty's rows, so every rule that decides whether a Bizstim record is migrated at all (not
-- in the snapshot, pilot, missing detail, bad amount, ...) is shared; the Pipedrive side then
-- applies its own decisions to the rows Twenty mapped:
-- Entity names are the loader's (load/pipedrive/specs.py), as its ledger and reconcile name them.
--   person        a person int_pipedrive__people quarantines (name_missing,
--                 pipedrive_field_too_long) is quarantined with its rule
--   organization  one per client row: excluded (client_without_household) when
--                 seeds/pipedrive_client_routing.csv says none, else the person's fate
--   product       int_pipedrive__products (a name over 255 characters: quarantined)
--   service groups  no record: excluded as service_group_as_enum_option (the enum custom
--                 field "Service group" on each product)
--   payments      deal or note by the switch payments_as (int_pipedrive__payments)
--   activity      int_pipedrive__activities (client not in Pipedrive, note too long)
--   availability  no record: the Person's availability fields; quarantined with the person
--   notes         note (quarantined when the client is); their note target is the note's
--                 person_id (excluded: note_target_is_person_id)
--   locations     no record: each activity's note names its location
-- migration__reconciliation counts these rows (destination = 'pipedrive') and
-- migration__quarantine lists the quarantined ones.
with twenty as (
    select * from {{ ref('int_migration__dispositions') }}
),

people as (
    select * from {{ ref('int_pipedrive__people') }}
),

products as (
    select * from {{ ref('int_pipedrive__products') }}
),

payments as (
    select * from {{ ref('int_pipedrive__payments') }}
),

activities as (
    select * from {{ ref('int_pipedrive__activities') }}
),

windows as (
    select
        window_external_id,
        person_external_id
    from {{ ref('int_availability__windows') }}
),

settings as (
    select * from {{ ref('int_pipedrive__settings') }}
),

-- Twenty's person rows, as Person and (client rows only) as Organization
person_rows as (
    {{ destination_person_rows(
        [('person', none), ('organization', ['clients'])],
        [
            'people.org_external_id',
            'people.quarantine_rule as pd_rule',
            'people.quarantine_reason as pd_reason',
        ],
    ) }}
),

person_dispositions as (
    select
        object_name,
        source_table,
        source_id,
        case
            when disposition <> 'mapped' then disposition
            when pd_rule is not null then 'quarantined'
            when object_name = 'organization' and org_external_id is null then 'excluded'
            else 'mapped'
        end as disposition,
        case
            when disposition <> 'mapped' then rule
            when pd_rule is not null then pd_rule
            when object_name = 'organization' and org_external_id is null
                then 'client_without_household'
        end as rule,
        case when disposition <> 'mapped' then reason else pd_reason end as reason,
        case when object_name = 'organization' then org_external_id else target_external_id end
            as target_external_id
    from person_rows
),

-- Twenty's rows of every other object, with the Pipedrive side's rule for a mapped row
record_dispositions as (
    {{ destination_record_dispositions(
        destination='Pipedrive',
        object_names={
            'tutoringService': "'product'",
            'serviceGroup': "'product (Service group option)'",
            'payment': "case settings.payments_as when 'deals' then 'deal' else 'note' end",
            'tutoringSession': "'activity'",
            'availabilityWindow': "'person (availability fields)'",
            'note': "'note'",
            'noteTarget': "'note (person_id)'",
            'workspaceMember (owner lookup)': "'User (owner lookup)'",
            'person (custom field)': "'person (custom fields text)'",
            'serviceLocation': "'activity (note: Location)'",
        },
        other_object='none (no Pipedrive object)',
        fates={
            'tutoringService': ('products', 'service_external_id'),
            'payment': ('payments', 'payment_external_id'),
            'tutoringSession': ('activities', 'session_external_id'),
        },
        fixed_rules={
            'serviceGroup': 'service_group_as_enum_option',
            'noteTarget': 'note_target_is_person_id',
            'serviceLocation': 'location_kept_in_activity_note',
        },
        excluded_rules=[
            'service_group_as_enum_option', 'note_target_is_person_id',
            'location_kept_in_activity_note',
        ],
        user_noun='a Pipedrive user',
        note_target_prefix='note_person:',
        custom_field_prefix='cf_custom_fields.',
    ) }}
),

unioned as (
    select * from person_dispositions

    union all

    select * from record_dispositions
)

{{ settled_dispositions('unioned') }}
