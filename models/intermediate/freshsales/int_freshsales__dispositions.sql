-- What happened to every source row on the Freshsales side: one row per (source table row,
-- Freshsales object), the columns of int_migration__dispositions (Twenty's). Derived from
-- Twenty's rows, so every rule that decides whether a Bizstim record is migrated at all is
-- shared; the Freshsales side then applies its own decisions to the rows Twenty mapped.
-- Object names are the loader's (load/freshsales/specs.py), as its ledger and reconcile name
-- them:
--   contact        a person int_freshsales__people quarantines (name_missing,
--                  freshsales_field_too_long) is quarantined with its rule
--   sales_account  one per client row: excluded (client_without_household) when the routing
--                  gives none (and no deal needs one), else the contact's fate
--   product        int_freshsales__products (a name over 255 characters: quarantined)
--   service groups no record: excluded as service_group_as_dropdown_choice (the product
--                  dropdown "Service group")
--   payments       deal or note by the switch payments_as (int_freshsales__payments)
--   appointment    int_freshsales__appointments (client not in Freshsales)
--   availability   no record: the Contact's availability fields; quarantined with the person
--   notes          note (quarantined when the client is); their note target is the note's
--                  targetable Contact (excluded: note_target_is_targetable)
--   locations      no record: each appointment's location names it
-- migration__reconciliation counts these rows (destination = 'freshsales') and
-- migration__quarantine lists the quarantined ones.
with twenty as (
    select * from {{ ref('int_migration__dispositions') }}
),

people as (
    select * from {{ ref('int_freshsales__people') }}
),

products as (
    select * from {{ ref('int_freshsales__products') }}
),

payments as (
    select * from {{ ref('int_freshsales__payments') }}
),

appointments as (
    select * from {{ ref('int_freshsales__appointments') }}
),

windows as (
    select
        window_external_id,
        person_external_id
    from {{ ref('int_availability__windows') }}
),

settings as (
    select * from {{ ref('int_freshsales__settings') }}
),

-- Twenty's person rows, as Contact and (client rows only) as Sales Account
person_rows as (
    {{ destination_person_rows(
        [('contact', none), ('sales_account', ['clients'])],
        [
            'people.sales_account_external_id',
            'people.quarantine_rule as fs_rule',
            'people.quarantine_reason as fs_reason',
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
            when fs_rule is not null then 'quarantined'
            when object_name = 'sales_account' and sales_account_external_id is null
                then 'excluded'
            else 'mapped'
        end as disposition,
        case
            when disposition <> 'mapped' then rule
            when fs_rule is not null then fs_rule
            when object_name = 'sales_account' and sales_account_external_id is null
                then 'client_without_household'
        end as rule,
        case when disposition <> 'mapped' then reason else fs_reason end as reason,
        case
            when object_name = 'sales_account' then sales_account_external_id
            else target_external_id
        end as target_external_id
    from person_rows
),

-- Twenty's rows of every other object, with the Freshsales side's rule for a mapped row
record_dispositions as (
    {{ destination_record_dispositions(
        destination='Freshsales',
        object_names={
            'tutoringService': "'product'",
            'serviceGroup': "'product (Service group choice)'",
            'payment': "case settings.payments_as when 'deals' then 'deal' else 'note' end",
            'tutoringSession': "'appointment'",
            'availabilityWindow': "'contact (availability fields)'",
            'note': "'note'",
            'noteTarget': "'note (targetable Contact)'",
            'workspaceMember (owner lookup)': "'User (owner lookup)'",
            'person (custom field)': "'contact (custom fields text)'",
            'serviceLocation': "'appointment (location)'",
        },
        other_object='none (no Freshsales object)',
        fates={
            'tutoringService': ('products', 'service_external_id'),
            'payment': ('payments', 'payment_external_id'),
            'tutoringSession': ('appointments', 'session_external_id'),
        },
        fixed_rules={
            'serviceGroup': 'service_group_as_dropdown_choice',
            'noteTarget': 'note_target_is_targetable',
            'serviceLocation': 'location_kept_in_appointment',
        },
        excluded_rules=[
            'service_group_as_dropdown_choice', 'note_target_is_targetable',
            'location_kept_in_appointment',
        ],
        user_noun='a Freshsales user',
        note_target_prefix='note_contact:',
        custom_field_prefix='cf_custom_fields.',
    ) }}
),

unioned as (
    select * from person_dispositions

    union all

    select * from record_dispositions
)

{{ settled_dispositions('unioned') }}
