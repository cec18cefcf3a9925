-- What happened to every source row on the Salesforce side: one row per (source table row,
-- Salesforce object), the same columns as int_migration__dispositions, which holds Twenty's.
-- Derived from Twenty's rows, so both destinations share every rule that decides whether a
-- Bizstim record is migrated at all (not in the snapshot, pilot, missing detail, bad amount,
-- ...); the Salesforce side then applies its own decisions to the rows Twenty's mapped:
--   Contact / Lead / Account  a client routed to the other object is excluded
--                             (client_routed_to_lead / client_routed_to_contact); a person
--                             int_salesforce__people quarantines is quarantined with its rule
--   Product2 / PricebookEntry  int_salesforce__services (no price: excluded; a price with more
--                             than 2 decimals: quarantined)
--   Bizstim_Service_Group__c  excluded as service_group_as_product_family unless the switch
--                             makes groups records
--   payments                  counted under the object the switch payments_object chooses
--   Event, availability, notes  quarantined when their client / person is
--   locations                 no record: each session's Location text carries the name
--   the practice team's Account  one row of its own (source table 'practice team (one
--                             Account)'), mapped when there is a team Contact
-- migration__reconciliation counts these rows (destination = 'salesforce') and
-- migration__quarantine lists the quarantined ones.
with twenty as (
    select * from {{ ref('int_migration__dispositions') }}
),

people as (
    select * from {{ ref('int_salesforce__people') }}
),

services as (
    select * from {{ ref('int_salesforce__services') }}
),

service_groups as (
    select * from {{ ref('int_salesforce__service_groups') }}
),

payments as (
    select * from {{ ref('int_salesforce__payments') }}
),

events as (
    select * from {{ ref('int_salesforce__events') }}
),

windows as (
    select
        window_external_id,
        person_external_id
    from {{ ref('int_availability__windows') }}
),

settings as (
    select * from {{ ref('int_salesforce__settings') }}
),

-- Twenty's person rows, once per Salesforce object they feed, with the person's routing
person_rows as (
    {{ destination_person_rows(
        [('Contact', none), ('Lead', ['clients', 'client_details']), ('Account', ['clients'])],
        [
            'people.salesforce_object',
            'people.quarantine_rule as sf_rule',
            'people.quarantine_reason as sf_reason',
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
            when object_name in ('Contact', 'Account') and salesforce_object = 'Lead'
                then 'excluded'
            when object_name = 'Lead' and salesforce_object = 'Contact' then 'excluded'
            when sf_rule is not null then 'quarantined'
            else 'mapped'
        end as disposition,
        case
            when disposition <> 'mapped' then rule
            when object_name in ('Contact', 'Account') and salesforce_object = 'Lead'
                then 'client_routed_to_lead'
            when object_name = 'Lead' and salesforce_object = 'Contact'
                then 'client_routed_to_contact'
            else sf_rule
        end as rule,
        case when disposition <> 'mapped' then reason else sf_reason end as reason,
        case
            when object_name = 'Account' then 'household:' || target_external_id
            else target_external_id
        end as target_external_id
    from person_rows
),

-- a service group is a record only when the switch says so; else the Family picklist value
service_group_fates as (
    select
        service_group_external_id,
        case
            when not is_record then 'service_group_as_product_family' else quarantine_rule
        end as quarantine_rule,
        quarantine_reason
    from service_groups
),

-- Twenty's rows of every other object, with the Salesforce side's rule for a mapped row
record_dispositions as (
    {{ destination_record_dispositions(
        destination='Salesforce',
        object_names={
            'tutoringService': "'Product2'",
            'serviceGroup': "'Bizstim_Service_Group__c'",
            'payment': 'settings.payments_object',
            'tutoringSession': "'Event'",
            'availabilityWindow': "'Bizstim_Availability__c'",
            'note': "'ContentNote'",
            'noteTarget': "'ContentDocumentLink'",
            'workspaceMember (owner lookup)': "'User (owner lookup)'",
            'person (custom field)': "'Contact/Lead (custom field)'",
            'serviceLocation': "'none (Event.Location text)'",
        },
        other_object='none (no Salesforce object)',
        fates={
            'tutoringService': ('services', 'service_external_id'),
            'serviceGroup': ('service_group_fates', 'service_group_external_id'),
            'payment': ('payments', 'payment_external_id'),
            'tutoringSession': ('events', 'session_external_id'),
        },
        fixed_rules={'serviceLocation': 'location_kept_as_event_location'},
        excluded_rules=['service_group_as_product_family', 'location_kept_as_event_location'],
        user_noun='a Salesforce User',
        note_target_prefix='note_link:',
        custom_field_prefix='Bizstim_Custom_Fields__c.',
    ) }}
),

-- a service's price book entry: the product's fate first, then its price
price_rows as (
    select
        'PricebookEntry' as object_name,
        twenty.source_table,
        twenty.source_id,
        case
            when twenty.disposition <> 'mapped' then twenty.disposition
            when services.quarantine_rule is not null then 'quarantined'
            when services.price_rule = 'service_without_price' then 'excluded'
            when services.price_rule is not null then 'quarantined'
            else 'mapped'
        end as disposition,
        case
            when twenty.disposition <> 'mapped' then twenty.rule
            else coalesce(services.quarantine_rule, services.price_rule)
        end as rule,
        case
            when twenty.disposition <> 'mapped' then twenty.reason
            else coalesce(services.quarantine_reason, services.price_reason)
        end as reason,
        'pricebook_entry:' || twenty.target_external_id as target_external_id
    from twenty
    left join services on twenty.target_external_id = services.service_external_id
    where twenty.object_name = 'tutoringService'
),

-- the practice team's Account is no Bizstim row: one row that is mapped when the account has
-- a practitioner or staff Contact
team_account as (
    select
        'Account' as object_name,
        'practice team (one Account)' as source_table,
        'business:team' as source_id,
        case when count(*) > 0 then 'mapped' else 'excluded' end as disposition,
        case when count(*) = 0 then 'no_team_members' end as rule,
        null as reason,
        'business:team' as target_external_id
    from people
    where not is_client and quarantine_rule is null
),

unioned as (
    select * from person_dispositions

    union all

    select * from team_account

    union all

    select * from record_dispositions

    union all

    select * from price_rows
)

{{ settled_dispositions('unioned') }}
