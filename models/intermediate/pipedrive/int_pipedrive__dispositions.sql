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
    select
        person_objects.object_name,
        twenty.source_table,
        twenty.source_id,
        twenty.disposition,
        twenty.rule,
        twenty.reason,
        twenty.target_external_id,
        people.org_external_id,
        people.quarantine_rule as pd_rule,
        people.quarantine_reason as pd_reason
    from twenty
    inner join (
        values ('person', null), ('organization', ['clients'])
    ) as person_objects (object_name, source_tables)
        on person_objects.source_tables is null
            or list_contains(person_objects.source_tables, twenty.source_table)
    left join people on twenty.target_external_id = people.person_external_id
    where twenty.object_name = 'person'
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
record_rows as (
    select
        case twenty.object_name
            when 'tutoringService' then 'product'
            when 'serviceGroup' then 'product (Service group option)'
            when 'payment' then case settings.payments_as when 'deals' then 'deal' else 'note' end
            when 'tutoringSession' then 'activity'
            when 'availabilityWindow' then 'person (availability fields)'
            when 'note' then 'note'
            when 'noteTarget' then 'note (person_id)'
            when 'workspaceMember (owner lookup)' then 'User (owner lookup)'
            when 'person (custom field)' then 'person (custom fields text)'
            when 'serviceLocation' then 'activity (note: Location)'
            else 'none (no Pipedrive object)'
        end as object_name,
        twenty.source_table,
        twenty.source_id,
        twenty.disposition,
        twenty.rule,
        case
            when twenty.rule = 'user_without_email'
                then replace(twenty.reason, 'a Twenty workspace member', 'a Pipedrive user')
            else twenty.reason
        end as reason,
        case
            when twenty.object_name = 'noteTarget'
                then replace(twenty.target_external_id, 'note_target:', 'note_person:')
            when twenty.object_name = 'person (custom field)'
                then replace(twenty.target_external_id, 'person.', 'cf_custom_fields.')
            else twenty.target_external_id
        end as target_external_id,
        case
            when twenty.object_name = 'tutoringService' then products.quarantine_rule
            when twenty.object_name = 'serviceGroup' then 'service_group_as_enum_option'
            when twenty.object_name = 'payment' then payments.quarantine_rule
            when twenty.object_name = 'tutoringSession' then activities.quarantine_rule
            when twenty.object_name = 'availabilityWindow'
                and window_people.quarantine_rule is not null
                then 'person_not_in_pipedrive'
            when twenty.object_name in ('note', 'noteTarget')
                and note_people.quarantine_rule is not null
                then 'client_not_in_pipedrive'
            when twenty.object_name = 'noteTarget' then 'note_target_is_person_id'
            when twenty.object_name = 'serviceLocation' then 'location_kept_in_activity_note'
        end as pd_rule,
        case
            when twenty.object_name = 'tutoringService' then products.quarantine_reason
            when twenty.object_name = 'payment' then payments.quarantine_reason
            when twenty.object_name = 'tutoringSession' then activities.quarantine_reason
            when twenty.object_name = 'availabilityWindow'
                then 'Availability ' || twenty.source_id || ': its person '
                    || window_people.person_external_id || ' is not migrated to Pipedrive ('
                    || window_people.quarantine_rule || '); fix the person and it follows.'
            when twenty.object_name in ('note', 'noteTarget')
                then 'The notes of ' || note_people.person_external_id || ': the client is not'
                    || ' migrated to Pipedrive (' || note_people.quarantine_rule
                    || '); fix the client and they follow.'
        end as pd_reason
    from twenty
    cross join settings
    left join products
        on twenty.object_name = 'tutoringService'
            and twenty.target_external_id = products.service_external_id
    left join payments
        on twenty.object_name = 'payment'
            and twenty.target_external_id = payments.payment_external_id
    left join activities
        on twenty.object_name = 'tutoringSession'
            and twenty.target_external_id = activities.session_external_id
    left join windows
        on twenty.object_name = 'availabilityWindow'
            and twenty.target_external_id = windows.window_external_id
    left join
        people as window_people
        on windows.person_external_id = window_people.person_external_id
    left join people as note_people
        on twenty.object_name in ('note', 'noteTarget')
            and substr(twenty.target_external_id, strpos(twenty.target_external_id, ':') + 1)
            = note_people.person_external_id
    where twenty.object_name <> 'person'
),

unioned as (
    select * from person_dispositions

    union all

    select
        object_name,
        source_table,
        source_id,
        case
            when disposition <> 'mapped' or pd_rule is null then disposition
            when pd_rule in (
                    'service_group_as_enum_option', 'note_target_is_person_id',
                    'location_kept_in_activity_note'
                ) then 'excluded'
            else 'quarantined'
        end as disposition,
        case when disposition <> 'mapped' then rule else pd_rule end as rule,
        case when disposition <> 'mapped' then reason else pd_reason end as reason,
        target_external_id
    from record_rows
)

select
    object_name,
    source_table,
    source_id,
    disposition,
    rule,
    case when disposition = 'quarantined' then reason end as reason,
    case when disposition = 'mapped' then target_external_id end as target_external_id
from unioned
