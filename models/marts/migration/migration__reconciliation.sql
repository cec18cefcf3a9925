-- Per destination, object and source table: how many source rows there are (counted straight
-- from staging), and how many were mapped, quarantined or excluded by a named rule. The
-- singular test reconciliation_adds_up checks source_rows = mapped + quarantined + excluded
-- and that the distinct records the mapped rows became equal the rows of the object's mart.
-- destination: 'twenty' (int_migration__dispositions), 'salesforce'
-- (int_salesforce__dispositions), 'pipedrive' (int_pipedrive__dispositions), 'freshsales'
-- (int_freshsales__dispositions) or 'monday' (int_monday__dispositions); a report or
-- reconcile for one destination reads its rows.
-- migration_scope says what the build migrates: 'full', or a pilot ('pilot sample_clients=10');
-- in a pilot, source rows outside the sample are excluded by the rule outside_pilot_sample.
{%- set source_counts = [
    ('clients', "select count(*) from " ~ ref('stg_bizstim__clients')),
    ('practitioners', "select count(*) from " ~ ref('stg_bizstim__practitioners')),
    ('staffs', "select count(*) from " ~ ref('stg_bizstim__staffs')),
    ('client_details', "select count(*) from " ~ ref('stg_bizstim__client_details')),
    ('meetourstaff', "select count(*) from " ~ ref('stg_bizstim__meetourstaff')),
    ('availability (schedule x weekday)',
        "select 7 * count(*) from " ~ ref('stg_bizstim__availability')),
    ('services', "select count(*) from " ~ ref('stg_bizstim__services')),
    ('services (distinct group_id)',
        "select count(distinct group_id) from " ~ ref('stg_bizstim__services')),
    ('locations', "select count(*) from " ~ ref('stg_bizstim__locations')),
    ('sessions', "select count(*) from " ~ ref('stg_bizstim__sessions')),
    ('payments', "select count(*) from " ~ ref('stg_bizstim__payments')),
    ('client_details (notes)', "select count(*) from " ~ ref('stg_bizstim__client_details')),
    ('users', "select count(*) from " ~ ref('stg_bizstim__users')),
    ('custom_fields', "select count(*) from " ~ ref('stg_bizstim__custom_fields')),
    ('client_details (custom_<id> columns)',
        "select count(distinct custom_field_id) from " ~ ref('stg_bizstim__client_custom_values')
        ~ " where is_in_current_snapshot and raw_value is not null and not exists (select 1 from "
        ~ ref('stg_bizstim__custom_fields') ~ " where is_in_current_snapshot)"),
    ('discounts', "select count(*) from " ~ ref('stg_bizstim__discounts')),
    ('practice team (one Account)', "select 1"),
] -%}
{%- set mart_counts = [
    ('twenty', 'person', 'twenty__people'),
    ('twenty', 'serviceGroup', 'twenty__service_groups'),
    ('twenty', 'tutoringService', 'twenty__services'),
    ('twenty', 'serviceLocation', 'twenty__locations'),
    ('twenty', 'payment', 'twenty__payments'),
    ('twenty', 'tutoringSession', 'twenty__sessions'),
    ('twenty', 'availabilityWindow', 'twenty__availability_windows'),
    ('twenty', 'note', 'twenty__notes'),
    ('twenty', 'noteTarget', 'twenty__note_targets'),
    ('twenty', 'workspaceMember (owner lookup)', 'migration__owner_lookup'),
    ('salesforce', 'Account', 'salesforce__accounts'),
    ('salesforce', 'Contact', 'salesforce__contacts'),
    ('salesforce', 'Lead', 'salesforce__leads'),
    ('salesforce', 'Bizstim_Service_Group__c', 'salesforce__service_groups'),
    ('salesforce', 'Product2', 'salesforce__products'),
    ('salesforce', 'PricebookEntry', 'salesforce__pricebook_entries'),
    ('salesforce', 'Bizstim_Payment__c', 'salesforce__payments'),
    ('salesforce', 'Opportunity', 'salesforce__opportunities'),
    ('salesforce', 'Event', 'salesforce__events'),
    ('salesforce', 'Bizstim_Availability__c', 'salesforce__availability'),
    ('salesforce', 'ContentNote', 'salesforce__notes'),
    ('salesforce', 'ContentDocumentLink', 'salesforce__note_links'),
    ('salesforce', 'User (owner lookup)', 'migration__owner_lookup'),
    ('pipedrive', 'organization', 'pipedrive__organizations'),
    ('pipedrive', 'person', 'pipedrive__persons'),
    ('pipedrive', 'product', 'pipedrive__products'),
    ('pipedrive', 'deal', 'pipedrive__deals'),
    ('pipedrive', 'activity', 'pipedrive__activities'),
    ('pipedrive', 'note', 'pipedrive__notes'),
    ('pipedrive', 'User (owner lookup)', 'migration__owner_lookup'),
    ('freshsales', 'sales_account', 'freshsales__sales_accounts'),
    ('freshsales', 'contact', 'freshsales__contacts'),
    ('freshsales', 'product', 'freshsales__products'),
    ('freshsales', 'deal', 'freshsales__deals'),
    ('freshsales', 'appointment', 'freshsales__appointments'),
    ('freshsales', 'note', 'freshsales__notes'),
    ('freshsales', 'User (owner lookup)', 'migration__owner_lookup'),
    ('monday', 'practitioner', 'monday__practitioners'),
    ('monday', 'service', 'monday__services'),
    ('monday', 'contact', 'monday__contacts'),
    ('monday', 'payment', 'monday__payments'),
    ('monday', 'session', 'monday__sessions'),
    ('monday', 'availability', 'monday__availability'),
    ('monday', 'update', 'monday__updates'),
    ('monday', 'User (owner lookup)', 'migration__owner_lookup'),
] %}

with dispositions as (
    select
        'twenty' as destination,
        *
    from {{ ref('int_migration__dispositions') }}
    union all by name
    select
        'salesforce' as destination,
        *
    from {{ ref('int_salesforce__dispositions') }}
    union all by name
    select
        'pipedrive' as destination,
        *
    from {{ ref('int_pipedrive__dispositions') }}
    union all by name
    select
        'freshsales' as destination,
        *
    from {{ ref('int_freshsales__dispositions') }}
    union all by name
    select
        'monday' as destination,
        *
    from {{ ref('int_monday__dispositions') }}
),

source_rows as (
    {%- for table_name, count_sql in source_counts %}
        {{ "union all" if not loop.first }}
        select
            '{{ table_name }}' as source_table,
            ({{ count_sql }}) as source_rows
    {%- endfor %}
),

mart_rows as (
    {%- for destination, object_name, mart in mart_counts %}
        {{ "union all" if not loop.first }}
        select
            '{{ destination }}' as destination,
            '{{ object_name }}' as object_name,
            count(*) as mart_rows
        from {{ ref(mart) }}
    {%- endfor %}
),

per_object as (
    select
        destination,
        object_name,
        count(distinct target_external_id) as mapped_records
    from dispositions
    group by destination, object_name
),

rule_counts as (
    select
        destination,
        object_name,
        source_table,
        disposition,
        rule,
        count(*) as rule_rows
    from dispositions
    group by destination, object_name, source_table, disposition, rule
),

counted as (
    select
        destination,
        object_name,
        source_table,
        cast(
            coalesce(sum(rule_rows) filter (where disposition = 'mapped'), 0) as bigint
        ) as mapped,
        cast(
            coalesce(sum(rule_rows) filter (where disposition = 'quarantined'), 0) as bigint
        ) as quarantined,
        cast(
            coalesce(sum(rule_rows) filter (where disposition = 'excluded'), 0) as bigint
        ) as excluded,
        map_from_entries(
            coalesce(
                list({ 'key': rule, 'value': rule_rows } order by rule)
                filter (where rule is not null),
                []
            )
        ) as rows_per_rule
    from rule_counts
    group by destination, object_name, source_table
)

select
    counted.destination,
    counted.object_name,
    counted.source_table,
    coalesce(source_rows.source_rows, 0) as source_rows,
    counted.mapped,
    counted.quarantined,
    counted.excluded,
    coalesce(source_rows.source_rows, 0) = counted.mapped + counted.quarantined + counted.excluded
        as adds_up,
    per_object.mapped_records as object_mapped_records,
    mart_rows.mart_rows as object_mart_rows,
    counted.rows_per_rule,
    '{{ pilot_label() }}' as migration_scope
from counted
left join source_rows on counted.source_table = source_rows.source_table
left join per_object
    on counted.destination = per_object.destination
        and counted.object_name = per_object.object_name
left join mart_rows
    on counted.destination = mart_rows.destination
        and counted.object_name = mart_rows.object_name
order by counted.destination desc, counted.object_name asc, counted.source_table asc
