-- What happened to every source row on the monday side: one row per (source table row, monday
-- object), the columns of int_migration__dispositions (Twenty's). Derived from Twenty's rows,
-- so every rule that decides whether a Bizstim record is migrated at all is shared; the monday
-- side then applies its own decisions to the rows Twenty mapped. Object names are the
-- loader's (load/monday/specs.py: one per board, and `update` for notes):
--   contact / practitioner  a client's rows are a Contacts item, a practitioner's or staff
--                  member's a Practitioners item; int_monday__people's quarantine applies
--   service        int_monday__services (a name over 255 characters: quarantined)
--   service groups no item: excluded as service_group_as_board_group (the Services board's
--                  groups)
--   payment / session  int_monday__payments / int_monday__sessions (client not in monday)
--   availability   one item per window; quarantined with its person
--   update         client notes; their note target is the Contacts item the update is on
--                  (excluded: note_target_is_the_item)
--   locations      no item: each session's location column names it
-- migration__reconciliation counts these rows (destination = 'monday') and
-- migration__quarantine lists the quarantined ones.
with twenty as (
    select * from {{ ref('int_migration__dispositions') }}
),

people as (
    select * from {{ ref('int_monday__people') }}
),

services as (
    select * from {{ ref('int_monday__services') }}
),

payments as (
    select * from {{ ref('int_monday__payments') }}
),

sessions as (
    select * from {{ ref('int_monday__sessions') }}
),

windows as (
    select
        window_external_id,
        person_external_id
    from {{ ref('int_availability__windows') }}
),

settings as (
    select 1 as no_switches
),

person_rows as (
    {{ destination_person_rows(
        [
            ('contact', ['clients', 'client_details']),
            ('practitioner', ['practitioners', 'staffs', 'meetourstaff']),
        ],
        [
            'people.quarantine_rule as monday_rule',
            'people.quarantine_reason as monday_reason',
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
            when monday_rule is not null then 'quarantined'
            else 'mapped'
        end as disposition,
        case when disposition <> 'mapped' then rule else monday_rule end as rule,
        case when disposition <> 'mapped' then reason else monday_reason end as reason,
        target_external_id
    from person_rows
),

record_dispositions as (
    {{ destination_record_dispositions(
        destination='monday',
        object_names={
            'tutoringService': "'service'",
            'serviceGroup': "'service (Services board group)'",
            'payment': "'payment'",
            'tutoringSession': "'session'",
            'availabilityWindow': "'availability'",
            'note': "'update'",
            'noteTarget': "'update (on the Contacts item)'",
            'workspaceMember (owner lookup)': "'User (owner lookup)'",
            'person (custom field)': "'contact (custom fields text)'",
            'serviceLocation': "'session (location column)'",
        },
        other_object='none (no monday object)',
        fates={
            'tutoringService': ('services', 'service_external_id'),
            'payment': ('payments', 'payment_external_id'),
            'tutoringSession': ('sessions', 'session_external_id'),
        },
        fixed_rules={
            'serviceGroup': 'service_group_as_board_group',
            'noteTarget': 'note_target_is_the_item',
            'serviceLocation': 'location_kept_in_session',
        },
        excluded_rules=[
            'service_group_as_board_group', 'note_target_is_the_item',
            'location_kept_in_session',
        ],
        user_noun='a monday user',
        note_target_prefix='note_item:',
        custom_field_prefix='bizstim_fields.',
    ) }}
),

unioned as (
    select * from person_dispositions

    union all

    select * from record_dispositions
)

{{ settled_dispositions('unioned') }}
