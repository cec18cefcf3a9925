-- What happened to every source row: one row per (source table row, Twenty object) with
-- disposition mapped / quarantined / excluded, the rule that decided it, a reason a person
-- can act on (quarantine) and, when mapped, the external id of the record it became.
-- migration__reconciliation counts these; migration__quarantine lists the quarantined ones.
-- Each branch selects the columns it has; `union all by name` leaves the others NULL.
with people as (
    select
        source_records.source_kind,
        cast(source_records.source_id as varchar) as source_id,
        source_records.exclusion_rule,
        source_records.quarantine_rule,
        source_records.quarantine_reason,
        identity.person_external_id as target_external_id
    from {{ ref('int_people__source_records') }} as source_records
    left join {{ ref('int_people__identity') }} as identity
        on source_records.source_record_key = identity.source_record_key
),

client_details as (
    select
        cast(details.client_id as varchar) as source_id,
        details.client_id,
        identity.person_external_id as target_external_id,
        details.is_in_current_snapshot,
        details.notes,
        -- client notes are not in bizstim-api.md: an account may not serve them at all
        {{ unserved_columns('client_details', ['notes']) }} is not null as notes_not_served
    from {{ ref('stg_bizstim__client_details') }} as details
    left join {{ ref('int_people__identity') }} as identity
        on identity.source_kind = 'client' and details.client_id = identity.source_id
),

service_groups as (
    select
        services.group_id,
        max(service_groups_derived.service_group_external_id) as target_external_id
    from {{ ref('int_services__catalog') }} as services
    left join {{ ref('int_services__groups') }} as service_groups_derived
        on services.group_id = service_groups_derived.group_id
    where services.group_id is not null
    group by services.group_id
),

unioned as (
    select
        'person' as object_name,
        source_kind || 's' as source_table,
        source_id,
        exclusion_rule,
        quarantine_rule,
        quarantine_reason,
        target_external_id
    from people

    union all by name
    select
        'person' as object_name,
        'client_details' as source_table,
        source_id,
        case
            when not is_in_current_snapshot then 'not_in_current_snapshot'
            {{ pilot_exclusion('client', 'client_id') }}
            when target_external_id is null then 'client_not_migrated'
        end as exclusion_rule,
        target_external_id
    from client_details

    union all by name
    select
        'person' as object_name,
        'meetourstaff' as source_table,
        cast(profile_id as varchar) as source_id,
        exclusion_rule,
        quarantine_rule,
        quarantine_reason,
        person_external_id as target_external_id
    from {{ ref('int_people__staff_profiles') }}

    union all by name
    select
        'availabilityWindow' as object_name,
        'availability (schedule x weekday)' as source_table,
        availability_id || ':' || lower(day_of_week) as source_id,
        exclusion_rule,
        quarantine_rule,
        quarantine_reason,
        window_external_id as target_external_id
    from {{ ref('int_availability__windows') }}

    union all by name
    select
        'tutoringService' as object_name,
        'services' as source_table,
        cast(service_id as varchar) as source_id,
        exclusion_rule,
        quarantine_rule,
        quarantine_reason,
        service_external_id as target_external_id
    from {{ ref('int_services__catalog') }}

    union all by name
    select
        'serviceGroup' as object_name,
        'services (distinct group_id)' as source_table,
        cast(group_id as varchar) as source_id,
        case
            {{ pilot_exclusion('service_group', 'group_id') }}
            when target_external_id is null then 'group_without_migrated_service'
        end as exclusion_rule,
        target_external_id
    from service_groups

    union all by name
    select
        'serviceLocation' as object_name,
        'locations' as source_table,
        cast(location_id as varchar) as source_id,
        exclusion_rule,
        quarantine_rule,
        quarantine_reason,
        location_external_id as target_external_id
    from {{ ref('int_locations__catalog') }}

    union all by name
    select
        'tutoringSession' as object_name,
        'sessions' as source_table,
        cast(session_id as varchar) as source_id,
        exclusion_rule,
        quarantine_rule,
        quarantine_reason,
        session_external_id as target_external_id
    from {{ ref('int_sessions__scheduled') }}

    union all by name
    select
        'payment' as object_name,
        'payments' as source_table,
        cast(payment_id as varchar) as source_id,
        exclusion_rule,
        quarantine_rule,
        quarantine_reason,
        payment_external_id as target_external_id
    from {{ ref('int_payments__ledger') }}

    {%- for object_name, prefix in [('note', 'note:'), ('noteTarget', 'note_target:')] %}

        union all by name
        select
            '{{ object_name }}' as object_name,
            'client_details (notes)' as source_table,
            source_id,
            case
                when notes is null and notes_not_served then 'notes_not_served'
                when notes is null then 'no_notes'
                when not is_in_current_snapshot then 'not_in_current_snapshot'
                {{ pilot_exclusion('note', 'client_id') }}
                when target_external_id is null then 'client_not_migrated'
            end as exclusion_rule,
            '{{ prefix }}' || target_external_id as target_external_id
        from client_details
    {%- endfor %}

    union all by name
    select
        'workspaceMember (owner lookup)' as object_name,
        'users' as source_table,
        cast(user_id as varchar) as source_id,
        exclusion_rule,
        quarantine_rule,
        quarantine_reason,
        user_external_id as target_external_id
    from {{ ref('int_users__owners') }}

    union all by name
    select
        'person (custom field)' as object_name,
        case definition_source
            when 'custom_fields' then 'custom_fields'
            else 'client_details (custom_<id> columns)'
        end as source_table,
        cast(custom_field_id as varchar) as source_id,
        case
            when not is_in_current_snapshot then 'not_in_current_snapshot'
            when mapping_status = 'pending' then 'custom_field_not_confirmed'
            when mapping_status = 'skip' then 'custom_field_not_migrated'
        end as exclusion_rule,
        case
            when is_in_current_snapshot and mapping_status = 'not_in_map'
                then 'custom_field_not_in_map'
        end as quarantine_rule,
        case
            when is_in_current_snapshot and mapping_status = 'not_in_map'
                then 'Custom field ' || custom_field_id || ' "' || coalesce(bizstim_field_name, '')
                    || '" (' || coalesce(bizstim_field_type, '?') || ') is not in'
                    || ' seeds/custom_field_map.csv: run `bizmig map propose` to add it, then'
                    || ' `bizmig map confirm` (or --skip) it and rerun dbt build.'
        end as quarantine_reason,
        'person.' || target_field_name as target_external_id
    from {{ ref('int_custom_fields__mapping') }}

    union all by name
    select
        'none (no Twenty object)' as object_name,
        'discounts' as source_table,
        cast(discount_id as varchar) as source_id,
        'discount_codes_not_migrated' as exclusion_rule
    from {{ ref('stg_bizstim__discounts') }}
)

select
    object_name,
    source_table,
    source_id,
    case
        when exclusion_rule is not null then 'excluded'
        when quarantine_rule is not null then 'quarantined'
        else 'mapped'
    end as disposition,
    coalesce(exclusion_rule, quarantine_rule) as rule,
    case when exclusion_rule is null then quarantine_reason end as reason,
    case
        when exclusion_rule is null and quarantine_rule is null then target_external_id
    end as target_external_id
from unioned
