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
    select
        person_objects.object_name,
        twenty.source_table,
        twenty.source_id,
        twenty.disposition,
        twenty.rule,
        twenty.reason,
        twenty.target_external_id,
        people.salesforce_object,
        people.quarantine_rule as sf_rule,
        people.quarantine_reason as sf_reason
    from twenty
    inner join (
        values
        ('Contact', null),
        ('Lead', ['clients', 'client_details']),
        ('Account', ['clients'])
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

-- Twenty's rows of every other object, with the Salesforce side's rule for a mapped row
record_rows as (
    select
        case twenty.object_name
            when 'tutoringService' then 'Product2'
            when 'serviceGroup' then 'Bizstim_Service_Group__c'
            when 'payment' then settings.payments_object
            when 'tutoringSession' then 'Event'
            when 'availabilityWindow' then 'Bizstim_Availability__c'
            when 'note' then 'ContentNote'
            when 'noteTarget' then 'ContentDocumentLink'
            when 'workspaceMember (owner lookup)' then 'User (owner lookup)'
            when 'person (custom field)' then 'Contact/Lead (custom field)'
            when 'serviceLocation' then 'none (Event.Location text)'
            else 'none (no Salesforce object)'
        end as object_name,
        twenty.source_table,
        twenty.source_id,
        twenty.disposition,
        twenty.rule,
        case
            when twenty.rule = 'user_without_email'
                then replace(twenty.reason, 'a Twenty workspace member', 'a Salesforce User')
            else twenty.reason
        end as reason,
        case
            when twenty.object_name = 'noteTarget'
                then replace(twenty.target_external_id, 'note_target:', 'note_link:')
            when twenty.object_name = 'person (custom field)'
                then replace(
                        twenty.target_external_id, 'person.', 'Bizstim_Custom_Fields__c.'
                    )
            else twenty.target_external_id
        end as target_external_id,
        case
            when twenty.object_name = 'tutoringService' then services.quarantine_rule
            when twenty.object_name = 'serviceGroup' and not service_groups.is_record
                then 'service_group_as_product_family'
            when twenty.object_name = 'serviceGroup' then service_groups.quarantine_rule
            when twenty.object_name = 'payment' then payments.quarantine_rule
            when twenty.object_name = 'tutoringSession' then events.quarantine_rule
            when twenty.object_name = 'availabilityWindow'
                and window_people.quarantine_rule is not null
                then 'person_not_in_salesforce'
            when twenty.object_name in ('note', 'noteTarget')
                and note_people.quarantine_rule is not null
                then 'client_not_in_salesforce'
            when twenty.object_name = 'serviceLocation' then 'location_kept_as_event_location'
        end as sf_rule,
        case
            when twenty.object_name = 'tutoringService' then services.quarantine_reason
            when twenty.object_name = 'serviceGroup' then service_groups.quarantine_reason
            when twenty.object_name = 'payment' then payments.quarantine_reason
            when twenty.object_name = 'tutoringSession' then events.quarantine_reason
            when twenty.object_name = 'availabilityWindow'
                then 'Availability ' || twenty.source_id || ': its person '
                    || window_people.person_external_id || ' is not migrated to Salesforce ('
                    || window_people.quarantine_rule || '); fix the person and it follows.'
            when twenty.object_name in ('note', 'noteTarget')
                then 'The notes of ' || note_people.person_external_id || ': the client is not'
                    || ' migrated to Salesforce (' || note_people.quarantine_rule
                    || '); fix the client and they follow.'
        end as sf_reason
    from twenty
    cross join settings
    left join services
        on twenty.object_name = 'tutoringService'
            and twenty.target_external_id = services.service_external_id
    left join service_groups
        on twenty.object_name = 'serviceGroup'
            and twenty.target_external_id = service_groups.service_group_external_id
    left join payments
        on twenty.object_name = 'payment'
            and twenty.target_external_id = payments.payment_external_id
    left join events
        on twenty.object_name = 'tutoringSession'
            and twenty.target_external_id = events.session_external_id
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

    select
        object_name,
        source_table,
        source_id,
        case
            when disposition <> 'mapped' or sf_rule is null then disposition
            when sf_rule in ('service_group_as_product_family', 'location_kept_as_event_location')
                then 'excluded'
            else 'quarantined'
        end as disposition,
        case when disposition <> 'mapped' then rule else sf_rule end as rule,
        case when disposition <> 'mapped' then reason else sf_reason end as reason,
        target_external_id
    from record_rows

    union all

    select * from price_rows
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
